/// What the optional `roster.toml` declares. Without a file, ``RosterConfig/init()`` serves.
public struct RosterConfig: Sendable, Equatable {
    /// The drop folder, when the config names one.
    public var watchFolder: String?
    /// The state folder, when the config names one.
    public var stateFolder: String?
    /// Custom attributes, in the order their columns appear in exports.
    public var attributes: [AttributeDefinition]
    /// The integration instances the roster knows, such as `github` or `jira-prod`; empty means
    /// that any name in an `integration:<name>` column is accepted.
    public var integrations: [String]
    /// File-name globs with their integration instance and, for unrecognised CSVs, column mappings.
    public var sources: [SourceMapping]
    /// Glob patterns of email addresses that never link two people (beyond the built-in ones).
    public var placeholderEmails: [String]
    /// Glob patterns of logins or display names that mark an account as a bot.
    public var botPatterns: [String]
    /// How the agent takes files from the drop folder.
    public var watch: WatchSettings
    /// Attribute-driven org units, in declared order (see ``OrgUnit``).
    public var orgUnits: [OrgUnit] = []
    /// Where the store is, when the config names one (`[store] url`): a path, a `sqlite:` URL or a
    /// `postgresql://` URL without a password.
    public var storeURL: String?
    /// How many connections the agent keeps to a PostgreSQL store (`[store] pool_size`).
    public var storePoolSize: Int = 4

    public init(
        watchFolder: String? = nil,
        stateFolder: String? = nil,
        attributes: [AttributeDefinition] = [],
        integrations: [String] = [],
        sources: [SourceMapping] = [],
        placeholderEmails: [String] = [],
        botPatterns: [String] = [],
        watch: WatchSettings = WatchSettings()
    ) {
        self.watchFolder = watchFolder
        self.stateFolder = stateFolder
        self.attributes = attributes
        self.integrations = integrations
        self.sources = sources
        self.placeholderEmails = placeholderEmails
        self.botPatterns = botPatterns
        self.watch = watch
    }

    /// The declared attribute with this key (case-insensitive), or the built-in ``AttributeDefinition/manager``.
    public func attribute(_ key: String) -> AttributeDefinition? {
        let key = key.lowercased()
        return attributes.first { $0.key == key } ?? (key == AttributeDefinition.manager.key ? .manager : nil)
    }
}
