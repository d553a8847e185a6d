/// What reconciliation reads of a person.
public struct PersonSnapshot: Sendable, Equatable {
    public var id: PersonID
    public var name: String
    public var primaryEmail: String?
    public var otherEmails: [String]
    public var attributes: [String: String]
    public var isBot: Bool

    public init(
        id: PersonID, name: String, primaryEmail: String?, otherEmails: [String] = [],
        attributes: [String: String] = [:], isBot: Bool = false
    ) {
        self.id = id
        self.name = name
        self.primaryEmail = primaryEmail
        self.otherEmails = otherEmails
        self.attributes = attributes
        self.isBot = isBot
    }
}

/// What reconciliation reads of an account.
public struct AccountSnapshot: Sendable, Equatable {
    public var key: AccountKey
    public var person: PersonID
    /// Whether a human edit placed the account with its person; matching never moves it then.
    public var pinned: Bool
    /// What the last export said of the account; nil for an account known only from a users CSV.
    public var fields: AccountFields?

    public init(key: AccountKey, person: PersonID, pinned: Bool, fields: AccountFields? = nil) {
        self.key = key
        self.person = person
        self.pinned = pinned
        self.fields = fields
    }
}

/// One change to a person, as planned from an input row.
public enum Change: Sendable, Equatable {
    case rename(from: String, to: String)
    /// Makes `address` the primary email; a previous primary stays as another email.
    case setPrimaryEmail(String, previous: String?)
    case addEmail(String)
    /// Links the account to the person and pins it there (an explicit edit); `from` is its previous
    /// person, nil when the account is new.
    case linkAccount(AccountKey, from: PersonID?)
    /// Adds an account from an integration export to the person, not pinned.
    case createAccount(AccountKey, AccountFields)
    /// Records what a newer export says of a known account.
    case updateAccount(AccountKey, from: AccountFields?, to: AccountFields)
    /// Moves an account that is not pinned to the person, because its email now leads there.
    case relinkAccount(AccountKey, from: PersonID)
    case setAttribute(key: String, from: String?, to: String?)
}

/// How many rows the reconcilers read ahead for a ledger that prefers prefetching
/// (``RosterLedger/prefersPrefetch``).
public enum LedgerPrefetch {
    public static let rows = 1024
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
    /// Whether the person is a bot; nil when there is no such person.
    func isBot(_ person: PersonID) throws -> Bool?
    /// Creates a person, with `primaryEmail` when given (an address no one has: the caller checked);
    /// `line` is the source line for the audit log.
    mutating func createPerson(name: String, primaryEmail: String?, isBot: Bool, line: Int) throws -> PersonID
    mutating func apply(_ change: Change, to person: PersonID, line: Int) throws

    /// Whether lookups cost a round trip to a server, so that the reconcilers should name those of
    /// the next rows ahead with ``prefetch(emails:accounts:)``.
    var prefersPrefetch: Bool { get }

    /// Looks up, in one go, the owners of these normalised emails and these accounts, for the rows
    /// about to be reconciled: later lookups of them need no trip to the store. Answers stay right
    /// as the rows change them.
    mutating func prefetch(emails: [String], accounts: [AccountKey]) throws

    /// Sends the changes held back so far, for the store to work on them while the next rows are
    /// read; nothing by default.
    mutating func flush() throws
}

extension RosterLedger {
    public var prefersPrefetch: Bool { false }

    public mutating func prefetch(emails: [String], accounts: [AccountKey]) throws {}

    public mutating func flush() throws {}

    public func isBot(_ person: PersonID) throws -> Bool? {
        try self.person(person)?.isBot
    }

    /// Creates a human person without emails.
    public mutating func createPerson(name: String, line: Int) throws -> PersonID {
        try createPerson(name: name, primaryEmail: nil, isBot: false, line: line)
    }
}
