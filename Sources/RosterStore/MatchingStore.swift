public import RosterCore

/// What merge proposals, merges and explanations need of a store.
///
/// Part of ``RosterStore``, so that another engine (PostgreSQL) implements the same. Every write is
/// one transaction that also writes its audit rows.
public protocol MatchingStore: Sendable {
    /// Calls `each` for every person, in id order, as matching sees it.
    func forEachMatchPerson(_ each: (MatchPerson) throws -> Void) throws

    /// Frees what the store cached (pages of its connections), before a full pass.
    func releaseMemory()

    /// These people as matching sees them; unknown ids are left out.
    func matchPeople(_ ids: [PersonID]) throws -> [MatchPerson]

    /// The people changed (by ingest or decision) since the given audit id, and the latest audit id.
    ///
    /// Includes the people something left (an account that moved, a merged person who is gone
    /// now, the survivor of an unmerge) and every person of a rejected proposal.
    func peopleChanged(sinceAudit: Int64) throws -> (people: Set<PersonID>, latestAudit: Int64)

    /// Rejected pairs, with merged ids resolved to their survivors.
    func rejectedPairs() throws -> Set<PersonPair>

    /// Records a new matching pass: open proposals that `drafts` match (same people, else the most
    /// overlap) are updated, new ones opened, and open ones within `scope` (all when nil) that no
    /// draft matches are closed with the reason. With a scope, the drafts' people must lie within
    /// it: only the open proposals that have one of its people are read.
    func syncProposals(_ drafts: [ProposalDraft], scope: Set<PersonID>?, now: String) throws -> ProposalSync

    /// Open proposals, by id.
    func openProposals() throws -> [StoredProposal]

    func proposal(_ id: ProposalID) throws -> StoredProposal?

    /// These proposals, in id order; unknown ids are left out.
    func proposals(_ ids: [ProposalID]) throws -> [StoredProposal]

    /// Accepts an open proposal: merges its people into the survivor in one transaction.
    ///
    /// - Parameter survivor: Overrides the proposed survivor; must be one of the people.
    /// - Throws: ``StoreError`` when the proposal is not open or the survivor is not one of its people.
    func accept(_ id: ProposalID, survivor: PersonID?, decidedBy: String, now: String) throws -> MergeOutcome

    /// Rejects an open proposal; its pairs are never proposed again.
    func reject(_ id: ProposalID, decidedBy: String, now: String) throws -> StoredProposal

    /// Restores the people of a merge as they were before it, reporting what changed since.
    ///
    /// - Parameter target: A proposal id or a merged person's id.
    func unmerge(_ target: UnmergeTarget, now: String) throws -> UnmergeOutcome

    /// The person an id stands for now: itself, or the survivor it was merged into; nil if unknown.
    func resolve(_ id: PersonID) throws -> PersonID?

    /// Why each account of a person is there, from the audit log.
    func explain(_ subject: ExplainSubject) throws -> Explanation?

    // MARK: Incremental matching

    /// The blocking keys of these people as the index holds them; people without any are left out.
    ///
    /// The index is the one the last recorded pass left (``OutputMarker/matchKeys``): it reflects
    /// each person as of that pass, so it gives the keys changed people had before their change.
    func matchKeys(of people: [PersonID]) throws -> [PersonID: [UInt64]]

    /// The people holding each key in the index, in id order, at most `limit(hash)` of them (as
    /// many means as many or more).
    func matchKeyHolders(_ hashes: [UInt64], atMost limit: (UInt64) -> Int) throws -> [UInt64: [PersonID]]

    /// Replaces the whole index with `keys`, and sets the ``OutputMarker/matchKeys`` marker to
    /// `pending` in the same transaction, so that no refresh trusts the new index before a pass is
    /// recorded against it (``recordMatchPass(_:scope:keys:marker:expecting:now:)`` expecting `pending`).
    func rebuildMatchKeys(_ keys: MatchKeyEntries, pending: OutputMarker) throws

    /// The open proposals that have at least one of these people, by id.
    func openProposals(touching people: Set<PersonID>) throws -> [StoredProposal]

    /// Records a matching pass in one transaction: the keys of `keys`' people replaced (an empty
    /// list for a person gone), the proposals synced as ``syncProposals(_:scope:now:)`` does, and the
    /// ``OutputMarker/matchKeys`` marker set to `marker` — unless the marker is no longer `expected`
    /// (another pass was recorded or started since), in which case nothing is written.
    ///
    /// - Returns: What the sync changed; nil when nothing was written.
    func recordMatchPass(
        _ drafts: [ProposalDraft], scope: Set<PersonID>?, keys: [PersonID: [UInt64]], marker: OutputMarker,
        expecting expected: OutputMarker?, now: String
    ) throws -> ProposalSync?
}

/// A proposal as the store keeps it.
public struct StoredProposal: Sendable, Equatable {
    public enum Status: String, Sendable {
        case open, accepted, rejected, closed
    }

    public var id: ProposalID
    public var status: Status
    public var draft: ProposalDraft
    /// Why it was closed or how it was decided.
    public var outcome: String?
    public var updatedAt: String

    public init(id: ProposalID, status: Status, draft: ProposalDraft, outcome: String?, updatedAt: String) {
        self.id = id
        self.status = status
        self.draft = draft
        self.outcome = outcome
        self.updatedAt = updatedAt
    }
}

/// What ``MatchingStore/syncProposals(_:scope:now:)`` changed.
public struct ProposalSync: Sendable, Equatable {
    public var opened: [ProposalID] = []
    public var updated: [ProposalID] = []
    public var unchanged: [ProposalID] = []
    /// Closed as moot, with the reason.
    public var closed: [(id: ProposalID, reason: String)] = []

    public init() {}

    public static func == (lhs: ProposalSync, rhs: ProposalSync) -> Bool {
        lhs.opened == rhs.opened && lhs.updated == rhs.updated && lhs.unchanged == rhs.unchanged
            && lhs.closed.map(\.id) == rhs.closed.map(\.id) && lhs.closed.map(\.reason) == rhs.closed.map(\.reason)
    }
}

/// The result of an accepted proposal.
public struct MergeOutcome: Sendable, Equatable {
    public var proposal: ProposalID
    public var survivor: PersonID
    public var merged: [PersonID]
    /// Attribute conflicts (the survivor's value kept) and other notes.
    public var notes: [String]

    public init(proposal: ProposalID, survivor: PersonID, merged: [PersonID], notes: [String]) {
        self.proposal = proposal
        self.survivor = survivor
        self.merged = merged
        self.notes = notes
    }
}

/// What to unmerge.
public enum UnmergeTarget: Sendable, Equatable {
    case proposal(ProposalID)
    case person(PersonID)
}

/// The result of an unmerge.
public struct UnmergeOutcome: Sendable, Equatable {
    public var proposal: ProposalID?
    public var survivor: PersonID
    public var restored: [PersonID]
    /// What had changed since the merge and could not be put back exactly.
    public var changedSince: [String]

    public init(proposal: ProposalID?, survivor: PersonID, restored: [PersonID], changedSince: [String]) {
        self.proposal = proposal
        self.survivor = survivor
        self.restored = restored
        self.changedSince = changedSince
    }
}

/// What `roster explain` is asked about.
public enum ExplainSubject: Sendable, Equatable {
    case email(String)
    case person(PersonID)
    case account(AccountKey)
}

/// Why a person's accounts are theirs.
public struct Explanation: Sendable, Equatable {
    public var person: PersonID
    public var name: String
    /// Set when the id asked about was merged into ``person``.
    public var aliasOf: PersonID?
    public var emails: [String]
    public var accounts: [AccountHistory]

    public init(person: PersonID, name: String, aliasOf: PersonID?, emails: [String], accounts: [AccountHistory]) {
        self.person = person
        self.name = name
        self.aliasOf = aliasOf
        self.emails = emails
        self.accounts = accounts
    }
}

/// One account and the audit entries that placed it.
public struct AccountHistory: Sendable, Equatable {
    public var key: AccountKey
    public var pinned: Bool
    /// Oldest first: `file line N: rule`.
    public var steps: [String]

    public init(key: AccountKey, pinned: Bool, steps: [String]) {
        self.key = key
        self.pinned = pinned
        self.steps = steps
    }
}

extension MatchingStore {
    /// Frees what the store cached, before a full pass; nothing by default.
    public func releaseMemory() {}

    /// ``rebuildMatchKeys(_:pending:)`` with the entries as a list.
    public func rebuildMatchKeys(_ keys: [MatchKeyEntry], pending: OutputMarker) throws {
        try rebuildMatchKeys(MatchKeyEntries(keys), pending: pending)
    }
}
