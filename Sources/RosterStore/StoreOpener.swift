/// Opens the store at a ``StoreLocation``, migrating it to the current schema.
public enum StoreOpener {
    /// - Parameter poolSize: Connections kept to a PostgreSQL store; SQLite ignores it.
    public static func open(_ location: StoreLocation, poolSize: Int = 4) throws -> any SQLRosterStore {
        switch location {
        case .sqlite(let path):
            return try SQLiteStore(path: path)
        case .postgres:
            throw StoreError(
                "This build of Roster can't open PostgreSQL stores yet; give a path or a sqlite: URL.")
        }
    }
}
