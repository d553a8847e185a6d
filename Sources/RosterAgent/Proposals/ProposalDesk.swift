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
/// A refresh first applies the decisions found in edited files, then runs matching over the whole
/// roster, records the proposals (keeping ids stable) and rewrites the files that changed. A file
/// whose edit can't be read is left untouched, with `P-….note.txt` beside it saying why.
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
        public var people = 0
        public var seconds = 0.0
    }

    // MARK: - Refresh

    /// Applies edited decisions, then recomputes every proposal and rewrites the changed files.
    ///
    /// - Parameter checkpoint: Asked every few thousand steps of the matching pass; returning false
    ///   abandons the pass before it records anything (decisions already applied stay applied), and
    ///   the next refresh runs it again.
    /// - Throws: ``MatchingStopped`` when the checkpoint stopped the pass.
    @discardableResult
    public func refresh(checkpoint: () -> Bool = { true }) throws -> Refresh {
        let started = Date()
        try prepare()
        var result = Refresh()
        var stamps = FileStamps(folder: folder, path: stampsPath)
        let (decided, malformed) = try applyFileDecisions(stamps: &stamps)
        result.decided = decided
        let rejected = try store.rejectedPairs()
        var profiles: [MatchProfile] = []
        try store.forEachMatchPerson {
            if profiles.count & 0xFFF == 0, !checkpoint() { throw MatchingStopped() }
            profiles.append(MatchProfile($0, placeholderPatterns: placeholders))
        }
        result.people = profiles.count
        let drafts = try matcher.proposals(profiles, rejected: rejected, checkpoint: checkpoint)
        profiles = []
        // Past this point nothing is abandoned: the proposals and their files are written together.
        let stamp = Timestamp.string(now())
        result.sync = try store.syncProposals(drafts, scope: nil, now: stamp)
        let changed = Set(result.sync.opened + result.sync.updated)
        // Many files at once (the first pass opens thousands): written without a sync each, then
        // made durable together. Each file is still replaced atomically.
        // After a full pass, the open proposals are exactly those opened, updated or unchanged;
        // only the changed ones and those without a file are loaded again.
        var written = 0
        let open = (result.sync.opened + result.sync.updated + result.sync.unchanged).sorted()
        for id in open where !malformed.contains(id) {
            let name = "\(id).yaml"
            guard changed.contains(id) || !stamps.exists(name), let proposal = try store.proposal(id),
                proposal.status == .open
            else { continue }
            if try write(proposal, durable: false) { written += 1 }
            stamps.record(name)
        }
        if written > 0 { try AtomicFile.syncFileSystem(of: folder) }
        for (id, _) in result.sync.closed {
            if let proposal = try store.proposal(id) { try file(proposal, decision: "closed") }
        }
        stamps.save()
        result.seconds = Date().timeIntervalSince(started)
        logger.info(
            "Refreshed merge proposals",
            metadata: [
                "people": "\(result.people)", "proposals.opened": "\(result.sync.opened.count)",
                "proposals.updated": "\(result.sync.updated.count)", "proposals.closed": "\(result.sync.closed.count)",
                "seconds": "\(result.seconds)",
            ])
        return result
    }

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
        for name in stamps.changedNames() {
            guard let id = ProposalID(parsing: name.dropLast(5)) else { continue }
            let stamp = stamps.current(name)
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
                try file(proposal, decision: proposal.status.rawValue)
                continue
            }
            switch decision {
            case .pending:
                if let stamp { stamps.record(name, stamp) }
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
        let people = try store.matchPeople(proposal.draft.people)
        let text = ProposalFile.render(proposal, people: people)
        let target = path(proposal.id)
        if let existing = FileManager.default.contents(atPath: target), existing == Data(text.utf8) { return false }
        try AtomicFile.write(target, bytes: Array(text.utf8), durable: durable)
        return true
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
