import Testing

@testable import RosterCore

/// Blocking keys are stored by their FNV-1a hash: the hash of a text must not depend on how its
/// bytes are handed over.
@Suite struct FNV1aTests {
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = FNV1a()
        hash.add(bytes)
        return hash.value
    }

    /// The published 64-bit FNV-1a values.
    @Test func knownValues() {
        #expect(Self.hash("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(Self.hash("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(Self.hash("foobar".utf8) == 0x8594_4171_f739_67e8)
    }

    @Test(arguments: ["", "jdoe", "jane doe", "Zoë Ångström", "李小龍", String(repeating: "a long name ", count: 6)])
    func everyFormOfATextHashesAlike(text: String) {
        let expected = Self.hash(Array(text.utf8))
        // In place (a string's or a substring's storage) and byte by byte (a lazy view has none).
        #expect(Self.hash(text.utf8) == expected)
        #expect(Self.hash(Substring(text).utf8) == expected)
        #expect(Self.hash(("<" + text + ">").dropFirst().dropLast().utf8) == expected)
        #expect(Self.hash(text.utf8.lazy.map { $0 }) == expected)
        #expect(BlockingKeys.hash(text) == expected)
    }
}
