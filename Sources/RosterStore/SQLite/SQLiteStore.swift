import Foundation
public import GRDB
import RosterCore

#if canImport(Glibc)
    import Glibc
#endif

/// The roster in one SQLite file (WAL), through GRDB.
///
/// One instance per database file for the life of the process. Writes of a file happen in one
/// `IMMEDIATE` transaction together with the file's journal row; `synchronous = FULL` makes each
/// commit durable before the input file is moved, so that a crash or power loss can't leave a file
/// archived but not applied.
public final class SQLiteStore: SQLRosterStore {
    /// The page cache of each connection: 64 MiB (a negative `cache_size` is in KiB).
    static let cacheSize = -65536

    /// The database; a `DatabasePool` for a file, a `DatabaseQueue` in memory.
    public let writer: any DatabaseWriter
    public let database: SQLiteDatabase

    /// Opens (creating if needed) the store at `path` and migrates it.
    ///
    /// - Throws: ``StoreError`` when the file can't be opened or is not a Roster store.
    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = \(Self.cacheSize)")
        }
        // SQLite would create a new database 0644 less the umask, readable by every local user. An
        // empty file made first with 0640 is taken as a new database, and its -wal and -shm files
        // get the same mode.
        let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o640)
        if created >= 0 { close(created) }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError(
                "Can't open the store '\(path)'. Check that the state folder is writable.", cause: "\(error)")
        }
        // Two processes opening a new or older store at once would both run the migrations GRDB
        // found missing, and the second fail on tables the first made: they take turns, under an
        // flock of the folder that holds the file. Not of the database file itself: closing any
        // descriptor of that file drops every fcntl lock this process holds on it, SQLite's
        // included, and a command that ended beside the agent then took itself for the store's
        // last user and folded in and deleted the write-ahead log the agent still wrote to.
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let lock = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if lock >= 0 { flock(lock, LOCK_EX) }
        defer { if lock >= 0 { close(lock) } }
        try self.init(writer: pool)
    }

    /// A store on any GRDB writer; tests pass an in-memory `DatabaseQueue()`.
    public init(writer: any DatabaseWriter) throws {
        self.writer = writer
        database = SQLiteDatabase(writer: writer)
        do {
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError(
                "Can't prepare the store: it is not a Roster store, or it was written by a newer Roster.",
                cause: "\(error)")
        }
    }
}
