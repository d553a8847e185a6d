import PropertyBased

/// Generators of text that stresses CSV and formula handling.
enum TextGen {
    /// Pieces that matter to a CSV reader or writer, or to Unicode handling.
    static let csvPieces: [String] = [
        "a", "Z", "0", " ", "  ", ",", "\"", "\"\"", "\r", "\n", "\r\n", "\t", "'", "=", "-", "é", "e\u{301}",
        "\u{301}", "日本", "😀", "👩‍👩‍👧", "\u{FEFF}", "\u{0}", ";", "\u{2028}", "",
    ]

    /// Pieces that matter to ``FormulaGuard``: the triggers, the apostrophe and what can follow it in one
    /// grapheme (combining marks, joiners, variation selectors).
    static let formulaPieces: [String] = [
        "'", "''", "=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "a", " ", "\u{301}", "\u{200D}", "\u{FE0F}", "é",
        "😀", "1",
    ]

    /// One piece from `pieces`, or now and then any Unicode scalar.
    static func piece(from pieces: [String]) -> Generator<String, some SendableSequenceType> {
        zip(Gen.int(in: 0...(pieces.count + pieces.count / 4)), Gen<UInt32>.value(in: 0...0x10FFFF))
            .map { (index: Int, scalar: UInt32) -> String in
                if index < pieces.count { return pieces[index] }
                return String(Unicode.Scalar(scalar) ?? "\u{FFFD}")
            }
    }

    /// Strings of up to `length` pieces.
    static func string(from pieces: [String], length: ClosedRange<Int>) -> Generator<String, some SendableSequenceType>
    {
        piece(from: pieces).array(of: length).map { $0.joined() }
    }

    /// A CSV cell: empty strings, separators, quotes, line breaks, spaces at either end, non-ASCII.
    static let cell: Generator<String, some SendableSequenceType> = string(from: csvPieces, length: 0...6)

    /// A table of 1 to 8 rows of 1 to 4 cells each (rows may differ in length).
    static let table: Generator<[[String]], some SendableSequenceType> = cell.array(of: 1...4).array(of: 1...8)

    /// A value as a spreadsheet cell might hold it.
    static let formulaValue: Generator<String, some SendableSequenceType> = string(from: formulaPieces, length: 0...6)
}

/// Generators of raw input bytes.
enum ByteGen {
    /// Bytes that steer the reader: quotes, delimiters, line ends, byte-order marks, UTF-8 lead and
    /// continuation bytes, UTF-16 surrogate halves, NUL and plain letters.
    static let interesting: [UInt8] = [
        0x22, 0x2C, 0x0D, 0x0A, 0x61, 0x20, 0xEF, 0xBB, 0xBF, 0xFF, 0xFE, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x00,
        0xD8, 0xDC, 0x3D,
    ]

    /// Up to 48 bytes, sometimes starting with a byte-order mark.
    static let input: Generator<[UInt8], some SendableSequenceType> = zip(
        Gen<UInt8>.value(in: 0...3),
        Gen<UInt8?>.element(of: interesting).map { $0! }.array(of: 0...48)
    )
    .map { (start: UInt8, body: [UInt8]) -> [UInt8] in
        switch start {
        case 1: [0xEF, 0xBB, 0xBF] + body
        case 2: [0xFF, 0xFE] + body
        case 3: [0xFE, 0xFF] + body
        default: body
        }
    }
}
