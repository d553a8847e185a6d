/// Roster's stable id of a person, written `U-000017`.
public struct PersonID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number behind the id; the store's row id.
    public let rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// Parses `U-000017`, `u-17` or `U17`; nil for anything else.
    public init?(parsing text: some StringProtocol) {
        guard let value = PrefixedID.parse(text, prefix: "U", prefixRequired: true) else { return nil }
        self.rawValue = value
    }

    public var description: String { PrefixedID.format(rawValue, prefix: "U") }

    public static func < (lhs: PersonID, rhs: PersonID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension Character {
    var isASCIIDigit: Bool {
        guard let ascii = asciiValue else { return false }
        return ascii >= 0x30 && ascii <= 0x39
    }
}
