import RosterCore
import Testing

/// One input and the records the reader must find in it.
struct ReaderCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: [UInt8]
    var expected: [CSVRecord]
    var encoding: CSVEncoding = .utf8

    init(_ name: String, _ input: String, _ expected: [CSVRecord], encoding: CSVEncoding = .utf8) {
        self.init(name, bytes: Array(input.utf8), expected, encoding: encoding)
    }

    init(_ name: String, bytes: [UInt8], _ expected: [CSVRecord], encoding: CSVEncoding = .utf8) {
        self.name = name
        self.input = bytes
        self.expected = expected
        self.encoding = encoding
    }

    var testDescription: String { name }
}

private func record(_ line: Int, _ fields: String..., issues: [CSVIssue] = []) -> CSVRecord {
    CSVRecord(fields: fields, line: line, issues: issues)
}

private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

@Suite struct CSVReaderTests {
    static let cases: [ReaderCase] = [
        ReaderCase("empty input", "", []),
        ReaderCase("plain fields, LF", "a,b,c\n1,2,3\n", [record(1, "a", "b", "c"), record(2, "1", "2", "3")]),
        ReaderCase("no line end after the last record", "a,b\n1,2", [record(1, "a", "b"), record(2, "1", "2")]),
        ReaderCase("empty fields", ",,\nx,\n", [record(1, "", "", ""), record(2, "x", "")]),
        ReaderCase("spaces are kept", " a , b \n", [record(1, " a ", " b ")]),
        ReaderCase("quoted fields", "\"a\",\"b c\",d\n", [record(1, "a", "b c", "d")]),
        ReaderCase(
            "doubled quotes", "\"say \"\"hi\"\"\",\"\"\"\"\n\"\"\"x\"\"\"\n",
            [record(1, "say \"hi\"", "\""), record(2, "\"x\"")]),
        ReaderCase(
            "comma and LF inside quotes", "\"a,b\",\"line1\nline2\"\nnext,row\n",
            [record(1, "a,b", "line1\nline2"), record(3, "next", "row")]),
        ReaderCase("CRLF line ends", "a,b\r\nc,d\r\n", [record(1, "a", "b"), record(2, "c", "d")]),
        ReaderCase("lone CR line ends", "a\rb\rc", [record(1, "a"), record(2, "b"), record(3, "c")]),
        ReaderCase(
            "mixed line ends", "a\r\nb\nc\rd\r\n",
            [record(1, "a"), record(2, "b"), record(3, "c"), record(4, "d")]),
        ReaderCase(
            "CRLF inside quotes counts one line", "\"x\r\ny\",z\r\nw\r\n",
            [record(1, "x\r\ny", "z"), record(3, "w")]),
        ReaderCase(
            "lone CR and LF inside quotes count one line each", "\"a\rb\nc\r\n\r\nd\"\nnext",
            [record(1, "a\rb\nc\r\n\r\nd"), record(6, "next")]),
        ReaderCase(
            "CR at the end of a quoted field", "\"a\r\"\nb\n", [record(1, "a\r"), record(3, "b")]),
        ReaderCase(
            "blank lines are skipped and still counted", "a\n\n\nb\n\r\n\rc\n\n",
            [record(1, "a"), record(4, "b"), record(7, "c")]),
        ReaderCase("a lone quoted empty field is a record", "\"\"\nx\n", [record(1, ""), record(2, "x")]),
        ReaderCase("a line of commas is a record", ",\n", [record(1, "", "")]),
        ReaderCase(
            "quotes inside an unquoted field and text after a closing quote are kept",
            "a\"b,\"c\"d,\"e\" f\n", [record(1, "a\"b", "cd", "e f")]),
        ReaderCase("non-ASCII text", "é,日本,🙂\nZoë\n", [record(1, "é", "日本", "🙂"), record(2, "Zoë")]),
        ReaderCase(
            "UTF-8 byte-order mark", bytes: bom + Array("name,email\r\nJane,j@x.org\r\n".utf8),
            [record(1, "name", "email"), record(2, "Jane", "j@x.org")], encoding: .utf8WithBOM),
        ReaderCase("only a byte-order mark", bytes: bom, [], encoding: .utf8WithBOM),
        ReaderCase(
            "a byte-order mark before a quoted field", bytes: bom + Array("\"a\"\"\",b".utf8),
            [record(1, "a\"", "b")], encoding: .utf8WithBOM),
        ReaderCase(
            "UTF-16LE with BOM, non-BMP character",
            bytes: utf16Bytes("name,note\r\nZoë,\"😀,🙂\"\r\n", littleEndian: true),
            [record(1, "name", "note"), record(2, "Zoë", "😀,🙂")], encoding: .utf16LittleEndian),
        ReaderCase(
            "UTF-16BE with BOM, non-BMP character", bytes: utf16Bytes("a,\"b\nc\"\r\n𝄞,日本\n", littleEndian: false),
            [record(1, "a", "b\nc"), record(3, "𝄞", "日本")], encoding: .utf16BigEndian),
        ReaderCase(
            "unterminated quote at the end of the file", "a,b\nc,\"d\ne",
            [record(1, "a", "b"), record(2, "c", "d\ne", issues: [CSVIssue(kind: .unterminatedQuote, field: 1)])]),
        ReaderCase(
            "a quote closed by the last byte is not unterminated", "a,\"b\"", [record(1, "a", "b")]),
        ReaderCase(
            "invalid UTF-8 in an unquoted field", bytes: Array("ab,c".utf8) + [0xFF] + Array("d\n".utf8),
            [record(1, "ab", "c\u{FFFD}d", issues: [CSVIssue(kind: .invalidUTF8, field: 1, byteOffset: 4)])]),
        ReaderCase(
            // x , " a " " FF "  →  the bad byte is at offset 6, after a doubled quote.
            "invalid UTF-8 in a quoted field after a doubled quote",
            bytes: [0x78, 0x2C, 0x22, 0x61, 0x22, 0x22, 0xFF, 0x22, 0x0A],
            [record(1, "x", "a\"\u{FFFD}", issues: [CSVIssue(kind: .invalidUTF8, field: 1, byteOffset: 6)])]),
        ReaderCase(
            "invalid UTF-8 on a later line, offset counts the BOM",
            bytes: bom + Array("a\né,".utf8) + [0xC3, 0x28],
            [
                record(1, "a"),
                record(2, "é", "\u{FFFD}(", issues: [CSVIssue(kind: .invalidUTF8, field: 1, byteOffset: 8)]),
            ],
            encoding: .utf8WithBOM),
        ReaderCase(
            // " a b " FF  →  the bad byte follows the closing quote, at offset 4.
            "invalid UTF-8 in text after a closing quote", bytes: [0x22, 0x61, 0x62, 0x22, 0xFF, 0x0A],
            [record(1, "ab\u{FFFD}", issues: [CSVIssue(kind: .invalidUTF8, field: 0, byteOffset: 4)])]),
        ReaderCase(
            // " a " " b " c " FF  →  a doubled quote inside, a lone quote after: offset 8.
            "invalid UTF-8 after a doubled quote, a closing quote and a stray quote",
            bytes: [0x22, 0x61, 0x22, 0x22, 0x62, 0x22, 0x63, 0x22, 0xFF],
            [record(1, "a\"bc\"\u{FFFD}", issues: [CSVIssue(kind: .invalidUTF8, field: 0, byteOffset: 8)])]),
        ReaderCase(
            "a multi-byte character cut short at the end of a field", bytes: [0xE2, 0x82, 0x2C, 0x6F, 0x6B],
            [record(1, "\u{FFFD}", "ok", issues: [CSVIssue(kind: .invalidUTF8, field: 0, byteOffset: 0)])]),
        ReaderCase(
            "half a byte-order mark is invalid UTF-8, not a BOM", bytes: [0xEF, 0xBB, 0x61],
            [record(1, "\u{FFFD}a", issues: [CSVIssue(kind: .invalidUTF8, field: 0, byteOffset: 0)])]),
    ]

    @Test(arguments: cases, Chunking.all)
    func readsRecordsWithTheirLines(_ test: ReaderCase, chunking: Chunking) throws {
        let result = try readAll(test.input, chunking: chunking)
        #expect(result.records == test.expected)
        #expect(result.encoding == test.encoding)
        #expect(!result.sawInvalidUTF16)
    }

    @Test(arguments: Chunking.all)
    func cutsARecordLongerThanTheByteLimitAndGoesOnWithTheNext(chunking: Chunking) throws {
        let result = try readAll(Array("abc,defgh\n\"o\"\"k\"\n".utf8), chunking: chunking, maxRecordBytes: 5)
        #expect(
            result.records == [
                record(1, "abc", "de", issues: [CSVIssue(kind: .recordTooLarge(limit: 5), field: 1)]),
                record(2, "o\"k"),
            ])
    }

    /// Once the limit drops the bytes of a field, a later quote in it is still text, not the start of
    /// a quoted field that would swallow the next lines: only when a read ended just before it did
    /// the reader open a quote there.
    @Test(arguments: Chunking.all)
    func aQuoteAfterBytesDroppedByTheLimitDoesNotOpenAQuotedField(chunking: Chunking) throws {
        let result = try readAll(Array("abcdef,g\"h\ni\n".utf8), chunking: chunking, maxRecordBytes: 6)
        #expect(
            result.records == [
                record(1, "abcdef", "", issues: [CSVIssue(kind: .recordTooLarge(limit: 6), field: 1)]),
                record(2, "i"),
            ])
    }

    @Test(arguments: Chunking.all)
    func cutsARecordWithTooManyFieldsAndGoesOnWithTheNext(chunking: Chunking) throws {
        let result = try readAll(Array("a,b,c,d\r\nx,y\r\n".utf8), chunking: chunking, maxFields: 2)
        #expect(
            result.records == [
                record(1, "a", "b", issues: [CSVIssue(kind: .tooManyFields(limit: 2), field: 2)]),
                record(2, "x", "y"),
            ])
    }

    @Test(arguments: Chunking.all)
    func aRunawayQuoteIsStoppedByTheByteLimit(chunking: Chunking) throws {
        let text = "a,\"never closed\n" + String(repeating: "x,y\n", count: 20)
        let result = try readAll(Array(text.utf8), chunking: chunking, maxRecordBytes: 16)
        let first = try #require(result.records.first)
        #expect(result.records.count == 1)
        #expect(first.line == 1)
        #expect(first.issues.contains(CSVIssue(kind: .recordTooLarge(limit: 16), field: 1)))
        #expect(first.issues.contains(CSVIssue(kind: .unterminatedQuote, field: 1)))
    }

    @Test(arguments: Chunking.all)
    func replacesAnUnpairedSurrogateInUTF16AndSaysSo(chunking: Chunking) throws {
        // "a,<lone high surrogate>b\n" in UTF-16LE.
        let bytes: [UInt8] = [0xFF, 0xFE, 0x61, 0x00, 0x2C, 0x00, 0x3D, 0xD8, 0x62, 0x00, 0x0A, 0x00]
        let result = try readAll(bytes, chunking: chunking)
        #expect(result.records == [record(1, "a", "\u{FFFD}b")])
        #expect(result.sawInvalidUTF16)
    }

    @Test(arguments: Chunking.all)
    func anOddTrailingByteInUTF16IsReplacedAndReported(chunking: Chunking) throws {
        let bytes = utf16Bytes("a,b", littleEndian: true) + [0x63]
        let result = try readAll(bytes, chunking: chunking)
        #expect(result.records == [record(1, "a", "b\u{FFFD}")])
        #expect(result.sawInvalidUTF16)
    }

    @Test(arguments: [1, 2, 3, 7, 64, Int.max])
    func readsALongUTF16FileInAnyChunkSize(chunk: Int) throws {
        let rows = (1...300).map { ["U-\($0)", "Zoë 😀 \($0)", "line\nbreak"] }
        var text = ""
        for row in rows { text += CSVWriter.line(row) + "\r\n" }
        let reader = CSVReader(
            source: BytesSource(utf16Bytes(text, littleEndian: true), chunk: chunk),
            options: .init(chunkSize: 16))
        var records: [CSVRecord] = []
        while let record = try reader.next() { records.append(record) }
        #expect(records.map(\.fields) == rows)
        #expect(records.map(\.line) == Array(stride(from: 1, to: 600, by: 2)))
        #expect(!reader.sawInvalidUTF16)
    }

    @Test func readsWithAnotherDelimiter() throws {
        let reader = CSVReader(
            source: BytesSource("a;\"b;c\";d\n"), options: .init(delimiter: UInt8(ascii: ";")))
        #expect(try reader.next() == record(1, "a", "b;c", "d"))
        #expect(try reader.next() == nil)
    }
}
