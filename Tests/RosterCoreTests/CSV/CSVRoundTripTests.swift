import PropertyBased
import RosterCore
import Testing

@Suite struct CSVRoundTripTests {
    /// The physical line each record starts on, counting CR, LF and CRLF inside cells as one line end each.
    static func expectedLines(_ table: [[String]]) -> [Int] {
        var line = 1
        var lines: [Int] = []
        for row in table {
            lines.append(line)
            for cell in row {
                var previous: Unicode.Scalar = " "
                for scalar in cell.unicodeScalars {
                    if scalar == "\r" || (scalar == "\n" && previous != "\r") { line += 1 }
                    previous = scalar
                }
            }
            line += 1
        }
        return lines
    }

    @Test func writingThenReadingGivesBackEveryCellAndLine() async throws {
        await propertyCheck(count: 300, input: TextGen.table) { table in
            let bytes = try writeTable(table, flushSize: 7)
            for chunking in Chunking.all {
                let read = try readAll(bytes, chunking: chunking)
                #expect(read.records.map(\.fields) == table, "\(chunking.testDescription)")
                #expect(read.records.map(\.line) == Self.expectedLines(table), "\(chunking.testDescription)")
                #expect(read.records.allSatisfy { $0.issues.isEmpty })
            }
        }
    }

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

    @Test func aByteOrderMarkAtTheStartOfTheFirstCellIsNotTakenForTheFileBOM() throws {
        let table = [["\u{FEFF}id", "name"], ["1", "\u{FEFF}"]]
        let bytes = try writeTable(table)
        let read = try readAll(bytes)
        #expect(read.records.map(\.fields) == table)
        #expect(read.encoding == .utf8)
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
