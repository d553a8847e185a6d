/// What identifies an account: the integration instance and the account's id in it.
public struct AccountKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The integration instance, such as `github` or `jira-prod`.
    public var integration: String
    /// The account's id in that integration.
    public var accountID: String

    public init(integration: String, accountID: String) {
        self.integration = integration
        self.accountID = accountID
    }

    /// `integration:accountID`, the form used in proposals and `roster explain`.
    public var description: String { "\(integration):\(accountID)" }

    public static func < (lhs: AccountKey, rhs: AccountKey) -> Bool {
        (lhs.integration, lhs.accountID) < (rhs.integration, rhs.accountID)
    }
}
