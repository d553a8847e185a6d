/// Apache DevLake's team configuration files, as its `org` plugin reads and writes them.
public enum DevLakeTeams {
    public static let usersHeader = ["Id", "Name", "Email", "TeamIds"]
    public static let teamsHeader = ["Id", "Name", "Alias", "ParentId", "SortingIndex"]
    public static let accountsHeader = [
        "Id", "Email", "FullName", "UserName", "AvatarUrl", "Organization", "CreatedDate", "Status", "UserId",
    ]

    /// Whether a header is DevLake's `users.csv` (`Id,Name,Email,TeamIds`), not Roster's users CSV.
    public static func isUsers(header: [String]) -> Bool {
        let names = Set(header.map { $0.trimmingWhitespace().lowercased() })
        return names.contains("teamids") && names.contains("email") && names.contains("name") && names.contains("id")
    }

    /// Whether a header is DevLake's `user_account_mapping.csv`: its account columns and `UserId`.
    public static func isAccountMapping(header: [String]) -> Bool {
        let names = Set(header.map { $0.trimmingWhitespace().lowercased() })
        return names.contains("id") && names.contains("userid") && names.contains("username")
    }

    /// The account id DevLake writes for a Roster account: `<integration>:<account id>`.
    public static func accountID(_ key: AccountKey) -> String {
        "\(key.integration):\(key.accountID)"
    }

    /// Reads an account id of the mapping file: Roster's `<integration>:<id>`, or DevLake's own
    /// domain id `<plugin>:<Plugin>Account:<connection>:<id>`, whose integration is the plugin name.
    public static func accountKey(_ text: String) -> AccountKey? {
        let parts = text.trimmingWhitespace().split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        let integration = parts[0].lowercased()
        let rest = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        if rest.count == 3, rest[0].hasSuffix("Account"), !rest[2].isEmpty {
            return AccountKey(integration: integration, accountID: String(rest[2]))
        }
        return AccountKey(integration: integration, accountID: String(parts[1]))
    }
}

/// Applies DevLake's `users.csv`: each row a person (`Id` when it is a Roster id, else keyed by
/// email) with a name and email. `TeamIds` is not applied: Roster derives teams from org units.
public struct DevLakeUsersReconciler {
    private var users: UsersCSVReconciler
    private var columns: (id: Int?, name: Int?, email: Int?) = (nil, nil, nil)

    public init(config: RosterConfig) {
        users = UsersCSVReconciler(config: config)
    }

    public var summary: IngestSummary { users.summary }

    public mutating func header(_ record: CSVRecord, report: (Problem) throws -> Void) rethrows -> Bool {
        let names = record.fields.map { $0.trimmingWhitespace().lowercased() }
        columns = (names.firstIndex(of: "id"), names.firstIndex(of: "name"), names.firstIndex(of: "email"))
        return try users.header(CSVRecord(fields: ["id", "full_name", "email"], line: record.line), report: report)
    }

    public mutating func row<Ledger: RosterLedger>(
        _ record: CSVRecord, ledger: inout Ledger, report: (Problem) throws -> Void
    ) throws {
        func cell(_ index: Int?) -> String {
            guard let index, index < record.fields.count else { return "" }
            return record.fields[index]
        }
        let id = cell(columns.id).trimmingWhitespace()
        let fields = [PersonID(parsing: id) == nil ? "" : id, cell(columns.name), cell(columns.email)]
        if fields.allSatisfy({ $0.trimmingWhitespace().isEmpty }) { return }
        try users.row(
            CSVRecord(fields: fields, line: record.line, issues: record.issues), ledger: &ledger, report: report)
    }

    public mutating func finish(ledger: some RosterLedger, report: (Problem) throws -> Void) throws {
        try users.finish(ledger: ledger, report: report)
    }
}

/// Applies DevLake's `user_account_mapping.csv`: each row with a `UserId` links the account `Id` to
/// that person, as an explicit edit (like an `integration:<name>` column of the users CSV). Rows
/// without a `UserId` are accounts DevLake could not map and are skipped.
public struct DevLakeAccountMappingReconciler {
    public private(set) var summary = IngestSummary()
    private var headers: [String] = []
    private var id: Int?
    private var userID: Int?
    private var seen: [AccountKey: Int] = [:]

    public init() {}

    public mutating func header(_ record: CSVRecord, report: (Problem) throws -> Void) rethrows -> Bool {
        headers = record.fields.map { $0.trimmingWhitespace() }
        let names = headers.map { $0.lowercased() }
        id = names.firstIndex(of: "id")
        userID = names.firstIndex(of: "userid")
        return id != nil && userID != nil
    }

    public mutating func row<Ledger: RosterLedger>(
        _ record: CSVRecord, ledger: inout Ledger, report: (Problem) throws -> Void
    ) throws {
        if record.fields.allSatisfy({ $0.trimmingWhitespace().isEmpty }), record.issues.isEmpty { return }
        summary.rows += 1
        var problems = CSVIssues.problems(for: record, headers: headers)
        func cell(_ index: Int?) -> String {
            guard let index, index < record.fields.count else { return "" }
            return FormulaGuard.restore(record.fields[index]).trimmingWhitespace()
        }
        defer { summary.problems += problems.count }
        let user = cell(userID)
        let account = cell(id)
        if user.isEmpty { return }
        guard let key = DevLakeTeams.accountKey(account) else {
            problems.append(
                Problem(
                    line: record.line, column: headers[id!], value: account, problem: "not an account id",
                    fix: "write <integration>:<account id>, as Roster's export does, such as github:583231"))
            for problem in problems { try report(problem) }
            return
        }
        guard let person = PersonID(parsing: user), try ledger.person(person) != nil else {
            problems.append(
                Problem(
                    line: record.line, column: headers[userID!], value: user, problem: "no person has the id \(user)",
                    fix: "use a person id from Roster's DevLake users.csv export, or leave UserId empty"))
            for problem in problems { try report(problem) }
            return
        }
        if let earlier = seen[key] {
            problems.append(
                Problem(
                    line: record.line, column: headers[id!], value: account,
                    problem: "the account is also given on line \(earlier)", fix: "give each account to one person only"
                ))
            for problem in problems { try report(problem) }
            return
        }
        seen[key] = record.line
        for problem in problems { try report(problem) }
        guard problems.isEmpty else { return }
        let current = try ledger.account(key)
        if current?.person == person {
            summary.accountsUnchanged += 1
            return
        }
        try ledger.apply(.linkAccount(key, from: current?.person), to: person, line: record.line)
        if let from = current?.person {
            summary.accountsMoved += 1
            summary.note("line \(record.line): account \(key) moved from \(from) to \(person) (explicit edit)")
        } else {
            summary.accountsCreated += 1
            summary.note("line \(record.line): account \(key) added to \(person)")
        }
    }
}
