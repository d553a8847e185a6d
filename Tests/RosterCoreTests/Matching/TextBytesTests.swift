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

/// The handle rules compare a text's bytes in its storage (``NameEvidence/holds(_:_:at:)``): the
/// answers must be those of comparing the UTF-8 views byte by byte.
@Suite struct HeldBytesTests {
    static let texts = [
        "", "j", "jdoe", "jdoa", "doe", "jane", "janedoe", "doejane", "jane.doe", "zoë", "zoëdoe", "李", "李小龍",
        "a-very-long-handle-with-no-end", "a-very-long", "handle-with-no-end", "ë",
    ]

    @Test func holdsIsAByteComparison() {
        for text in Self.texts {
            for part in Self.texts {
                for offset in 0...(text.utf8.count + 1) {
                    let expected = Array(text.utf8).dropFirst(offset).starts(with: Array(part.utf8))
                    #expect(NameEvidence.holds(text, part, at: offset) == expected, "\(text) \(part) \(offset)")
                }
                let ends = Array(text.utf8).reversed().starts(with: Array(part.utf8).reversed())
                #expect(NameEvidence.endsWith(text, part) == ends, "\(text) \(part)")
            }
        }
    }

    @Test func spellsIsTheJoinedBytes() {
        for text in Self.texts {
            for head in Self.texts {
                for tail in Self.texts {
                    #expect(NameEvidence.spells(text, head, tail) == (Array(text.utf8) == Array((head + tail).utf8)))
                    #expect(
                        NameEvidence.spells(text, [head, tail, head])
                            == (text.utf8.elementsEqual((head + tail + head).utf8)))
                }
            }
        }
    }
}
