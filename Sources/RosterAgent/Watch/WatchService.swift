import Dispatch
import Foundation
public import Logging
public import RosterCore
public import RosterStore
public import ServiceLifecycle
import Synchronization
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// The agent: watches the drop folder and feeds settled files to the ``Pipeline``, one at a time,
/// in arrival order.
///
/// Start-up order: rebuild the outputs from the store (repairs a crash between a commit and the
/// exports), set the watch, scan the folder, then send `READY=1`. inotify events arrive from the
/// watcher's own thread over an `AsyncStream`; overflow, a re-created folder, SIGHUP and a slow
/// timer lead to a rescan. Ingests run on a dedicated serial queue so that a long file never holds
/// a thread of the small cooperative pool. On graceful shutdown no new file is taken, the one in
/// hand is finished or rolled back, and `run()` returns.
public final class WatchService: Service {
    /// How the folder is watched.
    public enum Mode: Sendable, Equatable, CustomStringConvertible {
        case inotify
        case poll(seconds: Double)

        public var description: String {
            switch self {
            case .inotify: "inotify"
            case .poll(let seconds): "polling every \(seconds) s"
            }
        }
    }

    let folder: String
    let state: StateLayout
    let store: any RosterStore
    let initialConfig: RosterConfig
    let pollSeconds: Double?
    let reloadConfig: @Sendable () throws -> RosterConfig
    let notifier: SystemdNotifier
    let logger: Logger

    private let stopping = Atomic<Bool>(false)
    /// Rows read plus files finished; the watchdog pings while it moves or nothing is in hand.
    private let progress = Atomic<Int>(0)
    private let busySince = Mutex<ContinuousClock.Instant?>(nil)
    private let worker = DispatchQueue(label: "roster.pipeline")

    /// - Parameters:
    ///   - folder: The drop folder; it must exist.
    ///   - pollSeconds: Poll instead of inotify (from `--poll`); overrides the config.
    ///   - reloadConfig: Reads the config again, on SIGHUP.
    public init(
        folder: String, state: StateLayout, store: any RosterStore, config: RosterConfig, pollSeconds: Double?,
        reloadConfig: @escaping @Sendable () throws -> RosterConfig, notifier: SystemdNotifier, logger: Logger
    ) {
        self.folder = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        self.state = state
        self.store = store
        self.initialConfig = config
        self.pollSeconds = pollSeconds
        self.reloadConfig = reloadConfig
        self.notifier = notifier
        self.logger = logger
    }

    /// What reaches the main loop.
    enum Input: Sendable {
        case watch(WatchEvent)
        case tick
        case rescanTimer
        /// Time to look for decisions in edited proposal files.
        case proposalsTimer
        case reload
        case stop
    }

    public func run() async throws {
        let scanner = DropFolderScanner(folder: folder)
        let remote = InotifyWatcher.remoteFileSystem(folder)
        let mode: Mode
        if let seconds = pollSeconds ?? initialConfig.watch.pollSeconds {
            mode = .poll(seconds: seconds)
        } else if let remote {
            mode = .poll(seconds: 2)
            logger.notice(
                "The drop folder is on a network file system, where inotify misses other hosts' writes: polling",
                metadata: ["fs.type": "\(remote)", "poll.seconds": "2"])
        } else {
            mode = .inotify
        }

        let loop = WatchLoop(service: self, config: initialConfig, mode: mode, scanner: scanner)
        try await loop.repairOutputs()
        // The store file as opened: if it is deleted or replaced (the state folder removed, a
        // restore copied over it), writes would go to a file nobody can see any more.
        let storeFile = state.store.sqlitePath.flatMap { FileSignature.of($0) }
        var failure: (any Error)?

        let (inputs, continuation) = AsyncStream.makeStream(of: Input.self)
        let watcher = InotifyWatcher()
        if mode == .inotify {
            let limits = InotifyWatcher.limits()
            logger.info(
                "inotify limits",
                metadata: [
                    "fs.inotify.max_user_watches": "\(limits.maxUserWatches)",
                    "fs.inotify.max_user_instances": "\(limits.maxUserInstances)",
                    "fs.inotify.max_queued_events": "\(limits.maxQueuedEvents)",
                ])
            try watcher.start(folder: folder) { continuation.yield(.watch($0)) }
        }
        defer { watcher.stop() }

        loop.scan(reason: nil)
        logger.info("Watching the drop folder", metadata: ["watch.path": "\(folder)", "watch.mode": "\(mode)"])
        notifier.ready()
        loop.reportStatus()
        continuation.yield(.tick)

        let rescanEvery: Double
        switch mode {
        case .inotify: rescanEvery = initialConfig.watch.rescanSeconds
        case .poll(let seconds): rescanEvery = seconds
        }

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.watchdogLoop() }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(Int(rescanEvery * 1000)))
                        if Task.isCancelled { break }
                        continuation.yield(.rescanTimer)
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(2))
                        if Task.isCancelled { break }
                        continuation.yield(.proposalsTimer)
                    }
                }
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        continuation.yield(.reload)
                    }
                }
                var tickDue: UInt64?
                for await input in inputs {
                    if stopping.load(ordering: .acquiring) { break }
                    switch input {
                    case .stop:
                        break
                    case .watch(.file(let name)):
                        loop.consider(name, origin: .event)
                    case .watch(.created(let name)):
                        loop.noticeCreated(name)
                    case .watch(.rescan(let reason)):
                        loop.scan(reason: reason)
                    case .watch(.folderGone):
                        logger.warning(
                            "The drop folder was removed or renamed; waiting for it to come back",
                            metadata: ["watch.path": "\(folder)"])
                    case .rescanTimer:
                        loop.scan(reason: nil)
                    case .proposalsTimer:
                        if let storeFile, let database = state.store.sqlitePath,
                            let lost = StateGone.check(database, opened: storeFile)
                        {
                            failure = lost
                            break
                        }
                        await loop.checkProposals()
                        await loop.followStore()
                    case .reload:
                        await loop.reload()
                    case .tick:
                        tickDue = nil
                        await loop.processSettled()
                    }
                    if stopping.load(ordering: .acquiring) || failure != nil { break }
                    // Wake up when the next file may have settled.
                    if let due = loop.nextDue, tickDue.map({ due < $0 }) ?? true {
                        tickDue = due
                        let now = Clocks.monotonic()
                        if due <= now {
                            continuation.yield(.tick)
                        } else {
                            group.addTask {
                                try? await Task.sleep(for: .nanoseconds(Int64(due - now)))
                                continuation.yield(.tick)
                            }
                        }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
            self.notifier.stopping()
            continuation.yield(.stop)
        }
        if let failure {
            logger.critical("Stopping: \(failure)")
            throw failure
        }
        logger.info("Stopped watching", metadata: ["watch.path": "\(folder)"])
    }

    /// Sends `WATCHDOG=1` every half `WATCHDOG_USEC` while the pipeline is idle or making progress.
    private func watchdogLoop() async {
        guard let interval = notifier.watchdogInterval else { return }
        var lastProgress = progress.load(ordering: .relaxed)
        while !Task.isCancelled {
            let current = progress.load(ordering: .relaxed)
            let since = busySince.withLock { $0 }
            let healthy = since == nil || current != lastProgress || ContinuousClock.now - since! < interval * 2
            if healthy {
                notifier.watchdog()
            } else {
                logger.warning("The pipeline makes no progress; not notifying the watchdog")
            }
            lastProgress = current
            try? await Task.sleep(for: interval)
        }
    }

    /// Runs `body` on the pipeline's own thread.
    func onWorker<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            worker.async { continuation.resume(with: Result { try body() }) }
        }
    }

    func markBusy(_ busy: Bool) {
        busySince.withLock { $0 = busy ? ContinuousClock.now : nil }
    }

    func madeProgress() {
        progress.add(1, ordering: .relaxed)
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// For the checkpoints of long work: counts as progress for the watchdog, and says whether to go on.
    @Sendable func keepGoing() -> Bool {
        madeProgress()
        return !isStopping
    }
}

/// Monotonic and wall clocks in nanoseconds.
enum Clocks {
    static func monotonic() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func wall() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

/// The store file the agent opened was deleted or replaced under it.
struct StateGone: Error, CustomStringConvertible {
    var path: String
    var replaced: Bool

    var description: String {
        replaced
            ? "the store \(path) was replaced while the agent had it open; restart the agent to use the new one"
            : "the store \(path) was deleted while the agent had it open (was the state folder removed?); "
                + "restart the agent to start a new one, or restore the state folder from a backup first"
    }

    /// The problem, if the file at `path` is no longer the one opened.
    static func check(_ path: String, opened: FileSignature) -> StateGone? {
        guard let now = FileSignature.of(path) else { return StateGone(path: path, replaced: false) }
        if now.device != opened.device || now.inode != opened.inode { return StateGone(path: path, replaced: true) }
        return nil
    }
}
