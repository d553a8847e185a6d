import PropertyBased
import RosterCore
import Testing

/// A draft's evidence lines are kept in one buffer (``PackedLines``) and read back as they were.
@Suite struct PackedLinesTests {
    static let pieces = ["", "a", "Jane Doe", "é", "😀", "\n", "\u{0}", "\u{80}", String(repeating: "x", count: 127)]
    static let line = Gen.int(in: 0...(pieces.count - 1)).map { pieces[$0] }.array(of: 0...4).map { $0.joined() }

    @Test func linesReadBackAsTheyWere() async {
        await propertyCheck(count: 500, input: Self.line.array(of: 0...8)) { lines in
            #expect(PackedLines(lines).lines == lines)
            let draft = ProposalDraft(
                people: [PersonID(1), PersonID(2)], survivor: PersonID(1), confidence: 0.9, evidence: lines, flags: [])
            #expect(draft.evidence == lines)
        }
    }

    @Test func longLinesAndEqualityFollowTheLines() {
        let long = String(repeating: "ab", count: 20_000)
        #expect(PackedLines([long, ""]).lines == [long, ""])
        #expect(PackedLines(["ab"]) != PackedLines(["a", "b"]))
        #expect(PackedLines(["a", ""]) != PackedLines(["a"]))
        #expect(PackedLines([]) == PackedLines([]))
    }
}
