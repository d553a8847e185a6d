import RosterCore
public import RosterStore

/// The accounts export: every account with its person, like DevLake's user-account mapping, in a
/// layout Roster reads back as a generic accounts CSV (so re-importing it changes nothing).
///
/// Columns: `integration,account_id,login,display_name,email,person_id,status,bot`; rows sorted by
/// integration and account id.
public enum AccountsExport {
    public static let header = [
        "integration", "account_id", "login", "display_name", "email", "person_id", "status", "bot",
    ]

    public static func write(store: any RosterStore, sink: @escaping ([UInt8]) throws -> Void) throws {
        var writer = CSVWriter(sink: sink)
        try writer.write(header)
        try store.forEachAccount { account in try writer.write(fields(of: account)) }
        try writer.flush()
    }

    /// The cells of `account`'s row, neutralised.
    static func fields(of account: ExportedAccount) -> [String] {
        let f = account.fields
        return [
            account.key.integration, account.key.accountID, f.login ?? "", f.displayName ?? "", f.email ?? "",
            account.person.description, f.status, f.isBot ? "true" : "false",
        ].map(FormulaGuard.neutralise)
    }
}
