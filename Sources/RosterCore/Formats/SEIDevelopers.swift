/// Harness SEI 2.0's developers CSV: `full_name,email,manager email,role,sub role,team,department,site`.
///
/// Headers are trimmed and case-insensitive, as SEI reads them. Each column after `email` is stored
/// in an attribute: `manager email` in the built-in `manager`, `sub role` in `sub_role`, the others
/// under their own names; those attributes must be declared in the config (type string or enum).
public enum SEIDevelopers {
    /// The columns as SEI writes them.
    public static let header = [
        "full_name", "email", "manager email", "role", "sub role", "team", "department", "site",
    ]

    /// The users-CSV column (Roster's name) for each SEI column.
    static let rosterColumn: [String: String] = [
        "full_name": "full_name", "email": "email", "manager email": "manager", "role": "role",
        "sub role": "sub_role", "team": "team", "department": "department", "site": "site",
    ]

    /// The attribute each SEI column after `email` is stored in.
    public static let attributeKeys = ["manager", "role", "sub_role", "team", "department", "site"]

    /// Whether a header is SEI's: `full_name`, `email` and `manager email`.
    public static func matches(header: [String]) -> Bool {
        let names = Set(header.map { $0.trimmingWhitespace().lowercased() })
        return names.contains("full_name") && names.contains("email") && names.contains("manager email")
    }
}

/// Applies an SEI developers CSV, with SEI's rules on top of the users CSV's: no blank headers, no
/// blank values (except the manager email of a person at the top of the hierarchy), unique emails,
/// every manager also listed as a developer, and no manager cycles.
public struct SEIDevelopersReconciler {
    private var users: UsersCSVReconciler
    private let config: RosterConfig
    private var headers: [String] = []
    /// The columns handed on to the users-CSV reconciler: known SEI columns with a usable attribute.
    private var kept: [Int] = []
    private var managerColumn: Int?
    private var emails: [String: Int] = [:]
    private var managers: [(line: Int, address: String)] = []
    private var ownProblems = 0

    public init(config: RosterConfig) {
        self.config = config
        users = UsersCSVReconciler(config: config)
    }

    public var summary: IngestSummary {
        var summary = users.summary
        summary.problems += ownProblems
        return summary
    }

    /// Reads the header record; see ``UsersCSVReconciler/header(_:report:)``.
    public mutating func header(_ record: CSVRecord, report: (Problem) throws -> Void) rethrows -> Bool {
        headers = record.fields.map { $0.trimmingWhitespace() }
        var translated: [String] = []
        var problems: [Problem] = []
        for (index, header) in headers.enumerated() {
            let name = header.lowercased()
            if name.isEmpty {
                problems.append(
                    Problem(
                        line: record.line, column: "column \(index + 1)",
                        problem: "the column has no header, which SEI does not accept",
                        fix:
                            "give it one of the SEI headers (\(SEIDevelopers.header.joined(separator: ", "))) or delete it"
                    ))
                continue
            }
            guard let column = SEIDevelopers.rosterColumn[name] else {
                var fix = "SEI's developer columns are " + SEIDevelopers.header.joined(separator: ", ")
                if let close = Closest.match(for: name, among: SEIDevelopers.header) {
                    fix = "did you mean \(close)? " + fix
                }
                problems.append(
                    Problem(line: record.line, column: header, value: header, problem: "unknown SEI column", fix: fix))
                continue
            }
            if column != "full_name", column != "email", column != "manager", config.attribute(column) == nil {
                problems.append(
                    Problem(
                        line: record.line, column: header, value: header,
                        problem: "the column needs the attribute '\(column)', which roster.toml does not declare",
                        fix: "declare it: [[attributes]] key = \"\(column)\""))
                continue
            }
            if column == "manager" { managerColumn = index }
            kept.append(index)
            translated.append(column)
        }
        ownProblems += problems.count
        for problem in problems { try report(problem) }
        let accepted = try users.header(
            CSVRecord(fields: translated, line: record.line, issues: record.issues), report: report)
        return accepted
    }

    /// Checks one data record and applies it when it has no problem.
    public mutating func row<Ledger: RosterLedger>(
        _ record: CSVRecord, ledger: inout Ledger, report: (Problem) throws -> Void
    ) throws {
        if record.fields.allSatisfy({ $0.trimmingWhitespace().isEmpty }), record.issues.isEmpty { return }
        var problems: [Problem] = []
        for index in kept where index != managerColumn {
            let header = headers[index]
            let value = index < record.fields.count ? record.fields[index].trimmingWhitespace() : ""
            if value.isEmpty {
                problems.append(
                    Problem(
                        line: record.line, column: header, problem: "the value is blank, which SEI does not accept",
                        fix: "fill in every column; only the manager email of the person at the top may be blank"))
            }
        }
        if let index = headers.firstIndex(where: { $0.lowercased() == "email" }), index < record.fields.count {
            let address = EmailAddress.normalise(record.fields[index])
            if !address.isEmpty {
                if let earlier = emails[address] {
                    problems.append(
                        Problem(
                            line: record.line, column: headers[index], value: address,
                            problem: "the email is already given on line \(earlier)",
                            fix: "SEI needs unique emails: keep one row per developer"))
                } else {
                    emails[address] = record.line
                }
            }
        }
        if let managerColumn, managerColumn < record.fields.count {
            let address = EmailAddress.normalise(record.fields[managerColumn])
            if !address.isEmpty { managers.append((record.line, address)) }
        }
        ownProblems += problems.count
        for problem in problems { try report(problem) }
        let fields = kept.map { $0 < record.fields.count ? record.fields[$0] : "" }
        try users.row(
            CSVRecord(fields: fields, line: record.line, issues: record.issues), ledger: &ledger, report: report)
    }

    /// Checks that every manager is also a developer of the file, then the manager chains.
    public mutating func finish(ledger: some RosterLedger, report: (Problem) throws -> Void) throws {
        let column = managerColumn.map { headers[$0] } ?? "manager email"
        for (line, address) in managers where emails[address] == nil {
            ownProblems += 1
            try report(
                Problem(
                    line: line, column: column, value: address,
                    problem: "the manager \(address) is not a developer in this file",
                    fix: "SEI needs every manager to be a developer too: add a row for them"))
        }
        try users.finish(ledger: ledger, report: report)
    }
}
