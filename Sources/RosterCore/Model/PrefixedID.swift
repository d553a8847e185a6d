/// Reading and writing the prefixed ids Roster shows people: `U-000017`, `P-000042`.
enum PrefixedID {
    /// The number in `X-000042`, `x-42` or `X42` (and `42` when the prefix is optional); nil for
    /// anything else.
    static func parse(_ text: some StringProtocol, prefix: Character, prefixRequired: Bool) -> Int64? {
        if let answer = parseASCII(text.utf8, prefix: prefix, prefixRequired: prefixRequired) { return answer }
        return parseCharacters(text, prefix: prefix, prefixRequired: prefixRequired)
    }

    /// ``parse(_:prefix:prefixRequired:)`` character by character, for any text.
    static func parseCharacters(_ text: some StringProtocol, prefix: Character, prefixRequired: Bool) -> Int64? {
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

    /// ``parse(_:prefix:prefixRequired:)`` of ASCII text, byte by byte; nil (rather than an
    /// answer of nil) when the text is not ASCII.
    ///
    /// A full pass reads the people of every open proposal as ids; parsing them by characters was
    /// a fifth of recording the pass (perf, `bench/proposals.sh 300000`).
    static func parseASCII(
        _ bytes: some Collection<UInt8>, prefix: Character, prefixRequired: Bool
    ) -> Int64?? {
        guard let prefixByte = prefix.asciiValue, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var rest = bytes[...]
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        if let first = rest.first,
            first == prefixByte || (isLetter(first) && isLetter(prefixByte) && first | 0x20 == prefixByte | 0x20)
        {
            rest = rest.dropFirst()
        } else if prefixRequired {
            return .some(nil)
        }
        if rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
        guard !rest.isEmpty, rest.count <= 18 else { return .some(nil) }
        var value: Int64 = 0
        for byte in rest {
            guard byte >= 0x30, byte <= 0x39 else { return .some(nil) }
            value = value * 10 + Int64(byte - 0x30)
        }
        return .some(value > 0 ? value : nil)
    }

    /// `X-` and the number, zero-padded to six digits.
    static func format(_ value: Int64, prefix: Character) -> String {
        let digits = String(value)
        return "\(prefix)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
