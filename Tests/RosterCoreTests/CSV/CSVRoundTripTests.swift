import RosterCore
import Testing

@Suite struct CSVRoundTripTests {
    @Test(arguments: [
        [[""]],
        [["a"], [""], ["b"]],
        [[""], [""]],
        [["x", "y"], [""]],
    ])
    func aRowOfOneEmptyCellSurvivesTheRoundTrip(_ table: [[String]]) throws {
        let bytes = try writeTable(table)
        #expect(try readAll(bytes).records.map(\.fields) == table)
    }

    @Test func aRowOfOneEmptyCellIsWrittenAsAQuotedEmptyField() {
        #expect(CSVWriter.line([""]) == "\"\"")
        #expect(CSVWriter.line(["", ""]) == ",")
        #expect(CSVWriter.line([String]()) == "")
    }

    @Test(arguments: [
        (["plain", "with space"], "plain,with space"),
        (["a,b", "say \"hi\""], "\"a,b\",\"say \"\"hi\"\"\""),
        ([" lead", "trail ", " "], "\" lead\",\"trail \",\" \""),
        (["line\nbreak", "cr\rhere", "\t tab"], "\"line\nbreak\",\"cr\rhere\",\t tab"),
        (["", "é", "😀"], ",é,😀"),
    ])
    func quotesOnlyWhatMustBeQuoted(fields: [String], expected: String) {
        #expect(CSVWriter.line(fields) == expected)
    }

    @Test func handsBytesToTheSinkInOrderAtTheFlushSize() throws {
        var chunks: [[UInt8]] = []
        var writer = CSVWriter(flushSize: 8) { chunks.append($0) }
        try writer.write(["abc", "def"])  // 8 bytes: flushed
        #expect(chunks.count == 1)
        try writer.write(["x"])  // 2 bytes: kept
        #expect(chunks.count == 1)
        try writer.flush()
        try writer.flush()  // nothing left: no empty chunk
        #expect(chunks == [Array("abc,def\n".utf8), Array("x\n".utf8)])
    }
}
