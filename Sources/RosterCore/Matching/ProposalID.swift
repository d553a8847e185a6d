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

    /// Reads the id from bytes only when they spell it exactly as ``description`` writes it
    /// (`P-000042`, not `p-42` nor `P-0000042`), so that one proposal has one spelling; nil otherwise.
    ///
    /// Bytes, not a `String`: the proposals folder names hundreds of thousands of files.
    public init?(exactly bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "-"),
            let parsed = PrefixedID.parseASCII(bytes, prefix: "P", prefixRequired: true), let value = parsed
        else { return nil }
        // Zero-padded to six digits and no further.
        var width = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            width += 1
        }
        guard bytes.count - 2 == max(6, width) else { return nil }
        rawValue = value
    }

    public static func < (lhs: ProposalID, rhs: ProposalID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
