import CLibPQ
import Dispatch
import Synchronization

/// ``SQLDatabase`` on a PostgreSQL server, through libpq, for a roster shared by agents on
/// several hosts.
///
/// Reads run in `REPEATABLE READ READ ONLY` transactions: one snapshot for every query of the
/// read, like SQLite's. Writes take a transaction-scoped advisory lock first, so every writer of
/// the database, on any host, runs alone, as SQLite's single writer does: the store's logic
/// (read, decide, write) then needs no retry on serialization failures or deadlocks, and files
/// are small enough that one writer at a time keeps up.
///
/// Connections are opened when first needed, up to `poolSize`, and kept; a caller that finds
/// them all in use waits for one. A `read` or `write` inside another one on the same database
/// takes a second connection, so it needs a `poolSize` of 2 or more.
public final class PostgresDatabase: SQLDatabase {
    public typealias Session = PostgresSession

    /// The advisory lock every writer takes: "roster" in ASCII, so that other applications sharing
    /// the server are unlikely to pick the same key.
    static let writeLockKey: Int64 = 0x726F_7374_6572

    private let url: String
    private let slots: DispatchSemaphore
    private let idle: Mutex<[PostgresConnection]>

    /// Checks the URL without connecting yet.
    ///
    /// - Parameters:
    ///   - url: a `postgresql://` URL or a libpq `key=value` string; the password comes from
    ///     `PGPASSWORD` or the passfile, TLS from `sslmode`, as for every libpq client.
    ///   - poolSize: the most connections open at once.
    /// - Throws: ``StoreError`` when libpq can't parse `url`.
    public init(url: String, poolSize: Int = 4) throws {
        var problem: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(url, &problem) {
            PQconninfoFree(options)
        } else {
            let reason = PostgresConnection.message(problem) ?? "libpq can't read it"
            PQfreemem(problem)
            throw StoreError(
                "The store URL is not a PostgreSQL connection string: \(reason). "
                    + "Write it as postgresql://user@host:port/database.")
        }
        self.url = url
        slots = DispatchSemaphore(value: max(1, poolSize))
        idle = Mutex([])
    }

    public func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try withConnection { connection in
            try connection.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                (try body(PostgresSession(connection: connection)), true)
            }
        }
    }

    public func write<T>(_ body: (PostgresSession) throws -> (value: T, commit: Bool)) throws -> T {
        try withConnection { connection in
            try connection.transaction(begin: "BEGIN", lockKey: Self.writeLockKey) {
                try body(PostgresSession(connection: connection))
            }
        }
    }

    /// Runs statements outside any transaction, for the few that PostgreSQL refuses inside one
    /// (`CREATE DATABASE`, `VACUUM`).
    func executeOutsideTransaction(_ sql: String) throws {
        try withConnection { connection in _ = try connection.execute(sql) }
    }

    /// Lends `body` a connection from the pool, opening one if none is idle, and takes it back
    /// unless it broke or was left inside a transaction.
    private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        let connection = try idle.withLock { $0.popLast() } ?? PostgresConnection(url: url)
        defer {
            if connection.isReusable { idle.withLock { $0.append(connection) } }
        }
        return try body(connection)
    }
}
