/// A person as matching sees it: a plain value snapshot, whatever store it came from.
public struct MatchPerson: Sendable, Equatable {
    public var id: PersonID
    public var name: String
    /// Normalised addresses, the primary first.
    public var emails: [String]
    public var accounts: [MatchAccount]
    public var isBot: Bool

    public init(id: PersonID, name: String, emails: [String] = [], accounts: [MatchAccount] = [], isBot: Bool = false) {
        self.id = id
        self.name = name
        self.emails = emails
        self.accounts = accounts
        self.isBot = isBot
    }
}

/// An account of a ``MatchPerson``, with what its export said.
public struct MatchAccount: Sendable, Equatable {
    public var key: AccountKey
    public var login: String?
    public var displayName: String?
    /// The email as the export wrote it: maybe a noreply address, a placeholder or junk.
    public var email: String?
    public var isBot: Bool
    /// Whether a users CSV placed it with its person.
    public var pinned: Bool

    public init(
        key: AccountKey, login: String? = nil, displayName: String? = nil, email: String? = nil, isBot: Bool = false,
        pinned: Bool = false
    ) {
        self.key = key
        self.login = login
        self.displayName = displayName
        self.email = email
        self.isBot = isBot
        self.pinned = pinned
    }
}
