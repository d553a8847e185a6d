/// A statement prepared on one connection, its arguments sent as text for the server to convert
/// to the types it inferred.
///
/// Text keeps one path for every type and lets PostgreSQL do the conversions it documents
/// (`t`/`f` for booleans, decimal integers, shortest round-trip doubles).
public final class PostgresStatement: SQLStatement {
    private let connection: PostgresConnection
    private let prepared: PostgresConnection.Prepared
    private var arguments: [String?]
    /// A bound value PostgreSQL can't take, reported by the next run (binding can't throw).
    private var invalid: StoreError?

    init(connection: PostgresConnection, prepared: PostgresConnection.Prepared) {
        self.connection = connection
        self.prepared = prepared
        arguments = Array(repeating: nil, count: prepared.parameterCount)
    }

    public func bind(_ index: Int32, _ value: String?) {
        if let value, value.utf8.contains(0) {
            invalid = Self.nulError(sql: prepared.sql)
        }
        set(index, value)
    }

    public func bind(_ index: Int32, _ value: Int64?) {
        set(index, value.map { String($0) })
    }

    public func bind(_ index: Int32, _ value: Double?) {
        set(index, value.map(Self.text))
    }

    public func bind(_ index: Int32, _ value: Bool?) {
        set(index, value.map { $0 ? "t" : "f" })
    }

    @discardableResult
    public func run() throws -> Int {
        try execute().changedRows
    }

    /// Sends the statement without waiting for its result (``PostgresConnection/send(_:_:expecting:failure:)``).
    public func enqueue(expecting: Int?, failure: (() -> String)?) throws {
        defer {
            arguments = Array(repeating: nil, count: prepared.parameterCount)
            invalid = nil
        }
        if let invalid { throw invalid }
        try connection.send(prepared, arguments, expecting: expecting, failure: failure)
    }

    public func forEach(_ each: (PostgresRow) throws -> Void) throws {
        let result = try execute()
        for row in 0..<result.rowCount {
            try each(PostgresRow(result: result, row: row))
        }
    }

    /// Runs with the bound arguments, then clears them for the next run.
    private func execute() throws(StoreError) -> PostgresResult {
        defer {
            arguments = Array(repeating: nil, count: prepared.parameterCount)
            invalid = nil
        }
        if let invalid { throw invalid }
        return try connection.execute(prepared, arguments)
    }

    private func set(_ index: Int32, _ text: String?) {
        let offset = Int(index) - 1
        guard offset >= 0 else { return }
        // A position past the placeholders is sent anyway, for the server to name the mismatch.
        if offset >= arguments.count { arguments += Array(repeating: nil, count: offset - arguments.count + 1) }
        arguments[offset] = text
    }

    /// `value` as PostgreSQL's text input; nil for NULL.
    static func text(_ value: SQLValue, sql: String) throws(StoreError) -> String? {
        switch value {
        case .null: return nil
        case .integer(let integer): return String(integer)
        case .real(let real): return text(real)
        case .boolean(let boolean): return boolean ? "t" : "f"
        case .text(let text):
            guard !text.utf8.contains(0) else { throw nulError(sql: sql) }
            return text
        }
    }

    /// A double as the shortest text that reads back as the same double, in PostgreSQL's spelling
    /// of the special values.
    static func text(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return "\(value)"
    }

    private static func nulError(sql: String) -> StoreError {
        StoreError(
            "PostgreSQL can't store text that contains a NUL character; nothing was written.", cause: "SQL: \(sql)")
    }
}
