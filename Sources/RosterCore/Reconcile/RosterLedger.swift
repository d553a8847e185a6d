/// What reconciliation reads of a person.
public struct PersonSnapshot: Sendable, Equatable {
    public var id: PersonID
    public var name: String
    public var primaryEmail: String?
    public var otherEmails: [String]
    public var attributes: [String: String]

    public init(
        id: PersonID, name: String, primaryEmail: String?, otherEmails: [String] = [],
        attributes: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.primaryEmail = primaryEmail
        self.otherEmails = otherEmails
        self.attributes = attributes
    }
}

/// What reconciliation reads of an account.
public struct AccountSnapshot: Sendable, Equatable {
    public var key: AccountKey
    public var person: PersonID
    /// Whether a human edit placed the account with its person; matching never moves it then.
    public var pinned: Bool

    public init(key: AccountKey, person: PersonID, pinned: Bool) {
        self.key = key
        self.person = person
        self.pinned = pinned
    }
}

/// One change to a person, as planned from an input row.
public enum Change: Sendable, Equatable {
    case rename(from: String, to: String)
    /// Makes `address` the primary email; a previous primary stays as another email.
    case setPrimaryEmail(String, previous: String?)
    case addEmail(String)
    /// Links the account to the person and pins it there; `from` is its previous person, nil when
    /// the account is new.
    case linkAccount(AccountKey, from: PersonID?)
    case setAttribute(key: String, from: String?, to: String?)
}

/// The store as reconciliation sees it inside the transaction of one file.
///
/// Reconciliation plans against this protocol and applies each row's changes before planning the
/// next, so that rows later in a file see earlier ones. The SQLite store implements it; tests use
/// an in-memory one.
public protocol RosterLedger {
    func person(_ id: PersonID) throws -> PersonSnapshot?
    /// The person that owns a normalised email, as primary or other address.
    func owner(ofEmail address: String) throws -> PersonID?
    func account(_ key: AccountKey) throws -> AccountSnapshot?
    /// Creates a person without emails; `line` is the source line for the audit log.
    mutating func createPerson(name: String, line: Int) throws -> PersonID
    mutating func apply(_ change: Change, to person: PersonID, line: Int) throws
}
