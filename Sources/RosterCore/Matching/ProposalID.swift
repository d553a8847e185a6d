/// The stable id of a merge proposal, written `P-000042`.
public struct ProposalID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// Parses `P-000042`, `p-42`, `P42` or `42`; nil for anything else.
    public init?(parsing text: some StringProtocol) {
        var rest = Substring(text)
        if let first = rest.first, first == "P" || first == "p" { rest = rest.dropFirst() }
        if rest.first == "-" { rest = rest.dropFirst() }
        guard !rest.isEmpty, rest.count <= 18, rest.allSatisfy(\.isASCIIDigit), let value = Int64(rest), value > 0
        else { return nil }
        self.rawValue = value
    }

    public var description: String {
        let digits = String(rawValue)
        return "P-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    public static func < (lhs: ProposalID, rhs: ProposalID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
