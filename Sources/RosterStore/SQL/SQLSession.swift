/// What the roster's rules need of a database, so that one implementation of them serves SQLite
/// (``SQLiteDatabase``) and PostgreSQL (``PostgresDatabase``).
///
/// The store's SQL is written once, in the dialect both engines share: `?` placeholders (numbered
/// for PostgreSQL when prepared), `TRUE`/`FALSE`, `ON CONFLICT … DO UPDATE|NOTHING` for upserts,
/// `RETURNING id` for new rows (``SQLSession/prepareInsert(_:)``), `IN` lists as a fixed set of placeholders (`StoreSQL.inList`).
/// What differs (schema, migrations, locking, connections) stays in each engine's own files; what
/// a server does faster in batches (``SQLSession/prefersBatches``) is asked through this layer.
public protocol SQLDatabase: Sendable {
    associatedtype Session: SQLSession

    /// Runs `body` on a consistent snapshot of the store.
    func read<T>(_ body: (Session) throws -> T) throws -> T

    /// Runs `body` in one write transaction, serialised with every other writer of the store, and
    /// commits when `body` says so; any error rolls everything back.
    func write<T>(_ body: (Session) throws -> (value: T, commit: Bool)) throws -> T

    /// Frees what the connections cached (pages read or written), when a long step is to start
    /// with as little memory held as can be.
    func releaseMemory()
}

extension SQLDatabase {
    /// Frees what the connections cached; nothing by default.
    public func releaseMemory() {}

    /// Runs `body` in one write transaction and commits it unless it throws.
    public func write<T>(_ body: (Session) throws -> T) throws -> T {
        try write { session in (try body(session), true) }
    }
}

/// One connection, inside a transaction while the store's logic uses it.
public protocol SQLSession {
    associatedtype Row: SQLRow
    associatedtype Statement: SQLStatement where Statement.Row == Row
    associatedtype Cursor: SQLCursor where Cursor.Row == Row

    /// Prepares a statement to run many times with different arguments.
    func prepare(_ sql: String) throws -> Statement

    /// Runs statements that need no arguments; several may be separated by semicolons.
    func execute(_ sql: String) throws

    /// Prepares an `INSERT` of one row, written without `RETURNING`, for
    /// ``SQLStatement/runInsert()`` to run and give the new row's `id`. By default `RETURNING id`
    /// is added; SQLite reads its last inserted rowid instead, because `RETURNING` makes it
    /// gather the rows in a temporary table on every run (a third of the time of a 1,000,000-row
    /// users CSV, perf on `bench/ingest.sh`).
    func prepareInsert(_ sql: String) throws -> Statement

    /// Streams the rows of a query; several cursors may be open at once.
    func cursor(_ sql: String, _ arguments: [SQLValue]) throws -> Cursor

    /// An id for a new row of `table` to insert with it, on an engine where sending the insert
    /// without waiting beats reading `RETURNING id`; nil to use `RETURNING id`. Write
    /// transactions only.
    func nextID(_ table: String) throws -> Int64?

    /// Whether each statement costs a round trip to a server, so that the store's logic should
    /// batch lookups and send writes without waiting.
    static var prefersBatches: Bool { get }

    /// Inserts rows, each holding a value for every one of `columns`, into `table`.
    ///
    /// - Parameters:
    ///   - table: a table of the store's schema; it and the columns are put into the SQL as they are.
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws

    /// Has the engine sample these tables again for its planner, after a bulk load changed them
    /// much; nothing by default.
    func refreshStatistics(_ tables: [String]) throws

    /// Frees what the connection cached of the pages it read, after a read of a whole table that
    /// is not read again soon; nothing by default.
    func releaseCache() throws

    /// Runs `body`, a read of a whole table in its stored order or a write of one in key order,
    /// with a small page cache, and frees the cache after it: such work never comes back to a
    /// page, and a full cache is memory held at the peak of a pass. Just runs `body` by default.
    func withSmallCache<T>(_ body: () throws -> T) throws -> T
}

extension SQLSession {
    public func nextID(_ table: String) throws -> Int64? { nil }

    public func prepareInsert(_ sql: String) throws -> Statement {
        try prepare(sql + " RETURNING id")
    }

    /// Inserts one row with a statement written without `RETURNING` and returns its `id`
    /// (``prepareInsert(_:)``).
    public func insertRow(_ sql: String, _ arguments: [SQLValue]) throws -> Int64? {
        let statement = try prepareInsert(sql)
        statement.bind(arguments)
        return try statement.runInsert()
    }

    /// A prepared insert per row: on an embedded engine each costs no more than a row of a bigger
    /// statement.
    public func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        try insertRowByRow(into: table, columns: columns, rows: rows)
    }

    /// One prepared insert per row, each sent as the engine sends a statement it needs no answer
    /// from (``SQLStatement/enqueue(expecting:failure:)``).
    public func insertRowByRow(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        guard !rows.isEmpty else { return }
        let statement = try prepare(
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ("
                + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")")
        for row in rows {
            statement.bind(row)
            try statement.enqueue()
        }
    }

    public static var prefersBatches: Bool { false }

    /// SQLite plans from its indexes without samples.
    public func refreshStatistics(_ tables: [String]) throws {}

    public func releaseCache() throws {}

    public func withSmallCache<T>(_ body: () throws -> T) throws -> T { try body() }
}

extension SQLSession {
    /// Runs one statement with arguments and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        let statement = try prepare(sql)
        statement.bind(arguments)
        return try statement.run()
    }

    /// Every row of a query, each made into a `T`.
    public func all<T>(_ sql: String, _ arguments: [SQLValue] = [], _ make: (Row) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        statement.bind(arguments)
        return try statement.all(make)
    }

    /// The first row of a query, made into a `T`, if any.
    public func first<T>(_ sql: String, _ arguments: [SQLValue] = [], _ make: (Row) throws -> T) throws -> T? {
        let statement = try prepare(sql)
        statement.bind(arguments)
        return try statement.first(make)
    }

    /// The first column of the first row of a query, if any and not null.
    public func value<T: SQLColumn>(_ sql: String, _ arguments: [SQLValue] = [], as type: T.Type = T.self) throws -> T?
    {
        try first(sql, arguments) { row in row.isNull(0) ? nil : T.read(row, 0) } ?? nil
    }

    /// The first column of every row of a query.
    public func column<T: SQLColumn>(_ sql: String, _ arguments: [SQLValue] = [], as type: T.Type = T.self) throws
        -> [T]
    {
        try all(sql, arguments) { row in T.read(row, 0) }
    }
}

/// A prepared statement; arguments are bound by position from 1, and cleared after each run.
public protocol SQLStatement {
    associatedtype Row: SQLRow

    func bind(_ index: Int32, _ value: String?)
    func bind(_ index: Int32, _ value: Int64?)
    func bind(_ index: Int32, _ value: Double?)
    func bind(_ index: Int32, _ value: Bool?)

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func run() throws -> Int

    /// Runs a query and hands each row to `each`; the row is valid only during the call.
    func forEach(_ each: (Row) throws -> Void) throws

    /// Runs a statement that returns no rows, now or later: an engine may send it without
    /// waiting, and read its result before the next statement that answers (or at commit). An
    /// error, or a count of changed rows other than `expecting`, then fails that statement or the
    /// commit, with `failure`'s text for the count.
    func enqueue(expecting: Int?, failure: (() -> String)?) throws

    /// Runs an insert prepared by ``SQLSession/prepareInsert(_:)`` and returns the new row's `id`.
    func runInsert() throws -> Int64?
}

extension SQLStatement {
    /// Reads the `id` that `RETURNING id` gives.
    public func runInsert() throws -> Int64? {
        try int64()
    }

    /// Runs now (SQLite: a statement costs no round trip).
    public func enqueue(expecting: Int?, failure: (() -> String)?) throws {
        let changed = try run()
        if let expecting, changed != expecting {
            throw StoreError(failure?() ?? "A statement changed \(changed) rows, not \(expecting).")
        }
    }

    /// Runs now or later, checking nothing of the result but its success.
    public func enqueue() throws {
        try enqueue(expecting: nil, failure: nil)
    }
}

extension SQLStatement {
    /// Binds `arguments` to positions 1, 2, …
    public func bind(_ arguments: [SQLValue]) {
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            switch argument {
            case .null: bind(index, nil as String?)
            case .integer(let value): bind(index, value)
            case .real(let value): bind(index, value)
            case .text(let value): bind(index, value)
            case .boolean(let value): bind(index, value)
            }
        }
    }

    /// Every row, each made into a `T`.
    public func all<T>(_ make: (Row) throws -> T) throws -> [T] {
        var rows: [T] = []
        try forEach { rows.append(try make($0)) }
        return rows
    }

    /// The first row made into a `T`, if any.
    public func first<T>(_ make: (Row) throws -> T) throws -> T? {
        var first: T?
        try forEach { row in if first == nil { first = try make(row) } }
        return first
    }

    /// The first column of the first row as an integer, if any and not null.
    public func int64() throws -> Int64? {
        try first { row in row.isNull(0) ? nil : row.int64(0) } ?? nil
    }
}

/// Rows of a query, read one at a time.
public protocol SQLCursor {
    associatedtype Row: SQLRow
    /// The next row, valid until the next call; nil at the end.
    mutating func next() throws -> Row?
}

/// One row of a result, read by column position from 0.
public protocol SQLRow {
    func isNull(_ column: Int) -> Bool
    func int64(_ column: Int) -> Int64
    func double(_ column: Int) -> Double
    func text(_ column: Int) -> String
    func bool(_ column: Int) -> Bool
}

extension SQLRow {
    /// The column as any ``SQLColumn`` type, optional ones reading NULL as nil.
    public subscript<T: SQLColumn>(_ column: Int) -> T { T.read(self, column) }
}

/// A Swift type a column can be read as.
public protocol SQLColumn {
    static func read(_ row: some SQLRow, _ column: Int) -> Self
}

extension Int64: SQLColumn {
    public static func read(_ row: some SQLRow, _ column: Int) -> Int64 { row.int64(column) }
}

extension Int: SQLColumn {
    public static func read(_ row: some SQLRow, _ column: Int) -> Int { Int(row.int64(column)) }
}

extension String: SQLColumn {
    public static func read(_ row: some SQLRow, _ column: Int) -> String { row.text(column) }
}

extension Bool: SQLColumn {
    public static func read(_ row: some SQLRow, _ column: Int) -> Bool { row.bool(column) }
}

extension Double: SQLColumn {
    public static func read(_ row: some SQLRow, _ column: Int) -> Double { row.double(column) }
}

extension Optional: SQLColumn where Wrapped: SQLColumn {
    public static func read(_ row: some SQLRow, _ column: Int) -> Wrapped? {
        row.isNull(column) ? nil : Wrapped.read(row, column)
    }
}

/// An argument of a statement.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case boolean(Bool)
}

/// A Swift value that can be an argument.
public protocol SQLArgument {
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLArgument {
    public var sqlValue: SQLValue { self }
}

extension Int64: SQLArgument {
    public var sqlValue: SQLValue { .integer(self) }
}

extension Int: SQLArgument {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension String: SQLArgument {
    public var sqlValue: SQLValue { .text(self) }
}

extension Bool: SQLArgument {
    public var sqlValue: SQLValue { .boolean(self) }
}

extension Double: SQLArgument {
    public var sqlValue: SQLValue { .real(self) }
}

extension Optional: SQLArgument where Wrapped: SQLArgument {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}

/// Arguments from mixed Swift values: `args(id.rawValue, name, nil as String?)`.
public func args(_ values: (any SQLArgument)?...) -> [SQLValue] {
    values.map { $0?.sqlValue ?? .null }
}
