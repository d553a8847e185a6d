public import Foundation
public import Logging
public import RosterCore
public import RosterStore

#if canImport(Glibc)
    import Glibc
#endif

/// Merge proposals as files in `state/proposals/`: refreshed from the store, decided by editing
/// them or by `roster proposals accept|reject`, both through the same code.
///
/// A refresh first applies the decisions found in edited files, then matches the people changed
/// since the last pass (or, the first time, everyone), records the proposals (keeping ids stable)
/// and rewrites the files that changed. A file whose edit can't be read is left untouched, with
/// `P-….note.txt` beside it saying why.
public struct ProposalDesk: Sendable {
    public let state: StateLayout
    public let store: any RosterStore
    public let placeholders: [String]
    public var matcher = Matcher()
    private let logger: Logger
    private let now: @Sendable () -> Date

    public init(
        state: StateLayout, store: any RosterStore, placeholders: [String], logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.state = state
        self.store = store
        self.placeholders = placeholders
        self.logger = logger
        self.now = now
        matcher.threads = ProcessInfo.processInfo.activeProcessorCount
    }

    public var folder: String { state.root + "/proposals" }
    public var decidedFolder: String { folder + "/decided" }
    /// What the desk knows of the files in ``folder`` (``FileStamps``).
    public var stampsPath: String { state.root + "/proposals.stamps" }

    func path(_ id: ProposalID) -> String { "\(folder)/\(id).yaml" }
    func notePath(_ id: ProposalID) -> String { "\(folder)/\(id).note.txt" }

    /// What a refresh did.
    public struct Refresh: Sendable {
        public var decided: [String] = []
        public var sync = ProposalSync()
        /// Whether every person was matched, rather than the neighbourhood of the changed ones.
        public var full = false
        /// The people changed since the last pass (an incremental pass).
        public var changed = 0
        /// Who they are, when known: their open proposals' files show their names, emails and
        /// accounts, which may have changed while the proposals did not.
        var changedPeople = Set<PersonID>()
        /// The people matched: everyone, or the changed ones' neighbourhood.
        public var people = 0
        public var seconds = 0.0
        /// Of ``seconds``, the time a full pass spent rebuilding the blocking-key index.
        public var indexSeconds = 0.0
        /// Of ``seconds``, the time a full pass spent reading everyone and building their profiles.
        public var readSeconds = 0.0
        /// Of ``seconds``, the time an incremental refresh spent finding the neighbourhood.
        public var searchSeconds = 0.0
        /// Of ``seconds``, the time matching took (a full pass: with waiting for the index write).
        public var matchSeconds = 0.0
        /// Of ``matchSeconds`` in a full pass, the time of its steps.
        public var matchTimings = Matcher.Timings()
        /// Of ``seconds``, the time the recording transaction took.
        public var recordSeconds = 0.0
        /// Of ``seconds``, the time spent writing and filing proposal files.
        public var filesSeconds = 0.0
    }

    /// What the proposals and the blocking-key index were computed by, besides the people: when it
    /// differs from the one recorded with them (``OutputMarker/matchKeys``), the next refresh is a
    /// full pass. Covers the keys (``BlockingKeys/version``), the placeholder addresses profiles
    /// leave out, the matcher's limits and ``rulesVersion``.
    public var fingerprint: String {
        "keys \(BlockingKeys.version) rules \(Self.rulesVersion) blocks \(matcher.blockLimit) "
            + "strong \(matcher.strongThreshold) largest \(matcher.largestGroup) placeholders "
            + placeholders.joined(separator: " ")
    }

    /// Raise it whenever profiles, scores or grouping change in a way ``BlockingKeys/version`` does
    /// not cover: the proposals recorded by the old rules are then recomputed by one full pass
    /// instead of being kept until their people change.
    public static let rulesVersion = 3

    /// The most people an incremental refresh matches (the changed ones and those they reach, not
    /// counting the partners it only scores) before it gives up for a full pass: reading people one
    /// by one costs more than the full pass's one scan once a large part of the roster changed.
    static let neighbourhoodBudget = 20_000

    // MARK: - Refresh

    /// Applies edited decisions, then brings the proposals up to date and rewrites the changed files.
    ///
    /// Incremental when the store holds a blocking-key index recorded with the proposals by the same
    /// rules (``fingerprint``): only the people changed since and their neighbourhood are matched
    /// (``MatchNeighbourhood``), with the same result a full pass would give. Otherwise, or with
    /// `full`, every person is matched and the index is rebuilt.
    ///
    /// - Parameters:
    ///   - full: Match everyone, whatever the store holds.
    ///   - readingEveryFile: Apply the decisions of every edited proposal file first (a `stat` of
    ///     each file). Otherwise an incremental pass looks only at the files of the proposals it
    ///     could update or close, before recording: an edited one has every edit applied first and
    ///     the pass run again, so that no edit is overwritten; a full pass reads every file.
    ///   - checkpoint: Asked every few thousand steps of the matching pass; returning false abandons
    ///     the pass before it records anything (decisions already applied stay applied), and the next
    ///     refresh runs it again.
    /// - Throws: ``MatchingStopped`` when the checkpoint stopped the pass.
    @discardableResult
    public func refresh(full: Bool = false, readingEveryFile: Bool = true, checkpoint: () -> Bool = { true }) throws
        -> Refresh
    {
        let started = Date()
        try prepare()
        var result = Refresh()
        var stamps = FileStamps(folder: folder, path: stampsPath, listing: false)
        var decided: [String] = []
        var malformed = Set<ProposalID>()
        /// Lists the folder and applies every edited decision, once.
        func readEveryFile() throws {
            guard !stamps.listed else { return }
            stamps.listFolder()
            let read = try applyFileDecisions(stamps: &stamps)
            decided += read.decided
            malformed.formUnion(read.malformed)
        }
        if readingEveryFile { try readEveryFile() }
        var recorded: ProposalSync?
        // Another process may record a pass meanwhile (the marker is then not the one read): start
        // again from the marker it left, which covers what it matched. Once more when a file the
        // pass would rewrite was edited.
        for _ in 0..<4 where recorded == nil {
            let marker = try store.outputMarker(OutputMarker.matchKeys)
            if !full, let marker, marker.fingerprint == fingerprint {
                do {
                    recorded = try incremental(since: marker, into: &result, stamps: &stamps, checkpoint: checkpoint)
                } catch is FileEdited {
                    // Its decision first, on the proposal the admin saw; then match again.
                    try readEveryFile()
                } catch is MatchNeighbourhood.TooLarge {
                    // Most of the roster changed (a first large ingest): one full pass costs less.
                    // It may rewrite any file: every edit is read first.
                    try readEveryFile()
                    recorded = try fullPass(into: &result, checkpoint: checkpoint)
                    break
                }
            } else {
                try readEveryFile()
                // What changed since the last pass, for the files of proposals that stay the same.
                if let marker, marker.audit > 0 {
                    result.changedPeople = try store.peopleChanged(sinceAudit: marker.audit).people
                }
                recorded = try fullPass(into: &result, checkpoint: checkpoint)
                break
            }
        }
        result.decided = decided
        result.sync = recorded ?? ProposalSync()
        let filesStarted = Date()
        var changed = Set(result.sync.opened + result.sync.updated)
        // Up to as many people as an incremental pass takes: past that (a large ingest), reading
        // and rendering most open proposals again would cost more than the pass.
        if !result.changedPeople.isEmpty, result.changedPeople.count <= Self.neighbourhoodBudget {
            for proposal in try store.openProposals(touching: result.changedPeople) { changed.insert(proposal.id) }
        }
        // Many files at once (the first pass opens thousands): written without a sync each, then
        // made durable together. Each file is still replaced atomically.
        // The open proposals of the pass are exactly those opened, updated or unchanged; only the
        // changed ones, those of changed people and those without a file are loaded again (and
        // written only where the text differs).
        var written = 0
        let open = (result.sync.opened + result.sync.updated + result.sync.unchanged).sorted()
        stamps.recall(open)
        let due = open.filter { id in !malformed.contains(id) && (changed.contains(id) || !stamps.exists(id))
        }
        // Read a few hundred proposals and their people at a time, not one by one.
        for start in stride(from: 0, to: due.count, by: Self.readBatch) {
            let proposals = try store.proposals(Array(due[start..<min(start + Self.readBatch, due.count)]))
                .filter { $0.status == .open }
            let people = try people(of: proposals)
            for proposal in proposals {
                if try write(proposal, people: people, durable: false) { written += 1 }
                stamps.record(proposal.id)
            }
        }
        if written > 0 { try AtomicFile.syncFileSystem(of: folder) }
        // A file whose edit can't be read stays as the admin left it, with its note, as
        // `followStore` leaves it.
        for (id, _) in result.sync.closed where !malformed.contains(id) {
            if let proposal = try store.proposal(id) { try file(proposal, decision: "closed") }
        }
        stamps.save()
        result.seconds = Date().timeIntervalSince(started)
        result.filesSeconds = result.seconds - filesStarted.timeIntervalSince(started)
        var metadata: Logger.Metadata = [
            "pass": "\(result.full ? "full" : "incremental")", "people": "\(result.people)",
            "proposals.opened": "\(result.sync.opened.count)", "proposals.updated": "\(result.sync.updated.count)",
            "proposals.closed": "\(result.sync.closed.count)", "seconds": "\(LogTime.rounded(result.seconds))",
        ]
        metadata["match.seconds"] = "\(LogTime.rounded(result.matchSeconds))"
        metadata["record.seconds"] = "\(LogTime.rounded(result.recordSeconds))"
        metadata["files.seconds"] = "\(LogTime.rounded(result.filesSeconds))"
        if result.full {
            metadata["index.seconds"] = "\(LogTime.rounded(result.indexSeconds))"
            metadata["read.seconds"] = "\(LogTime.rounded(result.readSeconds))"
            metadata["match.scoring.seconds"] = "\(LogTime.seconds(result.matchTimings.scoring))"
            metadata["match.grouping.seconds"] = "\(LogTime.seconds(result.matchTimings.grouping))"
            metadata["match.drafting.seconds"] = "\(LogTime.seconds(result.matchTimings.drafting))"
        } else {
            metadata["people.changed"] = "\(result.changed)"
            metadata["search.seconds"] = "\(LogTime.rounded(result.searchSeconds))"
        }
        logger.info("Refreshed merge proposals", metadata: metadata)
        return result
    }

    /// Brings the folder in line with the store after another agent (or a command) changed it:
    /// a file for every open proposal, rewritten where its content differs, and the files of
    /// proposals decided or closed elsewhere moved to `decided/` with their outcome. Edited
    /// decisions in the folder are applied first.
    ///
    /// A refresh only writes what its own pass changed; when another agent on the same store ran
    /// the pass, this is what brings its proposals into this host's folder.
    ///
    /// - Returns: The decisions applied from files, and how many files were written or filed.
    public func followStore() throws -> (decided: [String], files: Int) {
        try prepare()
        var stamps = FileStamps(folder: folder, path: stampsPath)
        let (decided, malformed) = try applyFileDecisions(stamps: &stamps)
        var files = 0
        var open = Set<ProposalID>()
        let proposals = try store.openProposals().filter { !malformed.contains($0.id) }
        for start in stride(from: 0, to: proposals.count, by: Self.readBatch) {
            let batch = proposals[start..<min(start + Self.readBatch, proposals.count)]
            let people = try people(of: batch)
            for proposal in batch {
                open.insert(proposal.id)
                if try write(proposal, people: people, durable: false) {
                    files += 1
                    stamps.record(proposal.id)
                }
            }
        }
        if files > 0 { try AtomicFile.syncFileSystem(of: folder) }
        for id in stamps.presentIDs where !open.contains(id) {
            guard !malformed.contains(id), let proposal = try store.proposal(id), proposal.status != .open
            else { continue }
            try file(proposal, decision: proposal.status.rawValue)
            files += 1
        }
        stamps.save()
        return (decided, files)
    }

    /// Matches every person, rebuilds the blocking-key index and records both.
    ///
    /// - Returns: What the sync changed; nil when another pass was started or recorded meanwhile.
    private func fullPass(into result: inout Refresh, checkpoint: () -> Bool) throws -> ProposalSync? {
        result.full = true
        // After an ingest the store's caches and the allocator hold what applying the file used;
        // the pass's peak comes on top of whatever is held when it starts.
        store.releaseMemory()
        FreedMemory.release()
        // Read before the people: a change made while they are read is matched again next time.
        let latest = try store.latestAudit()
        let rejected = try store.rejectedPairs()
        // Profiles are built while the people are read (``ProfilePipeline``), a chunk at a time.
        let pipeline = ProfilePipeline(placeholderPatterns: placeholders, threads: matcher.threads)
        var chunk: [MatchPerson] = []
        var chunks = 0
        let readStarted = Date()
        do {
            try store.forEachMatchPerson {
                chunk.append($0)
                if chunk.count == 0x400 {
                    pipeline.add(chunk)
                    chunk = []
                    chunk.reserveCapacity(0x400)
                    chunks += 1
                    if chunks % 8 == 0, !checkpoint() { throw MatchingStopped() }
                }
            }
        } catch {
            pipeline.stop()
            throw error
        }
        pipeline.add(chunk)
        let everyone = pipeline.finish()
        result.readSeconds = Date().timeIntervalSince(readStarted)
        result.people = everyone.count
        // The keys once, for the index and the matching. The index is written on a thread of its
        // own while the pairs are scored: the sorted insert runs on one core, and scoring leaves
        // the other idle now and then (the 1,000,000-person pass of `bench/proposals.sh` spent 18 s
        // in the insert, then 50 s matching).
        // It keeps the audit row the proposals were last recorded at: should this pass stop
        // half-way, the next one still knows whose files to render again (`changedPeople`).
        let previous = try store.outputMarker(OutputMarker.matchKeys)
        let pending = OutputMarker(audit: previous?.audit ?? 0, fingerprint: "rebuilding \(UUID().uuidString)")
        let indexStarted = Date()
        var prepared = try matcher.prepare(everyone, checkpoint: checkpoint)
        if !checkpoint() { throw MatchingStopped() }
        // The keys (150 MB at 1,000,000 people) are freed as soon as they are written, not when
        // the pass ends.
        let entries = Handoff(MatchKeyEntries(keys: prepared.keys, ids: everyone.map(\.id)))
        prepared.keys = []
        let write = BackgroundWork(name: "roster: key index") { [store] in
            let started = Date()
            try store.rebuildMatchKeys(entries.take() ?? MatchKeyEntries([]), pending: pending)
            return Date().timeIntervalSince(started)
        }
        let keysSeconds = Date().timeIntervalSince(indexStarted)
        // With no index yet (the first pass of a store), or one from other rules or a pass that
        // stopped, the whole index is written, which took 12 s beside the scoring of 1,000,000
        // people: every key (150 MB) was then held while the scoring's table and edges grew, and
        // the ingest's pass peaked at 1,036–1,049 MB (KiB/1024). That write comes first. Other
        // passes read the index and change what differs, beside the scoring; one that
        // finds more than an eighth of it changed still rewrites it there.
        let written = previous?.fingerprint != fingerprint ? try write.wait() : nil
        let matchStarted = Date()
        // Given up, so that the matcher can free the blocks and the profiles it no longer needs (a
        // copy left here kept the blocks, 130 MB at 1,000,000 people, to the end of the pass).
        let drafts: [ProposalDraft]
        do {
            drafts = try matcher.proposals(
                prepared.take(), profiles: consume everyone, rejected: rejected, timings: &result.matchTimings,
                checkpoint: checkpoint)
        } catch {
            // Never leave with the write still running: the next pass would find it half done.
            result.indexSeconds = keysSeconds + (written ?? (try? write.wait()) ?? 0)
            throw error
        }
        FreedMemory.release()
        result.indexSeconds = keysSeconds + (try written ?? write.wait())
        let recordStarted = Date()
        result.matchSeconds = recordStarted.timeIntervalSince(matchStarted)
        defer { result.recordSeconds = Date().timeIntervalSince(recordStarted) }
        // Past this point nothing is abandoned: the proposals and their files are written together.
        return try store.recordMatchPass(
            drafts, scope: nil, keys: [:], marker: OutputMarker(audit: latest, fingerprint: fingerprint),
            expecting: pending, now: Timestamp.string(now()))
    }

    /// Matches the people changed since `marker` and their neighbourhood, and records the result
    /// with their new keys.
    ///
    /// - Returns: What the sync changed; nil when another pass was recorded meanwhile.
    ///
    /// - Parameter stamps: When the folder was not listed (its edits not applied), the files of the
    ///   open proposals the pass could update or close are looked at before recording it
    ///   (``FileStamps/look(at:)``), and ``FileEdited`` is thrown when one was edited.
    private func incremental(
        since marker: OutputMarker, into result: inout Refresh, stamps: inout FileStamps, checkpoint: () -> Bool
    ) throws -> ProposalSync? {
        result.full = false
        let (changed, latest) = try store.peopleChanged(sinceAudit: marker.audit)
        result.changed = changed.count
        // Kept for the files, should the neighbourhood be too large and a full pass run instead.
        result.changedPeople = changed
        guard latest != marker.audit else { return ProposalSync() }
        let searchStarted = Date()
        let rejected = try store.rejectedPairs()
        let neighbourhood = try MatchNeighbourhood(
            changed: changed, store: store, rejected: rejected, placeholders: placeholders,
            blockLimit: matcher.blockLimit, budget: Self.neighbourhoodBudget, checkpoint: checkpoint)
        result.people = neighbourhood.profiles.count
        let matchStarted = Date()
        result.searchSeconds = matchStarted.timeIntervalSince(searchStarted)
        var matcher = self.matcher
        matcher.commonKeys = neighbourhood.commonKeys
        let drafts = try matcher.proposals(neighbourhood.profiles, rejected: rejected, checkpoint: checkpoint)
        let recordStarted = Date()
        result.matchSeconds = recordStarted.timeIntervalSince(matchStarted)
        defer { result.recordSeconds = Date().timeIntervalSince(recordStarted) }
        logger.debug(
            "Matched the neighbourhood of the changed people",
            metadata: [
                "people.changed": "\(changed.count)", "people": "\(neighbourhood.profiles.count)",
                "pairs": "\(neighbourhood.pairsScored)",
            ])
        // The sync updates or closes only open proposals with someone in the scope.
        if !stamps.listed, stamps.look(at: try store.openProposals(touching: neighbourhood.scope).map(\.id)) {
            throw FileEdited()
        }
        return try store.recordMatchPass(
            drafts, scope: neighbourhood.scope, keys: neighbourhood.keys,
            marker: OutputMarker(audit: latest, fingerprint: fingerprint), expecting: marker,
            now: Timestamp.string(now()))
    }

    /// A file of a proposal that a pass would rewrite or close was edited since Roster wrote it.
    private struct FileEdited: Error {}

    func prepare() throws {
        for path in [folder, decidedFolder] where access(path, F_OK) != 0 {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
    }

    // MARK: - Decisions

    /// Reads the proposal files edited since Roster wrote or last read them, and applies the
    /// decided ones.
    ///
    /// - Returns: One line per decision applied, and the proposals whose files could not be read.
    public func applyFileDecisions() throws -> (decided: [String], malformed: Set<ProposalID>) {
        var stamps = FileStamps(folder: folder, path: stampsPath)
        let result = try applyFileDecisions(stamps: &stamps)
        stamps.save()
        return result
    }

    /// Reads the files whose stamp (size, modification time, inode) is not the one recorded when
    /// the desk wrote the file or last read it as pending; a file left as it was is not parsed again.
    func applyFileDecisions(stamps: inout FileStamps) throws -> (decided: [String], malformed: Set<ProposalID>) {
        try prepare()
        var decided: [String] = []
        var malformed = Set<ProposalID>()
        for id in stamps.changed() {
            let name = FileStamps.fileName(id)
            let stamp = stamps.current(id)
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)") else { continue }
            let text = String(decoding: data, as: UTF8.self)
            let decision: ProposalFile.Decision
            do {
                decision = try ProposalFile.decision(in: text)
            } catch {
                malformed.insert(id)
                try note(
                    id,
                    "Roster could not read \(name): \(error.message)\nNothing was changed. Fix the file and save it again.\n"
                )
                continue
            }
            removeNote(id)
            guard let proposal = try store.proposal(id) else { continue }
            guard proposal.status == .open else {
                // Its decision comes too late: said in the log, and in the filed copy's outcome.
                try file(proposal, decision: proposal.status.rawValue)
                logger.info(
                    "An edited proposal file was decided or closed already; filed with its outcome",
                    metadata: [
                        "proposal.id": "\(id)", "proposal.status": "\(proposal.status.rawValue)",
                        "proposal.outcome": "\(proposal.outcome ?? "")",
                    ])
                continue
            }
            switch decision {
            case .pending:
                if let stamp { stamps.record(id, stamp) }
                continue
            case .accept(let survivor):
                do {
                    let outcome = try accept(
                        id, survivor: survivor == proposal.draft.survivor ? nil : survivor, by: "file")
                    decided.append(Self.line(outcome))
                } catch let error as StoreError {
                    malformed.insert(id)
                    try note(id, "Roster could not accept \(id): \(error)\nNothing was changed.\n")
                }
            case .reject:
                try reject(id, by: "file")
                decided.append("\(id): rejected")
            }
        }
        return (decided, malformed)
    }

    /// Accepts a proposal, merges its people and files it under `decided/`.
    @discardableResult
    public func accept(_ id: ProposalID, survivor: PersonID? = nil, by: String) throws -> MergeOutcome {
        let before = try store.proposal(id)
        let people = try before.map { try store.matchPeople($0.draft.people) } ?? []
        let outcome = try store.accept(id, survivor: survivor, decidedBy: by, now: Timestamp.string(now()))
        if var proposal = try store.proposal(id) {
            proposal.draft.survivor = outcome.survivor
            let notes = outcome.notes.isEmpty ? "" : " Notes: " + outcome.notes.joined(separator: "; ")
            proposal.outcome = (proposal.outcome ?? "") + notes
            try file(proposal, decision: "accept", people: people)
        }
        logger.info("Accepted merge proposal", metadata: ["proposal.id": "\(id)", "person.id": "\(outcome.survivor)"])
        return outcome
    }

    /// Rejects a proposal and files it under `decided/`.
    public func reject(_ id: ProposalID, by: String) throws {
        let before = try store.proposal(id)
        let people = try before.map { try store.matchPeople($0.draft.people) } ?? []
        let proposal = try store.reject(id, decidedBy: by, now: Timestamp.string(now()))
        try file(proposal, decision: "reject", people: people)
        logger.info("Rejected merge proposal", metadata: ["proposal.id": "\(id)"])
    }

    /// One line for a merge, as the commands print it.
    public static func line(_ outcome: MergeOutcome) -> String {
        var line =
            "\(outcome.proposal): merged \(outcome.merged.map(\.description).joined(separator: ", ")) into \(outcome.survivor)"
        if !outcome.notes.isEmpty { line += " (" + outcome.notes.joined(separator: "; ") + ")" }
        return line
    }

    // MARK: - Files

    /// Writes the open proposal's file, unless it says the same already.
    ///
    /// - Returns: Whether the file was written.
    @discardableResult
    func write(_ proposal: StoredProposal, durable: Bool = true) throws -> Bool {
        try write(proposal, people: people(of: [proposal]), durable: durable)
    }

    /// Writes the open proposal's file from people read beforehand, unless it says the same already.
    private func write(_ proposal: StoredProposal, people: [PersonID: MatchPerson], durable: Bool) throws -> Bool {
        let people = proposal.draft.people.compactMap { people[$0] }
        let text = ProposalFile.render(proposal, people: people)
        let target = path(proposal.id)
        if let existing = FileManager.default.contents(atPath: target), existing == Data(text.utf8) { return false }
        try AtomicFile.write(target, bytes: Array(text.utf8), durable: durable)
        return true
    }

    /// How many proposals are read from the store at a time to write their files.
    static let readBatch = 256

    /// The people of these proposals, by id, read in one go.
    private func people(of proposals: some Sequence<StoredProposal>) throws -> [PersonID: MatchPerson] {
        var ids = Set<PersonID>()
        for proposal in proposals { ids.formUnion(proposal.draft.people) }
        let people = try store.matchPeople(ids.sorted())
        return Dictionary(people.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Moves a decided or closed proposal to `decided/` with its outcome.
    func file(_ proposal: StoredProposal, decision: String, people: [MatchPerson]? = nil) throws {
        let people = try people ?? store.matchPeople(proposal.draft.people)
        let text = ProposalFile.render(proposal, people: people, decision: decision)
        try AtomicFile.write("\(decidedFolder)/\(proposal.id).yaml", bytes: Array(text.utf8))
        unlink(path(proposal.id))
        removeNote(proposal.id)
    }

    private func note(_ id: ProposalID, _ text: String) throws {
        if let existing = FileManager.default.contents(atPath: notePath(id)), existing == Data(text.utf8) { return }
        try AtomicFile.write(notePath(id), bytes: Array(text.utf8))
        logger.warning("Can't read an edited proposal file", metadata: ["proposal.id": "\(id)"])
    }

    private func removeNote(_ id: ProposalID) {
        unlink(notePath(id))
    }
}
