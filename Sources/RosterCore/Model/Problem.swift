/// One problem found in an input file: where it is, what is wrong, and how to fix it.
///
/// Bad rows are data, not exceptions: each becomes one line of `<file>.errors.csv`.
public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line in the file; 0 for a problem with the whole file.
    public var line: Int
    /// The column's header as written in the file, or empty when the problem is not in one cell.
    public var column: String
    /// The offending value as read (cut to a readable length).
    public var value: String
    /// What is wrong.
    public var problem: String
    /// How to fix it.
    public var fix: String

    public init(line: Int, column: String = "", value: String = "", problem: String, fix: String) {
        self.line = line
        self.column = column
        self.value = Self.shorten(value)
        self.problem = problem
        self.fix = fix
    }

    /// The header of an errors file.
    public static let csvHeader = ["line", "column", "value", "problem", "fix"]

    /// The cells of this problem's row in an errors file.
    public var csvFields: [String] {
        [String(line), column, FormulaGuard.neutralise(value), problem, fix]
    }

    public var description: String {
        let place = column.isEmpty ? "line \(line)" : "line \(line), column \(column)"
        guard let first = fix.first else { return "\(place): \(problem)." }
        return "\(place): \(problem). \(first.uppercased())\(fix.dropFirst())"
    }

    static func shorten(_ value: String) -> String {
        value.count > 200 ? String(value.prefix(200)) + "…" : value
    }
}
