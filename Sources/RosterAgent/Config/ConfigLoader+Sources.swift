import RosterCore
import TOMLKit

extension ConfigLoader {
    static let sourceKeys = ["glob", "integration", "account_id", "login", "display_name", "email", "status"]
    static let accountKeys = ["placeholder_emails", "bot_patterns"]

    /// Reads one `[[sources]]` entry.
    ///
    /// ```toml
    /// [[sources]]                 # a built-in kind, under another instance name
    /// glob = "jira-prod*"
    /// integration = "jira-prod"
    ///
    /// [[sources]]                 # any other CSV: name its columns
    /// glob = "harness-code-*.csv"
    /// integration = "harness-code"
    /// account_id = "uid"
    /// login = "user"
    /// display_name = "Full Name"
    /// email = "Mail"
    /// status = "Enabled"          # optional; false/no/0/inactive/disabled/blocked mean inactive
    /// ```
    static func source(
        _ entry: TOMLTable,
        index: Int,
        fail: (String, String?, Int?, String) -> ConfigError,
        unknown: (String, [String], String?, Int?) -> ConfigError
    ) throws -> SourceMapping {
        for key in entry.keys where !sourceKeys.contains(key) {
            throw unknown(key, sourceKeys, "sources", index)
        }
        func text(_ key: String) throws -> String? {
            guard let value = entry[key] else { return nil }
            guard let string = value.string?.trimmingWhitespace(), !string.isEmpty else {
                throw fail(key, "sources", index, "\(key) must be a non-empty string")
            }
            return string
        }
        guard let glob = try text("glob") else {
            throw fail("glob", "sources", index, "source \(index + 1) needs glob = \"pattern\", such as \"jira-prod*\"")
        }
        guard let integration = try text("integration") else {
            throw fail(
                "integration", "sources", index,
                "source \(index + 1) needs integration = \"name\", the instance its accounts belong to")
        }
        guard isInstanceName(integration) else {
            throw fail(
                "integration", "sources", index,
                "'\(integration)' is not a usable instance name: use lower-case letters, digits, '-' and '_'")
        }
        let columnKeys = ["login", "display_name", "email", "status"]
        let accountID = try text("account_id")
        var columns: ColumnMapping?
        if let accountID {
            columns = ColumnMapping(
                accountID: accountID, login: try text("login"), displayName: try text("display_name"),
                email: try text("email"), status: try text("status"))
        } else if let stray = columnKeys.first(where: { entry[$0] != nil }) {
            throw fail(
                stray, "sources", index,
                "a column mapping needs account_id = \"column\" too; without one, leave out \(stray) and Roster recognises the file by its header"
            )
        }
        return SourceMapping(glob: glob, integration: integration, columns: columns)
    }

    /// Reads the `[accounts]` table.
    static func accounts(
        _ entry: TOMLTable,
        into config: inout RosterConfig,
        fail: (String, String?, Int?, String) -> ConfigError,
        unknown: (String, [String], String?, Int?) -> ConfigError
    ) throws {
        for key in entry.keys where !accountKeys.contains(key) {
            throw unknown(key, accountKeys, "accounts", nil)
        }
        func patterns(_ key: String) throws -> [String] {
            guard let value = entry[key] else { return [] }
            guard let array = value.array else {
                throw fail(key, "accounts", nil, "\(key) must be a list of patterns, such as [\"build@*\"]")
            }
            var result: [String] = []
            for element in array {
                guard let pattern = element.string, !pattern.isEmpty else {
                    throw fail(key, "accounts", nil, "\(key) must hold non-empty strings")
                }
                result.append(pattern)
            }
            return result
        }
        config.placeholderEmails = try patterns("placeholder_emails")
        config.botPatterns = try patterns("bot_patterns")
    }
}
