public import RosterCore

/// The canonical user store, as the pipeline and the commands use it.
///
/// SQLite (``SQLiteStore``) is the embedded default. The protocol keeps the pipeline independent of
/// the engine so that a server database can serve several agents with one roster.
public protocol RosterStore: MatchingStore {
    /// The journal entry of an applied file with these contents, if there is one.
    func appliedIngest(sha256: String) throws -> JournalEntry?

    /// Applies one file in one transaction that also writes its journal row.
    ///
    /// `body` plans and applies the file through the ledger and returns its verdict: the
    /// transaction commits on ``FileVerdict/apply(_:)`` and rolls back on ``FileVerdict/reject(_:)``
    /// or a thrown error, leaving the store as it was. When a file with the same sha256 was applied
    /// before, `body` is not called.
    func apply(_ file: IngestFile, _ body: (inout any RosterLedger) throws -> FileVerdict) throws -> ApplyResult

    /// Records a refused file in the journal.
    func recordRejection(_ file: IngestFile, summary: IngestSummary) throws

    /// Stores the declared attribute definitions.
    func syncAttributeDefinitions(_ attributes: [AttributeDefinition]) throws

    /// Calls `each` for every person, in id order, with everything the users export shows.
    func forEachPerson(_ each: (ExportedPerson) throws -> Void) throws

    /// Calls `each` for every account, sorted by integration and account id.
    func forEachAccount(_ each: (ExportedAccount) throws -> Void) throws

    /// The integration instances that have accounts, sorted.
    func integrations() throws -> [String]

    /// Counts for `roster status`.
    func status() throws -> StoreStatus

    /// The marker of the output called `name`, if it has one (``OutputMarker``).
    func outputMarker(_ name: String) throws -> OutputMarker?

    /// Saves (or, with nil, forgets) the marker of the output called `name`.
    func setOutputMarker(_ name: String, to marker: OutputMarker?) throws

    /// The id of the newest audit row, 0 when there is none.
    func latestAudit() throws -> Int64

    /// These people with everything the users export shows, in id order; unknown ids (people
    /// merged away) are left out.
    func exportedPeople(_ ids: [PersonID]) throws -> [ExportedPerson]

    /// What the users and accounts exports need to take in the changes after audit row `audit`,
    /// read in one transaction; nil when more than `limit` people changed.
    func exportChanges(sinceAudit audit: Int64, atMost limit: Int) throws -> ExportChanges?

    /// The stored org units (by name) of each of these people who is a member of any.
    func orgUnitMemberships(of ids: [PersonID]) throws -> [PersonID: Set<String>]

    /// The stored members of the org unit called `unit`, in id order.
    func orgUnitMembers(_ unit: String) throws -> [PersonID]

    /// The stored state of each org unit's member file, by unit name.
    func orgUnitFiles() throws -> [String: OrgUnitFileState]

    /// Notes that the member files of these units are about to be written ahead of the stored
    /// memberships, so that a stop before ``saveOrgUnitMembers(_:marker:)`` is repaired next time.
    func markOrgUnitFilesPending(_ units: [String]) throws

    /// Saves memberships and the `org-units` output marker in one transaction, and clears every
    /// pending mark: called once the member files hold them.
    func saveOrgUnitMembers(_ change: OrgUnitMembersChange, marker: OutputMarker) throws
}

/// A file about to be applied.
public struct IngestFile: Sendable {
    public var sha256: String
    public var fileName: String
    public var kind: String
    /// When processing started, as an ISO-8601 UTC timestamp.
    public var startedAt: String

    public init(sha256: String, fileName: String, kind: String, startedAt: String) {
        self.sha256 = sha256
        self.fileName = fileName
        self.kind = kind
        self.startedAt = startedAt
    }
}

/// What the pipeline decided about a file after planning it.
public enum FileVerdict: Sendable {
    case apply(IngestSummary)
    case reject(IngestSummary)
}

/// The outcome of ``RosterStore/apply(_:_:)``.
public enum ApplyResult: Sendable, Equatable {
    case applied(ingestID: Int64)
    case alreadyApplied(JournalEntry)
    case rejected
}

/// One row of the ingest journal.
public struct JournalEntry: Sendable, Equatable {
    public var id: Int64
    public var sha256: String
    public var fileName: String
    public var kind: String
    public var outcome: String
    public var finishedAt: String

    public init(id: Int64, sha256: String, fileName: String, kind: String, outcome: String, finishedAt: String) {
        self.id = id
        self.sha256 = sha256
        self.fileName = fileName
        self.kind = kind
        self.outcome = outcome
        self.finishedAt = finishedAt
    }
}

/// A person as the users export writes it.
public struct ExportedPerson: Sendable, Equatable {
    public var id: PersonID
    public var name: String
    public var primaryEmail: String?
    public var otherEmails: [String]
    /// Account ids by integration instance, each list sorted.
    public var accounts: [String: [String]]
    public var attributes: [String: String]

    public init(
        id: PersonID, name: String, primaryEmail: String?, otherEmails: [String] = [],
        accounts: [String: [String]] = [:], attributes: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.primaryEmail = primaryEmail
        self.otherEmails = otherEmails
        self.accounts = accounts
        self.attributes = attributes
    }
}

/// An account as the accounts export writes it.
public struct ExportedAccount: Sendable, Equatable {
    public var key: AccountKey
    public var person: PersonID
    public var fields: AccountFields

    public init(key: AccountKey, person: PersonID, fields: AccountFields) {
        self.key = key
        self.person = person
        self.fields = fields
    }
}

/// The people changed since an audit row, as the exports show them (``RosterStore/exportChanges(sinceAudit:atMost:)``).
public struct ExportChanges: Sendable {
    /// The newest audit row read: the exports reflect everything up to it once these are in.
    public var latestAudit: Int64
    /// Everyone changed, sorted, those merged away included.
    public var changed: [PersonID]
    /// Those of `changed` who still exist, in id order.
    public var people: [ExportedPerson]
    /// Their accounts, in the accounts export's order (integration, then account id, byte-wise).
    public var accounts: [ExportedAccount]
    /// How many people and accounts the store holds.
    public var peopleTotal: Int
    public var accountsTotal: Int

    public init(
        latestAudit: Int64, changed: [PersonID], people: [ExportedPerson], accounts: [ExportedAccount],
        peopleTotal: Int, accountsTotal: Int
    ) {
        self.latestAudit = latestAudit
        self.changed = changed
        self.people = people
        self.accounts = accounts
        self.peopleTotal = peopleTotal
        self.accountsTotal = accountsTotal
    }
}

/// Counts for `roster status`.
public struct StoreStatus: Sendable, Equatable {
    public var people: Int
    public var peopleWithoutEmail: Int
    /// Accounts per integration instance, sorted by name.
    public var accountsByIntegration: [(integration: String, count: Int)]
    public var filesApplied: Int
    public var filesRejected: Int
    public var lastIngest: JournalEntry?

    public init(
        people: Int, peopleWithoutEmail: Int, accountsByIntegration: [(integration: String, count: Int)],
        filesApplied: Int, filesRejected: Int, lastIngest: JournalEntry?
    ) {
        self.people = people
        self.peopleWithoutEmail = peopleWithoutEmail
        self.accountsByIntegration = accountsByIntegration
        self.filesApplied = filesApplied
        self.filesRejected = filesRejected
        self.lastIngest = lastIngest
    }

    public static func == (lhs: StoreStatus, rhs: StoreStatus) -> Bool {
        lhs.people == rhs.people && lhs.peopleWithoutEmail == rhs.peopleWithoutEmail
            && lhs.accountsByIntegration.map(\.integration) == rhs.accountsByIntegration.map(\.integration)
            && lhs.accountsByIntegration.map(\.count) == rhs.accountsByIntegration.map(\.count)
            && lhs.filesApplied == rhs.filesApplied && lhs.filesRejected == rhs.filesRejected
            && lhs.lastIngest == rhs.lastIngest
    }
}

/// A failure of the store itself (not of an input file).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var cause: String?
    /// The database could not be reached (server down or restarting, connection lost), as opposed
    /// to refusing what was asked: the same work may succeed later, so the agent retries it with
    /// backoff and keeps the file waiting instead of rejecting it.
    public var isUnavailable: Bool

    public init(_ message: String, cause: String? = nil, isUnavailable: Bool = false) {
        self.message = message
        self.cause = cause
        self.isUnavailable = isUnavailable
    }

    public var description: String {
        cause.map { "\(message) (\($0))" } ?? message
    }
}
