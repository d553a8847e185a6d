import GRDB
import GRDBSQLite

/// A prepared statement bound and stepped through the SQLite C API.
///
/// Written by hand for the per-row path of an ingest: GRDB's `execute(arguments:)` boxes every
/// value in a `DatabaseValueConvertible` existential and an array, which on a 1,000,000-row file
/// cost more than SQLite's own work (measured with perf on `bench/ingest.sh`). GRDB still prepares
/// and owns the statement.
struct RawStatement {
    private let statement: Statement
    private let database: Database
    private var handle: OpaquePointer { statement.sqliteStatement }

    init(_ database: Database, sql: String) throws {
        self.database = database
        statement = try database.makeStatement(sql: sql)
    }

    func bind(_ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
        }
    }

    func bind(_ index: Int32, _ text: String?) {
        if let text { bind(index, text) } else { _ = sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int64) {
        _ = sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { bind(index, value) } else { _ = sqlite3_bind_null(handle, index) }
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        defer { reset() }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Runs a query and returns the first column of its first row as an integer, if any.
    func int64() throws -> Int64? {
        defer { reset() }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return sqlite3_column_int64(handle, 0)
        case SQLITE_DONE: return nil
        default: throw error(code)
        }
    }

    /// Runs a query and hands its first row, if any, to `read`.
    func firstRow<T>(_ read: (Row) -> T) throws -> T? {
        defer { reset() }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return read(Row(handle: handle))
        case SQLITE_DONE: return nil
        default: throw error(code)
        }
    }

    /// The current row of a stepped statement.
    struct Row {
        let handle: OpaquePointer

        func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

        func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(handle, column) != SQLITE_NULL, let bytes = sqlite3_column_text(handle, column)
            else { return nil }
            return String(cString: bytes)
        }
    }

    private func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(database.sqliteConnection)),
            sql: statement.sql)
    }
}

private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
