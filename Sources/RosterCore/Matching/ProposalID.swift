/// The stable id of a merge proposal, written `P-000042`.
public struct ProposalID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// Parses `P-000042`, `p-42`, `P42` or `42`; nil for anything else.
    public init?(parsing text: some StringProtocol) {
        guard let value = PrefixedID.parse(text, prefix: "P", prefixRequired: false) else { return nil }
        self.rawValue = value
    }

    public var description: String { PrefixedID.format(rawValue, prefix: "P") }

    public static func < (lhs: ProposalID, rhs: ProposalID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
