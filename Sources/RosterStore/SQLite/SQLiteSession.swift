public import GRDB
import GRDBSQLite

/// A prepared statement bound and stepped through the SQLite C API.
///
/// Written by hand for the per-row path of an ingest: GRDB's `execute(arguments:)` boxes every
/// value in a `DatabaseValueConvertible` existential and an array, which on a 1,000,000-row file
/// cost more than SQLite's own work (measured with perf on `bench/ingest.sh`). GRDB still prepares
/// and owns the statement.
public struct RawStatement: SQLStatement {
    private let statement: Statement
    private let database: Database
    private var handle: OpaquePointer { statement.sqliteStatement }

    init(_ database: Database, sql: String, cached: Bool = false) throws {
        self.database = database
        statement = try cached ? database.cachedStatement(sql: sql) : database.makeStatement(sql: sql)
    }

    public func bind(_ index: Int32, _ text: String?) {
        guard var text else {
            _ = sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
        }
    }

    public func bind(_ index: Int32, _ value: Int64?) {
        if let value { _ = sqlite3_bind_int64(handle, index, value) } else { _ = sqlite3_bind_null(handle, index) }
    }

    public func bind(_ index: Int32, _ value: Double?) {
        if let value { _ = sqlite3_bind_double(handle, index, value) } else { _ = sqlite3_bind_null(handle, index) }
    }

    public func bind(_ index: Int32, _ value: Bool?) {
        bind(index, value.map { $0 ? 1 : 0 } as Int64?)
    }

    @discardableResult
    public func run() throws -> Int {
        defer { reset() }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw error(code) }
        return Int(sqlite3_changes(database.sqliteConnection))
    }

    public func forEach(_ each: (SQLiteRow) throws -> Void) throws {
        defer { reset() }
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_ROW: try each(SQLiteRow(handle: handle))
            case SQLITE_DONE: return
            default: throw error(code)
            }
        }
    }

    /// Runs an insert prepared without `RETURNING` (``SQLiteSession/prepareInsert(_:)``) and
    /// returns the rowid SQLite gave the row.
    public func runInsert() throws -> Int64? {
        try run()
        return sqlite3_last_insert_rowid(database.sqliteConnection)
    }

    /// Steps once: the next row, or nil (and the statement reset) at the end.
    func step() throws -> SQLiteRow? {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return SQLiteRow(handle: handle)
        case SQLITE_DONE:
            reset()
            return nil
        default:
            reset()
            throw error(code)
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

/// The current row of a stepped SQLite statement.
public struct SQLiteRow: SQLRow {
    let handle: OpaquePointer

    public func isNull(_ column: Int) -> Bool { sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL }
    public func int64(_ column: Int) -> Int64 { sqlite3_column_int64(handle, Int32(column)) }
    public func double(_ column: Int) -> Double { sqlite3_column_double(handle, Int32(column)) }
    public func bool(_ column: Int) -> Bool { sqlite3_column_int64(handle, Int32(column)) != 0 }

    public func text(_ column: Int) -> String {
        guard let bytes = sqlite3_column_text(handle, Int32(column)) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

/// A query stepped row by row; SQLite lets many be open on one connection.
public struct SQLiteCursor: SQLCursor {
    let statement: RawStatement
    public mutating func next() throws -> SQLiteRow? { try statement.step() }
}

/// ``SQLSession`` on a GRDB connection.
public struct SQLiteSession: SQLSession {
    let db: Database

    public func prepare(_ sql: String) throws -> RawStatement {
        try RawStatement(db, sql: sql, cached: true)
    }

    public func execute(_ sql: String) throws {
        try db.execute(sql: sql)
    }

    /// The insert as written: ``RawStatement/runInsert()`` reads the rowid.
    public func prepareInsert(_ sql: String) throws -> RawStatement {
        try prepare(sql)
    }

    public func cursor(_ sql: String, _ arguments: [SQLValue]) throws -> SQLiteCursor {
        let statement = try RawStatement(db, sql: sql)
        statement.bind(arguments)
        return SQLiteCursor(statement: statement)
    }

    /// Each connection keeps up to 64 MiB of pages (``SQLiteStore``); a full proposals pass reads
    /// every person on one connection and the whole key index on another, and both caches stayed
    /// full through the rest of the pass (heaptrack, `bench/proposals.sh`).
    public func releaseCache() throws {
        try db.execute(sql: "PRAGMA shrink_memory")
    }

    /// The key index of 1,000,000 people (9.3 million rows) filled the 64 MiB cache of the
    /// connection that compares it with a full pass's keys, or writes it anew after an ingest,
    /// while the pass held its profiles, blocks and keys: the peak RSS of `bench/proposals.sh`.
    /// Dirty pages beyond the small cache go to the write-ahead log before the commit.
    public func withSmallCache<T>(_ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA cache_size = -2048")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(SQLiteStore.cacheSize)") }
        let result = try body()
        try releaseCache()
        return result
    }
}

/// ``SQLDatabase`` on a GRDB writer: reads from the pool's snapshots, writes in `IMMEDIATE`
/// transactions (SQLite's single writer is the serialisation).
public struct SQLiteDatabase: SQLDatabase {
    public let writer: any DatabaseWriter

    /// An ingest of 1,000,000 rows left the writer's 64 MiB cache full when the proposals pass
    /// that follows it began (peak RSS of `bench/proposals.sh`).
    public func releaseMemory() {
        if let pool = writer as? DatabasePool {
            pool.releaseMemory()
        } else if let queue = writer as? DatabaseQueue {
            queue.releaseMemory()
        }
    }

    public func read<T>(_ body: (SQLiteSession) throws -> T) throws -> T {
        try writer.read { db in try body(SQLiteSession(db: db)) }
    }

    public func write<T>(_ body: (SQLiteSession) throws -> (value: T, commit: Bool)) throws -> T {
        try writer.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                let (value, commit) = try body(SQLiteSession(db: db))
                result = value
                return commit ? .commit : .rollback
            }
            return result!
        }
    }
}

private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
