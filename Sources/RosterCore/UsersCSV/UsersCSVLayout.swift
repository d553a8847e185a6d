/// Which column of a users CSV holds what, read from its header.
///
/// Compatible with Harness SEI's contributor CSV: headers are trimmed and case-insensitive and may
/// come in any order; `full_name` (or `name`) and `email` are required; `id` and `other_emails` are
/// optional; `integration:<name>` columns hold account ids; every other column must be a declared
/// custom attribute.
public struct UsersCSVLayout: Sendable {
    public var id: Int?
    public var name: Int
    public var email: Int
    public var otherEmails: Int?
    /// Column index and integration instance name.
    public var integrations: [(index: Int, name: String)]
    /// Column index and attribute.
    public var attributes: [(index: Int, attribute: AttributeDefinition)]
    /// Columns with a blank header; their cells must be empty.
    public var blank: [Int]
    /// The headers as written, for error reports.
    public var headers: [String]

    /// The reserved column names, lower-case.
    public static let reservedColumns = ["id", "full_name", "name", "email", "other_emails"]
    /// The prefix of integration columns.
    public static let integrationPrefix = "integration:"

    /// Whether a header looks like a users CSV: a name column and an email column.
    public static func matches(header: [String]) -> Bool {
        let names = Set(header.map { $0.trimmingWhitespace().lowercased() })
        return names.contains("email") && (names.contains("full_name") || names.contains("name"))
    }

    /// Reads a header row.
    ///
    /// - Returns: Every problem with the header, and the layout when the required columns are
    ///   there (then the rows can still be checked, for a complete list of problems).
    public static func parse(header rawHeader: [String], line: Int, config: RosterConfig) -> (
        layout: UsersCSVLayout?, problems: [Problem]
    ) {
        let headers = rawHeader.map { $0.trimmingWhitespace() }
        var problems: [Problem] = []
        var seen: [String: Int] = [:]
        var id: Int?
        var name: Int?
        var email: Int?
        var otherEmails: Int?
        var integrations: [(Int, String)] = []
        var attributes: [(Int, AttributeDefinition)] = []
        var blank: [Int] = []

        for (index, header) in headers.enumerated() {
            let key = header.lowercased()
            if key.isEmpty {
                blank.append(index)
                continue
            }
            var canonical = key == "name" ? "full_name" : key
            if key.hasPrefix(integrationPrefix) {
                canonical = integrationPrefix + String(key.dropFirst(integrationPrefix.count)).trimmingWhitespace()
            }
            if let first = seen[canonical] {
                problems.append(
                    Problem(
                        line: line, column: header, value: header,
                        problem: "the column appears twice (columns \(first + 1) and \(index + 1))",
                        fix: "keep one of the two columns and delete the other"))
                continue
            }
            seen[canonical] = index
            switch canonical {
            case "id": id = index
            case "full_name": name = index
            case "email": email = index
            case "other_emails": otherEmails = index
            default:
                if key.hasPrefix(integrationPrefix) {
                    let instance = String(key.dropFirst(integrationPrefix.count)).trimmingWhitespace()
                    if instance.isEmpty {
                        problems.append(
                            Problem(
                                line: line, column: header, value: header,
                                problem: "the integration column names no integration",
                                fix: "write the integration instance after the colon, such as integration:github"))
                    } else if !config.integrations.isEmpty, !config.integrations.contains(instance) {
                        var fix =
                            "declare it under [integrations] in roster.toml, or use one of: "
                            + config.integrations.joined(separator: ", ")
                        if let close = Closest.match(for: instance, among: config.integrations) {
                            fix = "did you mean integration:\(close)? Otherwise " + fix
                        }
                        problems.append(
                            Problem(
                                line: line, column: header, value: header,
                                problem: "'\(instance)' is not a configured integration", fix: fix))
                    } else {
                        integrations.append((index, instance))
                    }
                } else if let attribute = config.attribute(key) {
                    attributes.append((index, attribute))
                } else {
                    let declare = "declare the attribute in roster.toml ([[attributes]] key = \"\(key)\")"
                    var fix: String
                    if let close = Closest.match(for: key, among: reservedColumns + config.attributes.map(\.key)) {
                        fix = "did you mean \(close)? Otherwise \(declare)"
                    } else {
                        fix = "\(declare), or delete the column"
                        if !config.attributes.isEmpty {
                            fix += "; declared attributes: " + config.attributes.map(\.key).joined(separator: ", ")
                        }
                    }
                    problems.append(
                        Problem(
                            line: line, column: header, value: header,
                            problem: "unknown column '\(header)'", fix: fix))
                }
            }
        }
        if name == nil {
            problems.append(
                Problem(
                    line: line, problem: "the header has no full_name column",
                    fix: "add a column headed full_name (or name) with each person's name"))
        }
        if email == nil {
            problems.append(
                Problem(
                    line: line, problem: "the header has no email column",
                    fix: "add a column headed email with each person's email address"))
        }
        guard let name, let email else { return (nil, problems) }
        return (
            UsersCSVLayout(
                id: id, name: name, email: email, otherEmails: otherEmails,
                integrations: integrations.sorted { $0.1 < $1.1 }.map { (index: $0.0, name: $0.1) },
                attributes: attributes.map { (index: $0.0, attribute: $0.1) },
                blank: blank, headers: headers),
            problems
        )
    }
}
