/// The integrations whose exports Roster reads without configuration.
public enum IntegrationKind: String, Sendable, CaseIterable {
    case github, gitlab, jira, slack, pagerduty
    /// `integration,account_id,login,display_name,email[,active]`, for Harness Code and anything else.
    case generic

    /// The default instance name of accounts from this kind of export.
    public var defaultInstance: String { rawValue }
}

/// Which column of an accounts CSV holds what.
public struct AccountCSVLayout: Sendable, Equatable {
    public var kind: IntegrationKind?
    public var integration: Int?
    public var accountID: Int
    public var login: Int?
    /// Display-name columns in order of preference (the first non-empty one wins).
    public var displayNames: [Int]
    /// Email columns in order of preference.
    public var emails: [Int]
    public var status: Int?
    public var bot: Int?
    public var person: Int?
    public var headers: [String]

    public init(
        kind: IntegrationKind?, integration: Int? = nil, accountID: Int, login: Int? = nil, displayNames: [Int] = [],
        emails: [Int] = [], status: Int? = nil, bot: Int? = nil, person: Int? = nil, headers: [String]
    ) {
        self.kind = kind
        self.integration = integration
        self.accountID = accountID
        self.login = login
        self.displayNames = displayNames
        self.emails = emails
        self.status = status
        self.bot = bot
        self.person = person
        self.headers = headers
    }

    /// A built-in CSV shape: the columns that identify it and where each field comes from.
    struct Signature {
        var kind: IntegrationKind
        var title: String
        /// Every entry must be present; an entry lists alternative names.
        var required: [[String]]
        /// Columns whose presence rules this shape out.
        var excluded: [String] = []
        var accountID: [String]
        var login: [String] = []
        var displayNames: [String] = []
        var emails: [String] = ["email"]
        var status: [String] = []
        var bot: [String] = []
    }

    /// The built-in shapes, most specific first.
    static let signatures: [Signature] = [
        Signature(
            kind: .generic, title: "generic accounts CSV", required: [["integration"], ["account_id"]],
            accountID: ["account_id"], login: ["login"], displayNames: ["display_name", "name"],
            status: ["active", "status"], bot: ["bot"]),
        Signature(
            kind: .slack, title: "Slack admin member CSV", required: [["userid"], ["username"], ["email"]],
            accountID: ["userid"], login: ["username"], displayNames: ["fullname", "displayname"],
            status: ["status"]),
        Signature(
            kind: .slack, title: "Slack members CSV", required: [["id"], ["username"], ["real_name"], ["email"]],
            accountID: ["id"], login: ["username"], displayNames: ["real_name", "display_name"],
            status: ["deleted", "status"], bot: ["is_bot"]),
        Signature(
            kind: .jira, title: "Jira users CSV",
            required: [["account_id", "accountid", "account id"], ["display_name", "displayname", "display name"]],
            excluded: ["login", "username"],
            accountID: ["account_id", "accountid", "account id"],
            displayNames: ["display_name", "displayname", "display name"],
            emails: ["email", "emailaddress", "email address"], status: ["active", "status", "user status"],
            bot: ["accounttype", "account_type"]),
        Signature(
            kind: .gitlab, title: "GitLab users CSV", required: [["id"], ["username"], ["name"], ["state"]],
            accountID: ["id"], login: ["username"], displayNames: ["name"], emails: ["email", "public_email"],
            status: ["state"], bot: ["bot"]),
        Signature(
            kind: .github, title: "GitHub users CSV", required: [["login"], ["id", "account_id"]],
            accountID: ["account_id", "id"], login: ["login"], displayNames: ["name"], status: [], bot: ["type"]),
        Signature(
            kind: .pagerduty, title: "PagerDuty users CSV", required: [["id"], ["name"], ["email"], ["role"]],
            accountID: ["id"], displayNames: ["name"], status: [], bot: []),
    ]

    /// Recognises a built-in accounts CSV by its header.
    ///
    /// - Returns: The layout and a readable reason, or nil.
    public static func recognise(header raw: [String], fileName: String) -> (layout: AccountCSVLayout, reason: String)?
    {
        let headers = raw.map { $0.trimmingWhitespace() }
        let lower = headers.map { $0.lowercased() }
        func index(_ names: [String]) -> Int? {
            for name in names { if let i = lower.firstIndex(of: name) { return i } }
            return nil
        }
        var matches: [(Signature, AccountCSVLayout)] = []
        for signature in signatures {
            guard signature.required.allSatisfy({ index($0) != nil }),
                !signature.excluded.contains(where: { lower.contains($0) }),
                let accountID = index(signature.accountID)
            else { continue }
            let layout = AccountCSVLayout(
                kind: signature.kind,
                integration: signature.kind == .generic ? index(["integration"]) : nil,
                accountID: accountID,
                login: index(signature.login),
                displayNames: signature.displayNames.compactMap { index([$0]) },
                emails: signature.emails.compactMap { index([$0]) },
                status: index(signature.status),
                bot: index(signature.bot),
                person: index(["person_id"]),
                headers: headers)
            matches.append((signature, layout))
        }
        guard !matches.isEmpty else { return nil }
        // The file name breaks ties: github-*.csv prefers the GitHub shape.
        let name = fileName.lowercased()
        let chosen = matches.first { name.hasPrefix($0.0.kind.rawValue) } ?? matches[0]
        let columns = chosen.0.required.map { $0[0] }.joined(separator: ", ")
        var reason = "the header has the \(chosen.0.title) columns \(columns)"
        if matches.count > 1, name.hasPrefix(chosen.0.kind.rawValue) {
            reason += ", and the file name starts with \(chosen.0.kind.rawValue)"
        }
        return (chosen.1, reason)
    }

    /// What a user should know when a header matches no kind: the kinds and the columns each needs.
    public static var expectedHeaders: String {
        signatures.map { "\($0.title): \($0.required.map { $0.joined(separator: " or ") }.joined(separator: ", "))" }
            .joined(separator: "; ")
    }

    /// Reads one record into an account.
    ///
    /// - Parameter instance: The integration instance for kinds that don't name it in a column.
    public func account(from record: CSVRecord, instance: String?) -> (account: AccountRecord?, problems: [Problem]) {
        let fields = record.fields
        func cell(_ index: Int?) -> String? {
            guard let index, index < fields.count else { return nil }
            let value = FormulaGuard.restore(fields[index]).trimmingWhitespace()
            return value.isEmpty ? nil : value
        }
        var problems: [Problem] = []
        let line = record.line
        guard let accountID = cell(accountID) else {
            problems.append(
                Problem(
                    line: line, column: headers[self.accountID], problem: "the account id is empty",
                    fix: "every account needs its id in the integration; remove the row or fill it in"))
            return (nil, problems)
        }
        var integrationName = instance ?? kind?.defaultInstance
        if let column = integration {
            guard let named = cell(column)?.lowercased() else {
                problems.append(
                    Problem(
                        line: line, column: headers[column], problem: "the integration is empty",
                        fix: "name the integration instance, such as harness-code or github"))
                return (nil, problems)
            }
            integrationName = named
        }
        guard let integrationName else {
            problems.append(
                Problem(line: line, problem: "no integration instance", fix: "name it in the config's [[sources]]"))
            return (nil, problems)
        }
        let displayName = displayNames.lazy.compactMap { cell($0) }.first
        let email = emails.lazy.compactMap { cell($0) }.first
        var active = true
        if let value = cell(status)?.lowercased() {
            let column = headers[status!].lowercased()
            if column == "deleted" {
                active = !Self.truthy(value)
            } else if [
                "false", "no", "0", "inactive", "deactivated", "disabled", "blocked", "suspended", "deleted", "banned",
            ]
            .contains(value) {
                active = false
            }
        }
        var isBot = false
        if let value = cell(bot)?.lowercased() {
            isBot = Self.truthy(value) || value == "bot" || value == "app"
        }
        var person: PersonID?
        if let raw = cell(self.person) {
            person = PersonID(parsing: raw)
            if person == nil {
                problems.append(
                    Problem(
                        line: line, column: headers[self.person!], value: raw, problem: "not a Roster person id",
                        fix: "use an id such as U-000017, or leave the cell empty"))
            }
        }
        return (
            AccountRecord(
                line: line, key: AccountKey(integration: integrationName, accountID: accountID), login: cell(login),
                displayName: displayName, email: email, active: active, isBot: isBot, person: person),
            problems
        )
    }

    static func truthy(_ value: String) -> Bool {
        ["true", "yes", "1", "y"].contains(value.lowercased())
    }
}
