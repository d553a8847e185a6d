/// The kinds of input file Roster understands.
public enum FileKind: String, Sendable, CaseIterable {
    /// The users CSV that admins export, edit and import again.
    case usersCSV = "users-csv"

    /// A readable name for reports.
    public var title: String {
        switch self {
        case .usersCSV: "users CSV"
        }
    }

    /// Which kind a CSV file is, from its header, and why.
    ///
    /// - Returns: The kind and a reason for the report, or nil when the header matches no kind.
    public static func recognise(csvHeader header: [String], fileName: String) -> (kind: FileKind, reason: String)? {
        if UsersCSVLayout.matches(header: header) {
            return (.usersCSV, "the header has full_name (or name) and email columns")
        }
        return nil
    }

    /// What the user should know when a header matches no kind.
    public static let expectedHeaders =
        "a users CSV needs the columns full_name (or name) and email, optionally id, other_emails, "
        + "integration:<name> and declared attributes"
}
