/// A person as org unit filters see them.
public struct OrgPerson: Sendable, Equatable {
    public var id: PersonID
    public var name: String
    /// Normalised emails, the primary one first.
    public var emails: [String]
    /// Attribute values by key; an absent key is an empty value.
    public var attributes: [String: String]
    /// The integration instances the person has accounts in.
    public var integrations: [String]

    public init(
        id: PersonID, name: String, emails: [String] = [], attributes: [String: String] = [:],
        integrations: [String] = []
    ) {
        self.id = id
        self.name = name
        self.emails = emails
        self.attributes = attributes
        self.integrations = integrations
    }
}
