/// Opens the store at a ``StoreLocation``, migrating it to the current schema.
public enum StoreOpener {
    /// - Parameter poolSize: Connections kept to a PostgreSQL store; SQLite ignores it.
    public static func open(_ location: StoreLocation, poolSize: Int = 4) throws -> any SQLRosterStore {
        switch location {
        case .sqlite(let path):
            return try SQLiteStore(path: path)
        case .postgres(let url):
            return try PostgresStore(url: url, poolSize: poolSize)
        }
    }
}
