/// The kinds of input file Roster understands, as recognised from a file's header or structure.
public enum FileKind: Sendable, Equatable {
    /// The users CSV that admins export, edit and import again.
    case usersCSV
    /// An integration's accounts as CSV; the layout says which column holds what.
    case accountsCSV(AccountCSVLayout)
    /// An integration's accounts as the JSON its REST API returns.
    case accountsJSON(IntegrationKind)
    /// Harness SEI 2.0's developers CSV (see ``SEIDevelopers``).
    case seiDevelopersCSV
    /// Apache DevLake's team configuration `users.csv` (see ``DevLakeTeams``).
    case devlakeUsersCSV
    /// Apache DevLake's `user_account_mapping.csv`.
    case devlakeAccountMappingCSV

    /// A short name for the journal, such as `users-csv` or `github-csv`.
    public var name: String {
        switch self {
        case .usersCSV: "users-csv"
        case .accountsCSV(let layout): "\(layout.kind?.rawValue ?? "mapped")-csv"
        case .accountsJSON(let kind): "\(kind.rawValue)-json"
        case .seiDevelopersCSV: "sei-developers-csv"
        case .devlakeUsersCSV: "devlake-users-csv"
        case .devlakeAccountMappingCSV: "devlake-account-mapping-csv"
        }
    }

    /// A readable name for reports.
    public var title: String {
        switch self {
        case .usersCSV: "users CSV"
        case .accountsCSV(let layout): "\(layout.kind.map(\.title) ?? "configured") accounts CSV"
        case .accountsJSON(let kind): "\(kind.title) accounts JSON"
        case .seiDevelopersCSV: "SEI developers CSV"
        case .devlakeUsersCSV: "DevLake users CSV"
        case .devlakeAccountMappingCSV: "DevLake user account mapping CSV"
        }
    }

    /// Which kind a CSV file is, from its header and name, and why.
    ///
    /// Order: a `[[sources]]` entry of the config whose glob matches the file name and that maps
    /// columns; a users CSV whose every column is known; a built-in integration export (the file
    /// name breaks ties); a users CSV with unknown columns (to report them).
    ///
    /// - Returns: The kind, the integration instance for accounts, and a reason for the report; or
    ///   nil when the header matches no kind. A mapping whose columns are missing gives problems.
    public static func recognise(
        csvHeader header: [String], fileName: String, config: RosterConfig
    ) -> Recognition {
        let source = config.source(for: fileName)
        if let source, let mapping = source.columns {
            switch mapping.layout(header: header) {
            case .success(let layout):
                return .kind(
                    .accountsCSV(layout), instance: source.integration,
                    reason: "the file name matches the configured source '\(source.glob)'")
            case .failure(let missing):
                return .problem(
                    "the file name matches the configured source '\(source.glob)', but the header lacks "
                        + missing.joined(separator: ", "))
            }
        }
        if let neighbour = recogniseNeighbour(header) { return neighbour }
        let names = header.map { $0.trimmingWhitespace().lowercased() }
        if UsersCSVLayout.matches(header: header) {
            let known = names.allSatisfy {
                $0.isEmpty || UsersCSVLayout.reservedColumns.contains($0)
                    || $0.hasPrefix(UsersCSVLayout.integrationPrefix) || config.attribute($0) != nil
            }
            if known {
                return .kind(.usersCSV, instance: nil, reason: "the header has full_name (or name) and email columns")
            }
        }
        if let (layout, reason) = AccountCSVLayout.recognise(header: header, fileName: fileName) {
            return .kind(.accountsCSV(layout), instance: source?.integration, reason: reason)
        }
        if UsersCSVLayout.matches(header: header) {
            return .kind(.usersCSV, instance: nil, reason: "the header has full_name (or name) and email columns")
        }
        return .problem("the header matches no known kind of file")
    }

    /// The outcome of ``recognise(csvHeader:fileName:config:)``.
    public enum Recognition: Sendable, Equatable {
        case kind(FileKind, instance: String?, reason: String)
        case problem(String)
    }

    /// What the user should know when a header matches no kind.
    public static var expectedHeaders: String {
        "a users CSV needs full_name (or name) and email; integration exports: " + AccountCSVLayout.expectedHeaders
            + "; or map the columns of any CSV with a [[sources]] entry in roster.toml"
    }
}

extension IntegrationKind {
    public var title: String {
        switch self {
        case .github: "GitHub"
        case .gitlab: "GitLab"
        case .jira: "Jira"
        case .slack: "Slack"
        case .pagerduty: "PagerDuty"
        case .generic: "generic"
        }
    }
}
