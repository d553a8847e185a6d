/// Reading and writing the prefixed ids Roster shows people: `U-000017`, `P-000042`.
enum PrefixedID {
    /// The number in `X-000042`, `x-42` or `X42` (and `42` when the prefix is optional); nil for
    /// anything else.
    static func parse(_ text: some StringProtocol, prefix: Character, prefixRequired: Bool) -> Int64? {
        var rest = Substring(text)
        if let first = rest.first, first.uppercased() == prefix.uppercased() {
            rest = rest.dropFirst()
        } else if prefixRequired {
            return nil
        }
        if rest.first == "-" { rest = rest.dropFirst() }
        guard !rest.isEmpty, rest.count <= 18, rest.allSatisfy(\.isASCIIDigit), let value = Int64(rest), value > 0
        else { return nil }
        return value
    }

    /// `X-` and the number, zero-padded to six digits.
    static func format(_ value: Int64, prefix: Character) -> String {
        let digits = String(value)
        return "\(prefix)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
