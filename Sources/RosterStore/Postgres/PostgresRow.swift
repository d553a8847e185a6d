import CLibPQ

/// One row of a text-format libpq result.
///
/// The row keeps its result alive, so it stays readable even if kept past the rule of
/// ``SQLCursor`` (valid until the next row).
public struct PostgresRow: SQLRow {
    let result: PostgresResult
    let row: Int32

    public func isNull(_ column: Int) -> Bool {
        PQgetisnull(result.handle, row, Int32(column)) == 1
    }

    /// The column as an integer; 0 for NULL, as SQLite does. Parsed by hand: it's the hottest
    /// accessor of a merge-join over millions of rows.
    public func int64(_ column: Int) -> Int64 {
        bytes(column) { bytes in
            if let integer = Self.parseInteger(bytes) { return integer }
            // A numeric such as `sum(…)` or `avg(…)` gives: truncated, as SQLite reads a real.
            guard let real = Double(String(decoding: bytes, as: UTF8.self)) else { return 0 }
            return Int64(exactly: real.rounded(.towardZero)) ?? 0
        }
    }

    public func double(_ column: Int) -> Double {
        let text = text(column)
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text) ?? 0
        }
    }

    public func text(_ column: Int) -> String {
        bytes(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// `t`/`f` as PostgreSQL writes booleans, and `1`/`0` for an integer column used as one.
    public func bool(_ column: Int) -> Bool {
        bytes(column) { bytes in
            guard let first = bytes.first else { return false }
            return first == UInt8(ascii: "t") || first == UInt8(ascii: "1") || first == UInt8(ascii: "T")
        }
    }

    private func bytes<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let column = Int32(column)
        guard let value = PQgetvalue(result.handle, row, column) else {
            return body(UnsafeBufferPointer(start: nil, count: 0))
        }
        let count = Int(PQgetlength(result.handle, row, column))
        return value.withMemoryRebound(to: UInt8.self, capacity: count) {
            body(UnsafeBufferPointer(start: $0, count: count))
        }
    }

    /// A decimal integer, or nil when the text is something else or out of range.
    static func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < bytes.count else { return nil }
        // Accumulated negatively: Int64.min has no positive twin.
        var value: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !overflow1 && !overflow2 else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }
}
