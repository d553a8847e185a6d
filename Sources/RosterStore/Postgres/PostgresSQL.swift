/// The store's shared SQL made into PostgreSQL's.
enum PostgresSQL {
    /// The statement with its `?` placeholders numbered `$1`, `$2`, … as PostgreSQL wants them,
    /// and how many there are.
    ///
    /// The shared SQL is written with SQLite's anonymous `?`. A `?` inside a string literal
    /// (`'…'`, `E'…'` with backslash escapes), a quoted identifier (`"…"`) or a comment (`--`,
    /// nested `/* */`) is text, not a placeholder, and is left alone. Dollar-quoted strings and
    /// PostgreSQL's `?` JSON operators are not recognised: the shared SQL uses neither.
    static func numberingPlaceholders(_ sql: String) -> (sql: String, count: Int) {
        let bytes = Array(sql.utf8)
        guard bytes.contains(UInt8(ascii: "?")) else { return (sql, 0) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var count = 0
        var copied = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "?"):
                count += 1
                output.append(contentsOf: bytes[copied..<index])
                output.append(UInt8(ascii: "$"))
                output.append(contentsOf: String(count).utf8)
                index += 1
                copied = index
            case UInt8(ascii: "'"):
                let escapes = index > 0 && isEscapeStringPrefix(bytes, before: index)
                index = endOfQuoted(bytes, from: index, quote: byte, backslashEscapes: escapes)
            case UInt8(ascii: "\""):
                index = endOfQuoted(bytes, from: index, quote: byte, backslashEscapes: false)
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                index = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                index = endOfBlockComment(bytes, from: index)
            default:
                index += 1
            }
        }
        output.append(contentsOf: bytes[copied...])
        return (String(decoding: output, as: UTF8.self), count)
    }

    /// Whether the quote at `index` opens an `E'…'` string, whose backslashes escape.
    private static func isEscapeStringPrefix(_ bytes: [UInt8], before index: Int) -> Bool {
        let previous = bytes[index - 1]
        guard previous == UInt8(ascii: "E") || previous == UInt8(ascii: "e") else { return false }
        guard index >= 2 else { return true }
        let beforeThat = bytes[index - 2]
        let isIdentifierByte =
            (beforeThat >= UInt8(ascii: "a") && beforeThat <= UInt8(ascii: "z"))
            || (beforeThat >= UInt8(ascii: "A") && beforeThat <= UInt8(ascii: "Z"))
            || (beforeThat >= UInt8(ascii: "0") && beforeThat <= UInt8(ascii: "9"))
            || beforeThat == UInt8(ascii: "_") || beforeThat >= 0x80
        return !isIdentifierByte
    }

    /// The index just past the quote that closes the literal or identifier opened at `start`; a
    /// doubled quote stays inside.
    private static func endOfQuoted(_ bytes: [UInt8], from start: Int, quote: UInt8, backslashEscapes: Bool) -> Int {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            if backslashEscapes && byte == UInt8(ascii: "\\") {
                index += 2
            } else if byte == quote {
                if index + 1 < bytes.count && bytes[index + 1] == quote {
                    index += 2
                } else {
                    return index + 1
                }
            } else {
                index += 1
            }
        }
        return bytes.count
    }

    /// The index just past the `*/` that closes the comment opened at `start`; PostgreSQL nests them.
    private static func endOfBlockComment(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "/") && bytes[index + 1] == UInt8(ascii: "*") {
                depth += 1
                index += 2
            } else if bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/") {
                depth -= 1
                index += 2
                if depth == 0 { return index }
            } else {
                index += 1
            }
        }
        return bytes.count
    }
}
