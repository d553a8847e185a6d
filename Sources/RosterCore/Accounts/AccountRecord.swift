/// One account as an integration export lists it.
public struct AccountRecord: Sendable, Equatable {
    /// Where it came from: the line of a CSV record, or 0 with ``position`` for a JSON element.
    public var line: Int
    /// For JSON, the element's path such as `members[12]`; empty for CSV.
    public var position: String
    public var key: AccountKey
    public var login: String?
    public var displayName: String?
    /// The email as the tool wrote it (may be empty, junk, a placeholder or a noreply address).
    public var email: String?
    public var active: Bool
    public var isBot: Bool
    /// A person id given explicitly (the `person_id` column of Roster's own accounts export).
    public var person: PersonID?

    public init(
        line: Int, position: String = "", key: AccountKey, login: String? = nil, displayName: String? = nil,
        email: String? = nil, active: Bool = true, isBot: Bool = false, person: PersonID? = nil
    ) {
        self.line = line
        self.position = position
        self.key = key
        self.login = login
        self.displayName = displayName
        self.email = email
        self.active = active
        self.isBot = isBot
        self.person = person
    }

    /// The stored fields, for comparing an account with a newer export of it.
    public var fields: AccountFields {
        AccountFields(login: login, displayName: displayName, email: email, active: active, isBot: isBot)
    }
}

/// The fields of an account that a newer export may change.
public struct AccountFields: Sendable, Equatable {
    public var login: String?
    public var displayName: String?
    public var email: String?
    public var active: Bool
    public var isBot: Bool

    public init(login: String?, displayName: String?, email: String?, active: Bool, isBot: Bool) {
        self.login = login
        self.displayName = displayName
        self.email = email
        self.active = active
        self.isBot = isBot
    }

    /// `active` or `inactive`, as stored and exported.
    public var status: String { active ? "active" : "inactive" }
}
