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

    /// The ids of a comma-separated list (`U-000001,U-000002`, the form a proposal's people are
    /// kept in), each item as ``init(parsing:)`` reads it; items that are not ids are left out.
    ///
    /// Here rather than a `split` and ``init(parsing:)`` per item in the store: called from another
    /// module, that generic parser ran unspecialised, and reading the people of 241,522 open
    /// proposals took 2.7 s of a full pass's recording (perf, `bench/proposals.sh 1000000`).
    public static func list(parsing text: String) -> [PersonID] {
        var text = text
        return text.withUTF8 { bytes in
            var ids: [PersonID] = []
            var start = 0
            for end in 0...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: ",") {
                let item = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                let value =
                    PrefixedID.parseASCII(item, prefix: "U", prefixRequired: true)
                    ?? PrefixedID.parseCharacters(
                        String(decoding: item, as: UTF8.self), prefix: "U", prefixRequired: true)
                if let value { ids.append(PersonID(value)) }
            }
            return ids
        }
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
