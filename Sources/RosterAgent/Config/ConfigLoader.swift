import Foundation
public import RosterCore
import TOMLKit

/// A config file that can't be used, with the line and key at fault and how to fix it.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let key { place += ": \(key)" }
        return "\(place): \(message)"
    }
}

/// Reads `roster.toml` into a ``RosterConfig``.
///
/// ```toml
/// [folders]
/// watch = "watch"
/// state = "state"
///
/// [store]
/// url = "postgresql://roster@db.example.com/roster?sslmode=verify-full"  # default: <state>/roster.sqlite
/// pool_size = 4              # connections to a PostgreSQL store
///
/// [integrations]
/// instances = ["github", "jira-prod", "slack"]
///
/// [[attributes]]
/// key = "team"
/// type = "enum"          # string, number, date, boolean, email, enum
/// values = ["Platform", "Payments"]
/// title = "Team"
/// description = "The team a person works in"
/// required = false
///
/// [watch]
/// settle_ms = 25             # how long a file must stay unchanged before it is taken
/// poll_seconds = 2           # poll instead of inotify (automatic on NFS, SMB/CIFS and FUSE)
/// rescan_seconds = 60        # the safety-net rescan
/// max_file_size = 1073741824 # larger files are rejected
/// ignore = ["*.bak"]         # added to the default ignores
/// default_ignores = true     # dotfiles, *~, *.swp, *.swx, 4913, *.tmp, *.part, *.crdownload, ~$*, README.md
///
/// [[sources]]                # which files are which integration instance (see ConfigLoader+Sources)
/// glob = "jira-prod*"
/// integration = "jira-prod"
///
/// [accounts]
/// placeholder_emails = ["build@*"]
/// bot_patterns = ["jenkins*"]
/// ```
public enum ConfigLoader {
    /// Loads the config at `path`.
    ///
    /// - Parameter required: When false, a missing file gives the default config.
    /// - Throws: ``ConfigError`` naming the line and key, for a file that is unreadable, is not
    ///   TOML, or declares something Roster can't use.
    public static func load(path: String, required: Bool) throws -> RosterConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            if required {
                throw ConfigError(
                    file: path,
                    message: "the config file does not exist. Create it or leave out --config to use the defaults.")
            }
            return RosterConfig()
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigError(
                file: path, message: "the config file can't be read as UTF-8 text. Check its permissions and encoding.")
        }
        return try parse(text, file: path)
    }

    static let topLevelKeys = [
        "folders", "store", "integrations", "attributes", "watch", "sources", "accounts", "org_units",
    ]
    static let folderKeys = ["watch", "state"]
    static let storeKeys = ["url", "pool_size"]
    static let integrationKeys = ["instances"]
    static let attributeKeys = ["key", "title", "type", "values", "description", "required"]
    static let watchKeys = [
        "settle_ms", "poll_seconds", "rescan_seconds", "max_file_size", "ignore", "default_ignores",
    ]

    /// Parses config text; `file` names it in errors.
    public static func parse(_ text: String, file: String = "roster.toml") throws -> RosterConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(
                file: file, line: error.source.begin.line, key: nil,
                message: "not valid TOML: \(error.description). Fix the syntax at that line.")
        }
        let locate = KeyLocator(text: text)
        func fail(_ key: String, table: String?, index: Int? = nil, _ message: String) -> ConfigError {
            var path = key
            if let table { path = index.map { "\(table)[\($0 + 1)].\(key)" } ?? "\(table).\(key)" }
            return ConfigError(
                file: file, line: locate.line(of: key, inTable: table, index: index), key: path, message: message)
        }
        func unknown(_ key: String, in known: [String], table: String?, index: Int? = nil) -> ConfigError {
            var message = "unknown key '\(key)'"
            if let close = Closest.match(for: key, among: known) { message += "; did you mean '\(close)'?" }
            message += " Known keys here: \(known.joined(separator: ", "))."
            return fail(key, table: table, index: index, message)
        }

        var config = RosterConfig()
        for key in table.keys where !topLevelKeys.contains(key) {
            throw unknown(key, in: topLevelKeys, table: nil)
        }

        if let value = table["folders"] {
            guard let folders = value.table else { throw fail("folders", table: nil, "must be a table: [folders]") }
            for key in folders.keys where !folderKeys.contains(key) {
                throw unknown(key, in: folderKeys, table: "folders")
            }
            for key in folderKeys {
                guard let value = folders[key] else { continue }
                guard let path = value.string, !path.isEmpty else {
                    throw fail(key, table: "folders", "folders.\(key) must be a non-empty string, such as \"\(key)\"")
                }
                if key == "watch" { config.watchFolder = path } else { config.stateFolder = path }
            }
        }

        if let value = table["store"] {
            guard let store = value.table else { throw fail("store", table: nil, "must be a table: [store]") }
            for key in store.keys where !storeKeys.contains(key) {
                throw unknown(key, in: storeKeys, table: "store")
            }
            if let url = store["url"] {
                guard let text = url.string, !text.isEmpty else {
                    throw fail(
                        "url", table: "store",
                        "must be a path or URL, such as \"state/roster.sqlite\" or \"postgresql://roster@db/roster\"")
                }
                if let problem = StoreURLCheck.problem(text) { throw fail("url", table: "store", problem) }
                config.storeURL = text
            }
            if let size = store["pool_size"] {
                guard let number = size.int, (1...64).contains(number) else {
                    throw fail("pool_size", table: "store", "must be a whole number from 1 to 64, such as 4")
                }
                config.storePoolSize = number
            }
        }

        if let value = table["integrations"] {
            guard let integrations = value.table else {
                throw fail(
                    "integrations", table: nil, "must be a table: [integrations] with instances = [\"github\", …]")
            }
            for key in integrations.keys where !integrationKeys.contains(key) {
                throw unknown(key, in: integrationKeys, table: "integrations")
            }
            if let list = integrations["instances"] {
                guard let array = list.array else {
                    throw fail(
                        "instances", table: "integrations",
                        "must be a list of names, such as [\"github\", \"jira-prod\"]")
                }
                for element in array {
                    guard let name = element.string, Self.isInstanceName(name) else {
                        throw fail(
                            "instances", table: "integrations",
                            "'\(element)' is not a usable instance name: use lower-case letters, digits, '-' and '_', such as jira-prod"
                        )
                    }
                    if config.integrations.contains(name) {
                        throw fail("instances", table: "integrations", "'\(name)' is listed twice")
                    }
                    config.integrations.append(name)
                }
            }
        }

        if let value = table["attributes"] {
            guard let array = value.array else {
                throw fail("attributes", table: nil, "must be an array of tables: write each as [[attributes]]")
            }
            for (index, element) in array.enumerated() {
                guard let entry = element.table else {
                    throw fail("attributes", table: nil, "each attribute must be a table: write it as [[attributes]]")
                }
                config.attributes.append(
                    try attribute(entry, index: index, existing: config.attributes, fail: fail, unknown: unknown))
            }
        }
        if let value = table["org_units"] {
            config.orgUnits = try orgUnits(value, config: config, fail: fail, unknown: unknown)
        }
        if let value = table["watch"] {
            guard let entry = value.table else { throw fail("watch", table: nil, "must be a table: [watch]") }
            config.watch = try watch(entry, fail: fail, unknown: unknown)
        }
        if let value = table["sources"] {
            guard let array = value.array else {
                throw fail("sources", table: nil, "must be an array of tables: write each as [[sources]]")
            }
            for index in 0..<array.count {
                guard let entry = array[index].table else {
                    throw fail("sources", table: nil, "each source must be a table: write it as [[sources]]")
                }
                config.sources.append(try source(entry, index: index, fail: fail, unknown: unknown))
            }
        }
        if let value = table["accounts"] {
            guard let entry = value.table else { throw fail("accounts", table: nil, "must be a table: [accounts]") }
            try accounts(entry, into: &config, fail: fail, unknown: unknown)
        }
        return config
    }

    /// Reads the `[watch]` table.
    private static func watch(
        _ entry: TOMLTable,
        fail: (String, String?, Int?, String) -> ConfigError,
        unknown: (String, [String], String?, Int?) -> ConfigError
    ) throws -> WatchSettings {
        for key in entry.keys where !watchKeys.contains(key) {
            throw unknown(key, watchKeys, "watch", nil)
        }
        func number(_ key: String) -> Double? {
            guard let value = entry[key] else { return nil }
            return value.int.map(Double.init) ?? value.double
        }
        var settings = WatchSettings()
        if entry["settle_ms"] != nil {
            guard let value = entry["settle_ms"]?.int, (0...60_000).contains(value) else {
                throw fail(
                    "settle_ms", "watch", nil, "settle_ms must be a whole number of milliseconds from 0 to 60000")
            }
            settings.settleMilliseconds = value
        }
        if entry["poll_seconds"] != nil {
            guard let value = number("poll_seconds"), value >= 0.1, value <= 86_400 else {
                throw fail(
                    "poll_seconds", "watch", nil,
                    "poll_seconds must be a number of seconds from 0.1 to 86400; leave it out to use inotify")
            }
            settings.pollSeconds = value
        }
        if entry["rescan_seconds"] != nil {
            guard let value = number("rescan_seconds"), value >= 1, value <= 86_400 else {
                throw fail("rescan_seconds", "watch", nil, "rescan_seconds must be a number of seconds from 1 to 86400")
            }
            settings.rescanSeconds = value
        }
        if entry["max_file_size"] != nil {
            guard let value = entry["max_file_size"]?.int, value > 0 else {
                throw fail(
                    "max_file_size", "watch", nil,
                    "max_file_size must be a positive number of bytes, such as 1073741824")
            }
            settings.maxFileSize = value
        }
        if let value = entry["ignore"] {
            guard let array = value.array else {
                throw fail(
                    "ignore", "watch", nil, "ignore must be a list of patterns, such as [\"*.bak\", \"draft-*\"]")
            }
            for element in array {
                guard let pattern = element.string, !pattern.isEmpty, !pattern.contains("/") else {
                    throw fail(
                        "ignore", "watch", nil,
                        "'\(element)' is not a usable pattern: give a non-empty file-name pattern without '/'")
                }
                settings.ignore.append(pattern)
            }
        }
        if let value = entry["default_ignores"] {
            guard let flag = value.bool else {
                throw fail("default_ignores", "watch", nil, "default_ignores must be true or false")
            }
            settings.useDefaultIgnores = flag
        }
        return settings
    }

    private static func attribute(
        _ entry: TOMLTable,
        index: Int,
        existing: [AttributeDefinition],
        fail: (String, String?, Int?, String) -> ConfigError,
        unknown: (String, [String], String?, Int?) -> ConfigError
    ) throws -> AttributeDefinition {
        for key in entry.keys where !attributeKeys.contains(key) {
            throw unknown(key, attributeKeys, "attributes", index)
        }
        guard let key = entry["key"]?.string?.trimmingWhitespace(), !key.isEmpty else {
            throw fail(
                "key", "attributes", index,
                "attribute \(index + 1) needs key = \"name\", the column header it stands for")
        }
        let lower = key.lowercased()
        guard
            lower.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == " "
            })
        else {
            throw fail(
                "key", "attributes", index, "'\(key)' can't be a column key: use letters, digits, spaces and '_'")
        }
        if UsersCSVLayout.reservedColumns.contains(lower) || lower.hasPrefix(UsersCSVLayout.integrationPrefix) {
            throw fail("key", "attributes", index, "'\(key)' is a built-in column of the users CSV; choose another key")
        }
        if existing.contains(where: { $0.key == lower }) {
            throw fail("key", "attributes", index, "the attribute '\(lower)' is declared twice")
        }
        let isManager = lower == AttributeDefinition.manager.key
        let typeName = entry["type"]?.string ?? (isManager ? "email" : "string")
        var type: AttributeType
        switch typeName {
        case "string": type = .string
        case "number": type = .number
        case "date": type = .date
        case "boolean": type = .boolean
        case "email": type = .email
        case "enum": type = .enumeration([])
        default:
            var message =
                "'\(typeName)' is not an attribute type; use one of \(AttributeType.names.joined(separator: ", "))"
            if let close = Closest.match(for: typeName, among: AttributeType.names) {
                message = "did you mean '\(close)'? " + message
            }
            throw fail("type", "attributes", index, message)
        }
        if isManager, type != .email {
            throw fail("type", "attributes", index, "manager is built in with type = \"email\": the manager's address")
        }
        if let values = entry["values"] {
            guard case .enumeration = type else {
                throw fail("values", "attributes", index, "values only go with type = \"enum\"")
            }
            guard let array = values.array else {
                throw fail("values", "attributes", index, "values must be a list, such as [\"Platform\", \"Payments\"]")
            }
            let allowed = array.compactMap { $0.string?.trimmingWhitespace() }.filter { !$0.isEmpty }
            guard allowed.count == array.count, !allowed.isEmpty else {
                throw fail("values", "attributes", index, "values must be a non-empty list of non-empty strings")
            }
            type = .enumeration(allowed)
        } else if case .enumeration = type {
            throw fail("type", "attributes", index, "an enum attribute needs values = [\"…\", \"…\"]")
        }
        var required = false
        if let value = entry["required"] {
            guard let flag = value.bool else {
                throw fail("required", "attributes", index, "required must be true or false")
            }
            required = flag
        }
        let title = entry["title"]?.string ?? key
        let description = entry["description"]?.string ?? ""
        return AttributeDefinition(key: lower, title: title, type: type, description: description, required: required)
    }

    static func isInstanceName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            }
    }
}

/// Finds the line of a key in TOML text, for error messages (TOMLKit keeps no positions of keys).
struct KeyLocator {
    let lines: [Substring]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The 1-based line of `key = …` inside `[table]` (or the `index`-th `[[table]]`), or of the
    /// table header itself when the key isn't written there.
    func line(of key: String, inTable table: String?, index: Int? = nil) -> Int? {
        var currentTable: String?
        var arrayCounts: [String: Int] = [:]
        var currentIndex: Int?
        var headerLine: Int?
        for (number, raw) in lines.enumerated() {
            let line = raw.trimmingWhitespace()
            if line.hasPrefix("[[") {
                let name = line.dropFirst(2).prefix { $0 != "]" }.trimmingWhitespace()
                currentTable = name
                currentIndex = arrayCounts[name, default: 0]
                arrayCounts[name] = currentIndex! + 1
                if name == table, currentIndex == index { headerLine = number + 1 }
                continue
            }
            if line.hasPrefix("[") {
                let name = line.dropFirst().prefix { $0 != "]" }.trimmingWhitespace()
                currentTable = name
                currentIndex = nil
                if name == table, index == nil { headerLine = number + 1 }
                continue
            }
            guard currentTable == table, currentIndex == index else { continue }
            let name = line.prefix { $0 != "=" }.trimmingWhitespace().trimmingCharacters(
                in: CharacterSet(charactersIn: "\"'"))
            if name == key, line.contains("=") { return number + 1 }
        }
        return headerLine
    }
}
