import GRDB
import RosterStore
import Testing

/// The engines every store test runs on: the same rules must give the same roster on both.
enum StoreEngine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A new, empty store.
    func makeStore() throws -> any SQLRosterStore {
        switch self {
        case .sqlite: try SQLiteStore(writer: DatabaseQueue())
        case .postgres: try PostgresStore(url: PostgresServer.freshDatabase())
        }
    }

    /// The names of a table's indexes, lower-cased.
    func indexes(_ store: any SQLRosterStore, table: String) throws -> [String] {
        switch self {
        case .sqlite:
            try texts(store, "SELECT lower(name) FROM sqlite_master WHERE type = 'index' AND tbl_name = '\(table)'")
        case .postgres:
            try texts(store, "SELECT indexname FROM pg_indexes WHERE tablename = lower('\(table)')")
        }
    }
}

/// The first column of every row of a query, as text.
func texts(_ store: some SQLRosterStore, _ sql: String) throws -> [String] {
    try store.database.read { db in try db.column(sql, as: String.self) }
}

/// The first column of the first row of a query, as an integer.
func integer(_ store: some SQLRosterStore, _ sql: String) throws -> Int64? {
    try store.database.read { db in try db.value(sql, as: Int64.self) }
}
