import Foundation
import Logging
import RosterCore
import RosterStore

#if canImport(Glibc)
    import Glibc
#endif

/// The state of ``WatchService``'s main loop: the files waiting to settle, the pipeline in use,
/// whether the outputs need rebuilding. Used only by the task that runs the loop.
final class WatchLoop {
    private let service: WatchService
    private let scanner: DropFolderScanner
    private let mode: WatchService.Mode
    private var logger: Logger { service.logger }
    private var config: RosterConfig
    private var pipeline: Pipeline
    private var ignore: IgnoreRules
    private var tracker: SettleTracker
    /// Things in the folder that are not files (directories, FIFOs…), already warned about.
    private var refused: Set<FileIdentity> = []
    /// Something was applied since the exports were last written, since this time.
    private var outputsStaleSince: UInt64?
    /// How long the last rebuild of the outputs took; during a burst they are rebuilt at most
    /// every ten times that (and at least two seconds apart), so that big exports don't dominate.
    private var lastRefreshNanoseconds: UInt64 = 0
    private var failures = 0
    private var lastFile = "none yet"
    private var scanFailing = false
    /// The proposal files as last seen, to notice edits.
    private var proposalFiles = FolderSnapshot()
    /// When the proposal files may be looked at again (``checkProposals()``).
    private var proposalsDue: UInt64 = 0
    /// When the loop wants to look at the waiting files again.
    private(set) var nextDue: UInt64?
    /// What the store looked like when the outputs were last refreshed from it (``StoreStamp``).
    private var seenStamp: StoreStamp?
    /// Why the store can't be written, while it can't (shown in `STATUS=`).
    private var storeTrouble: String?

    struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
        var modified: Int64
    }

    init(service: WatchService, config: RosterConfig, mode: WatchService.Mode, scanner: DropFolderScanner) {
        self.service = service
        self.scanner = scanner
        self.mode = mode
        self.config = config
        pipeline = Self.pipeline(service: service, config: config)
        ignore = IgnoreRules(patterns: config.watch.ignorePatterns)
        tracker = SettleTracker(
            settleNanoseconds: UInt64(config.watch.settleMilliseconds) * 1_000_000,
            scanQuietNanoseconds: 1_000_000_000, trustModificationTimes: mode == .inotify)
    }

    private static func pipeline(service: WatchService, config: RosterConfig) -> Pipeline {
        Pipeline(
            state: service.state, config: config, store: service.store, logger: service.logger,
            maxFileSize: config.watch.maxFileSize)
    }

    /// Rebuilds the exports from the store: repairs a crash between a commit and the outputs.
    func repairOutputs() async throws {
        let service = self.service
        do {
            let before = try await service.onWorker { try StoreStamp(service.store) }
            // A host joining a store that others already fed (or whose folder was cleared) has no
            // files for the proposals opened before: the pass only writes what it changed.
            try await refreshFollowingStore(from: before)
        } catch is MatchingStopped {
            logger.notice("Stopped the merge proposals pass; it runs again at the next start")
        }
    }

    // MARK: - Finding files

    /// Notes a file announced by inotify or found by a scan.
    func consider(_ name: String, origin: SettleTracker.Origin) {
        if ignore.ignores(name) {
            logger.trace("Ignored file", metadata: ["file.name": "\(name)"])
            return
        }
        let path = "\(scanner.folder)/\(name)"
        guard let signature = FileSignature.of(path) else {
            tracker.remove(name)
            return
        }
        consider(name, signature: signature, origin: origin)
    }

    /// Notes something just created: a regular file waits for its close (or the next scan), but a
    /// symbolic link, FIFO or directory never sends one, so it is dealt with now.
    func noticeCreated(_ name: String) {
        guard !ignore.ignores(name), let signature = FileSignature.of("\(scanner.folder)/\(name)"),
            !signature.isRegular
        else { return }
        consider(name, signature: signature, origin: .event)
    }

    private func consider(_ name: String, signature: FileSignature, origin: SettleTracker.Origin) {
        guard signature.isRegular || signature.isSymlink else {
            // A directory, FIFO, socket or device: never opened, warned about once.
            let identity = FileIdentity(
                device: signature.device, inode: signature.inode, modified: signature.modified)
            if refused.insert(identity).inserted {
                logger.warning(
                    "Refused: not a regular file; drop plain files only", metadata: ["file.name": "\(name)"])
            }
            return
        }
        let now = Clocks.monotonic()
        tracker.note(name, signature: signature, origin: origin, now: now)
        let due = origin == .event ? now : now + tracker.scanQuiet
        nextDue = min(nextDue ?? due, due)
    }

    /// Lists the folder and notes every candidate.
    func scan(reason: String?) {
        if let reason {
            logger.warning("Rescanning the drop folder", metadata: ["reason": "\(reason)"])
        }
        let found: [(name: String, signature: FileSignature)]
        do {
            found = try scanner.scan()
            if scanFailing {
                logger.notice("The drop folder can be read again", metadata: ["watch.path": "\(scanner.folder)"])
            }
            scanFailing = false
        } catch {
            if !scanFailing { logger.error("Can't scan the drop folder", metadata: ["error": "\(error)"]) }
            scanFailing = true
            return
        }
        var noted = 0
        for (name, signature) in found where !ignore.ignores(name) {
            consider(name, signature: signature, origin: .scan)
            noted += 1
        }
        // Files already old enough settle at once.
        if noted > 0 { nextDue = Clocks.monotonic() }
        logger.debug("Scanned the drop folder", metadata: ["files": "\(noted)"])
    }

    // MARK: - Taking files

    /// Takes every settled file, one at a time, then rebuilds the outputs once the queue is empty
    /// (or every two seconds during a long burst).
    func processSettled() async {
        nextDue = nil
        while !service.isStopping {
            let (names, next) = tracker.settled(now: Clocks.monotonic(), wallNow: Clocks.wall()) {
                FileSignature.of("\(self.scanner.folder)/\($0)")
            }
            nextDue = next
            if names.isEmpty { break }
            for name in names {
                if service.isStopping { break }
                await take(name)
                if let since = outputsStaleSince,
                    Clocks.monotonic() - since > max(2_000_000_000, 10 * lastRefreshNanoseconds)
                {
                    await refreshOutputs()
                }
            }
        }
        if outputsStaleSince != nil, tracker.isEmpty || service.isStopping {
            await refreshOutputs()
        }
        reportStatus()
    }

    private func take(_ name: String) async {
        let path = "\(scanner.folder)/\(name)"
        let pipeline = self.pipeline
        let service = self.service
        logger.debug("Taking file", metadata: ["file.name": "\(name)"])
        service.markBusy(true)
        defer { service.markBusy(false) }
        do {
            let outcome = try await service.onWorker {
                try pipeline.ingest(path: path, disposition: .move) {
                    service.madeProgress()
                    return !service.isStopping
                }
            }
            service.madeProgress()
            failures = 0
            storeTrouble = nil
            tracker.remove(name)
            lastFile = outcome.line
            if case .applied = outcome.status, outputsStaleSince == nil {
                outputsStaleSince = Clocks.monotonic()
            }
            if outcome.keptAt == nil, let signature = FileSignature.of(path) {
                // Refused and left in place (not a regular file): don't try it again unchanged.
                refused.insert(
                    FileIdentity(device: signature.device, inode: signature.inode, modified: signature.modified))
                tracker.remove(name)
            }
        } catch IngestError.stopped {
            logger.notice("Left the file in hand for the next start", metadata: ["file.name": "\(name)"])
        } catch IngestError.changedWhileReading {
            logger.notice(
                "The file changed while it was read; waiting for it to settle", metadata: ["file.name": "\(name)"])
            tracker.postpone(name, until: Clocks.monotonic() + tracker.settle)
        } catch {
            // The store or the state folder failed; the input is still in place. Try again later.
            // The file may have been applied before the failure (say, it could not leave a
            // read-only drop folder): rebuild the exports anyway so that they follow the store.
            if outputsStaleSince == nil { outputsStaleSince = Clocks.monotonic() }
            failures += 1
            let delay = min(60, 1 << min(failures, 6))
            let unavailable = (error as? StoreError)?.isUnavailable == true
            storeTrouble =
                unavailable ? "store unavailable, \(tracker.count) file(s) waiting, retry in \(delay) s" : nil
            logger.error(
                "Can't process the file; will try again",
                metadata: ["file.name": "\(name)", "error": "\(error)", "retry.seconds": "\(delay)"])
            tracker.postpone(name, until: Clocks.monotonic() + UInt64(delay) * 1_000_000_000)
        }
    }

    private func refreshOutputs() async {
        let pipeline = self.pipeline
        let service = self.service
        let started = Clocks.monotonic()
        do {
            // Read before: a change made meanwhile by another agent is seen at the next look.
            let before = try await service.onWorker { try StoreStamp(service.store) }
            try await service.onWorker { try pipeline.refreshOutputs(checkpoint: service.keepGoing) }
            seenStamp = try await service.onWorker { try before.afterOwnRefresh(service.store) }
            lastRefreshNanoseconds = Clocks.monotonic() - started
            outputsStaleSince = nil
            logger.debug("Wrote the exports")
        } catch is MatchingStopped {
            logger.notice("Stopped the merge proposals pass; it runs again at the next start")
        } catch {
            logger.error("Can't write the exports; will try again", metadata: ["error": "\(error)"])
            nextDue = min(nextDue ?? .max, Clocks.monotonic() + 5_000_000_000)
        }
    }

    /// Applies decisions from edited proposal files, then refreshes proposals and exports when one
    /// was applied. Only files changed since the last look are read.
    ///
    /// Asked every two seconds; the folder is looked at no more often than ``nextLook(at:listing:)``
    /// allows, so that listing a large folder takes a small share of a core.
    func checkProposals() async {
        let started = Clocks.monotonic()
        guard started >= proposalsDue else { return }
        let changed = proposalFiles.changed(in: service.state.root + "/proposals")
        let finished = Clocks.monotonic()
        proposalsDue = Self.nextLook(at: finished, listing: finished - started)
        guard changed else { return }
        let desk = self.desk
        do {
            let decided = try await service.onWorker { try desk.applyFileDecisions().decided }
            if !decided.isEmpty {
                for line in decided { logger.info("Applied a proposal decision", metadata: ["decision": "\(line)"]) }
                await refreshOutputs()
            }
        } catch is MatchingStopped {
            logger.notice("Stopped the merge proposals pass; it runs again at the next start")
        } catch {
            logger.error("Can't apply proposal decisions; will try again", metadata: ["error": "\(error)"])
            proposalFiles.forget()
        }
    }

    /// When to look at the proposal files again, after a look that took `listing` nanoseconds:
    /// at the next two-second tick on a small folder, and after twenty times the listing on a
    /// large one. At 241,522 proposal files (`bench/proposals.sh 1000000`) a look takes about
    /// 0.3 s of CPU, which every two seconds kept a sixth of a core busy while the agent was idle;
    /// an edited decision is then applied within about seven seconds instead of two.
    static func nextLook(at now: UInt64, listing: UInt64) -> UInt64 {
        let (wait, overflow) = listing.multipliedReportingOverflow(by: 19)
        let (due, late) = now.addingReportingOverflow(wait)
        return overflow || late ? .max : due
    }

    /// Refreshes the outputs when the store changed since they were written, and nothing here
    /// changed it: another agent on the same store (PostgreSQL) or a command run beside the agent.
    /// Looked at every two seconds, so that is the delay until this host's exports and proposal
    /// files follow.
    func followStore() async {
        guard tracker.isEmpty, outputsStaleSince == nil, let seen = seenStamp else { return }
        let service = self.service
        do {
            let stamp = try await service.onWorker { try StoreStamp(service.store) }
            guard stamp != seen else { return }
            logger.info("The roster changed elsewhere; refreshing the outputs")
            try await refreshFollowingStore(from: stamp)
        } catch is MatchingStopped {
            logger.notice("Stopped the merge proposals pass; it runs again at the next start")
        } catch {
            logger.error("Can't follow the store's changes; will try again", metadata: ["error": "\(error)"])
        }
    }

    /// Refreshes the outputs, brings the proposal folder in line with the store (files for the
    /// proposals another agent opened or decided), and notes what the outputs now stand for.
    private func refreshFollowingStore(from before: StoreStamp) async throws {
        let pipeline = self.pipeline
        let service = self.service
        let desk = self.desk
        try await service.onWorker { try pipeline.refreshOutputs(checkpoint: service.keepGoing) }
        let followed = try await service.onWorker { try desk.followStore() }
        if followed.files > 0 {
            logger.info("Brought the proposal files in line with the store", metadata: ["files": "\(followed.files)"])
        }
        for line in followed.decided {
            logger.info("Applied a proposal decision", metadata: ["decision": "\(line)"])
        }
        if followed.decided.isEmpty {
            seenStamp = try await service.onWorker { try before.afterOwnRefresh(service.store) }
        } else {
            await refreshOutputs()  // the decisions changed the roster
        }
    }

    private var desk: ProposalDesk {
        ProposalDesk(state: service.state, store: service.store, placeholders: config.placeholderEmails, logger: logger)
    }

    /// Sends `STATUS=` with the backlog and the last file, and the store's trouble if any.
    func reportStatus() {
        var status = "Watching \(scanner.folder) (\(mode)); backlog \(tracker.count); last: \(lastFile)"
        if let storeTrouble { status += "; \(storeTrouble)" }
        service.notifier.status(status)
    }

    // MARK: - Reload

    /// Reads the config again (a bad one is logged and the old one kept), then rescans.
    func reload() async {
        service.notifier.reloading()
        defer { service.notifier.ready() }
        do {
            let fresh = try service.reloadConfig()
            if fresh.watchFolder != config.watchFolder || fresh.stateFolder != config.stateFolder
                || fresh.watch.pollSeconds != config.watch.pollSeconds
                || fresh.watch.rescanSeconds != config.watch.rescanSeconds
            {
                logger.warning("Folders, poll_seconds and rescan_seconds change only at a restart")
            }
            let store = service.store
            try await service.onWorker { try store.syncAttributeDefinitions(fresh.attributes) }
            config = fresh
            pipeline = Self.pipeline(service: service, config: fresh)
            ignore = IgnoreRules(patterns: fresh.watch.ignorePatterns)
            tracker.settle = UInt64(fresh.watch.settleMilliseconds) * 1_000_000
            tracker.scanQuiet = max(tracker.settle, 1_000_000_000)
            logger.info("Reloaded the configuration")
        } catch {
            logger.error("Can't reload the configuration; keeping the one in use", metadata: ["error": "\(error)"])
        }
        refused.removeAll()
        scan(reason: nil)
    }
}
