/// A `[[sources]]` entry of the config: which files it covers, their integration instance, and,
/// for a CSV no built-in kind recognises, which column holds what.
public struct SourceMapping: Sendable, Equatable {
    /// A case-insensitive file-name glob such as `jira-prod*.json`.
    public var glob: String
    /// The integration instance of the accounts, such as `jira-prod`.
    public var integration: String
    public var columns: ColumnMapping?

    public init(glob: String, integration: String, columns: ColumnMapping? = nil) {
        self.glob = glob
        self.integration = integration
        self.columns = columns
    }
}

/// Column names of a CSV that no built-in kind recognises.
public struct ColumnMapping: Sendable, Equatable {
    public var accountID: String
    public var login: String?
    public var displayName: String?
    public var email: String?
    public var status: String?

    public init(
        accountID: String, login: String? = nil, displayName: String? = nil, email: String? = nil, status: String? = nil
    ) {
        self.accountID = accountID
        self.login = login
        self.displayName = displayName
        self.email = email
        self.status = status
    }

    /// The layout for a header, or the mapped columns it lacks.
    func layout(header raw: [String]) -> Result<AccountCSVLayout, MissingColumns> {
        let headers = raw.map { $0.trimmingWhitespace() }
        let lower = headers.map { $0.lowercased() }
        var missing: [String] = []
        func index(_ name: String?) -> Int? {
            guard let name else { return nil }
            guard let found = lower.firstIndex(of: name.lowercased()) else {
                missing.append(name)
                return nil
            }
            return found
        }
        let id = index(accountID)
        let layout = AccountCSVLayout(
            kind: nil, accountID: id ?? 0, login: index(login), displayNames: index(displayName).map { [$0] } ?? [],
            emails: index(email).map { [$0] } ?? [], status: index(status), headers: headers)
        return missing.isEmpty ? .success(layout) : .failure(MissingColumns(missing))
    }
}

/// The mapped columns a header lacks.
public struct MissingColumns: Error, Sendable {
    public var names: [String]

    init(_ names: [String]) {
        self.names = names
    }

    func joined(separator: String) -> String {
        names.joined(separator: separator)
    }
}

extension RosterConfig {
    /// The first `[[sources]]` entry whose glob matches the file name.
    public func source(for fileName: String) -> SourceMapping? {
        sources.first { Glob.matches($0.glob, fileName) }
    }
}
