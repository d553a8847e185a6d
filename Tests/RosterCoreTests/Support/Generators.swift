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
