/// Keeps spreadsheet programs from running cell values as formulas (CSV injection).
///
/// A value that starts with `=`, `+`, `-`, `@`, a tab or a CR is written with a leading `'`, which
/// spreadsheets show as text. So that every value survives export and import unchanged, a value
/// that starts with `'` followed by something that would itself be guarded gets one more `'`, and
/// ``restore(_:)`` removes exactly one.
public enum FormulaGuard {
    private static func isTrigger(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: true
        default: false
        }
    }

    /// Whether ``neutralise(_:)`` would prefix `value`.
    public static func needsGuard<S: StringProtocol>(_ value: S) -> Bool {
        var utf8 = value.utf8[...]
        while let first = utf8.first {
            if isTrigger(first) { return true }
            guard first == UInt8(ascii: "'") else { return false }
            utf8 = utf8.dropFirst()
        }
        return false
    }

    /// The value as it should be written to a CSV cell.
    public static func neutralise(_ value: String) -> String {
        needsGuard(value) ? "'" + value : value
    }

    /// The value as it was before ``neutralise(_:)``; other values are returned unchanged.
    public static func restore(_ cell: String) -> String {
        guard cell.utf8.first == UInt8(ascii: "'") else { return cell }
        // Drop the apostrophe scalar, not the first Character: `'` followed by a combining mark is one Character.
        let rest = Substring(cell.unicodeScalars.dropFirst())
        return needsGuard(rest) ? String(rest) : cell
    }
}
