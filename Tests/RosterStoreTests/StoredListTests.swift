import Foundation
import PropertyBased
import RosterCore
import Testing

@testable import RosterStore

/// Proposal evidence and flags are kept as JSON arrays of strings; a full pass reads them all back.
@Suite struct StoredListTests {
    static let pieces = [
        "a", "Jane Doe", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{1}", "\u{1F}", "é", "😀", ",", "[",
        "]", "u0041", "\\u", "",
    ]
    static let text = Gen.int(in: 0...(pieces.count - 1)).map { pieces[$0] }.array(of: 0...6).map { $0.joined() }

    @Test func whatIsWrittenReadsBackTheSame() async {
        await propertyCheck(count: 500, input: Self.text.array(of: 0...5)) { list in
            let stored = StoreSQL.encodeList(list)
            #expect(StoreSQL.decodeList(stored) == list)
            // Where the byte reader answers, it answers as JSONDecoder does.
            if let fast = StoreSQL.decodeStringArray(stored) {
                #expect(fast == (try? JSONDecoder().decode([String].self, from: Data(stored.utf8))))
            }
        }
    }

    @Test func aStoredListIsComparedAsItsDecodedForm() async {
        // A list against itself, against one element more or fewer, and against another list.
        let pair = zip(Self.text.array(of: 0...4), Self.text.array(of: 0...4), Gen.int(in: 0...3))
        await propertyCheck(count: 500, input: pair) { first, other, change in
            let stored = StoreSQL.encodeList(first)
            let compared: [String]
            switch change {
            case 0: compared = first
            case 1: compared = first + ["x"]
            case 2: compared = Array(first.dropLast())
            default: compared = other
            }
            let same = StoreSQL.storedList(stored, equals: PackedLines(compared))
            #expect(same == (first == compared), "\(stored) vs \(compared)")
        }
        // Text the byte reader does not take is decoded; elements are not run together.
        #expect(StoreSQL.storedList(#"[ "\u0041" ]"#, equals: PackedLines(["A"])))
        #expect(!StoreSQL.storedList(#"["a", "\u0041"]"#, equals: PackedLines(["a"])))
        #expect(!StoreSQL.storedList(#"["ab"]"#, equals: PackedLines(["a", "b"])))
        #expect(!StoreSQL.storedList(#"["a", ""]"#, equals: PackedLines(["a"])))
        #expect(!StoreSQL.storedList(#"["a"]"#, equals: PackedLines(["a", ""])))
        // Text in another form is decoded, whatever element it differs in.
        #expect(StoreSQL.storedList(#"["a", "b"]"#, equals: PackedLines(["a", "b"])))
        #expect(!StoreSQL.storedList(#"["a", "b"]"#, equals: PackedLines(["a", "c"])))
        #expect(StoreSQL.storedList(#"["\u0041b"]"#, equals: PackedLines(["Ab"])))
        #expect(!StoreSQL.storedList(#"["\u0041b"]"#, equals: PackedLines(["Ac"])))
        #expect(!StoreSQL.storedList("[]", equals: PackedLines(["a"])))
        #expect(!StoreSQL.storedList(#"["a"]"#, equals: PackedLines([])))
        #expect(StoreSQL.storedList("[]", equals: PackedLines([])))
        #expect(!StoreSQL.storedList(#"["a","b"]"#, equals: PackedLines(["a"])))
        #expect(!StoreSQL.storedList(#"["a"]"#, equals: PackedLines(["a", "b"])))
        #expect(!StoreSQL.storedList(#"["ab"]"#, equals: PackedLines(["a"])))
        #expect(!StoreSQL.storedList(#"["a"]"#, equals: PackedLines(["ab"])))
        // Elements with escapes among those without.
        #expect(StoreSQL.storedList(#"["x\"y","z","\\"]"#, equals: PackedLines(["x\"y", "z", "\\"])))
        #expect(!StoreSQL.storedList(#"["x\"y","z"]"#, equals: PackedLines(["x\"z", "z"])))
    }

    @Test func theByteReaderTakesTheCommonListsAndLeavesTheRest() {
        #expect(StoreSQL.decodeStringArray("[]") == [])
        #expect(StoreSQL.decodeStringArray(#"["a","b \"c\" \/ \\ \n"]"#) == ["a", "b \"c\" / \\ \n"])
        #expect(StoreSQL.decodeStringArray(#"["\u0041"]"#) == nil)
        #expect(StoreSQL.decodeStringArray(#"[ "a" ]"#) == nil)
        #expect(StoreSQL.decodeStringArray(#"["a",]"#) == nil)
        #expect(StoreSQL.decodeStringArray(#"["a"]x"#) == nil)
        #expect(StoreSQL.decodeStringArray("[1]") == nil)
        #expect(StoreSQL.decodeList(#"[ "\u0041" ]"#) == ["A"])
    }
}
