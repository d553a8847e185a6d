/// Roster's stable id of a person, written `U-000017`.
public struct PersonID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number behind the id; the store's row id.
    public let rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// Parses `U-000017`, `u-17` or `U17`; nil for anything else.
    public init?(parsing text: some StringProtocol) {
        var rest = Substring(text)
        guard let first = rest.first, first == "U" || first == "u" else { return nil }
        rest = rest.dropFirst()
        if rest.first == "-" { rest = rest.dropFirst() }
        guard !rest.isEmpty, rest.count <= 18, rest.allSatisfy(\.isASCIIDigit), let value = Int64(rest), value > 0
        else { return nil }
        self.rawValue = value
    }

    public var description: String {
        let digits = String(rawValue)
        return "U-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

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
