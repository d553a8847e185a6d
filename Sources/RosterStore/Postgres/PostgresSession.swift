/// ``SQLSession`` on one pooled connection, inside a transaction.
public struct PostgresSession: SQLSession {
    let connection: PostgresConnection

    /// Prepares `sql` once per connection and statement text; later calls reuse it.
    public func prepare(_ sql: String) throws -> PostgresStatement {
        PostgresStatement(connection: connection, prepared: try connection.prepare(sql))
    }

    /// Counts on from one value of the table's sequence, under the writers' lock
    /// (``PostgresConnection/nextID(_:)``).
    public func nextID(_ table: String) throws -> Int64? {
        try connection.nextID(table)
    }

    public static var prefersBatches: Bool { true }

    /// Below this many rows, inserts are pipelined rather than copied.
    static let copyThreshold = 32

    /// One `COPY … FROM STDIN` (``PostgresConnection/copy(into:columns:rows:)``); a few rows go as
    /// pipelined inserts instead, since a COPY's fixed cost (its own statement, a round trip to
    /// start it) outweighs them: the files of a few rows that agents take one after another.
    public func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        if rows.count < Self.copyThreshold {
            try insertRowByRow(into: table, columns: columns, rows: rows)
        } else {
            try connection.copy(into: table, columns: columns, rows: rows)
        }
    }

    /// `ANALYZE`: right after a bulk load the planner has no statistics (autovacuum samples a
    /// table a minute or more later) and reads the whole `email` table for 500 people at a time,
    /// where an index takes 2 ms: the proposals pass that follows an ingest paid that.
    public func refreshStatistics(_ tables: [String]) throws {
        try connection.execute("ANALYZE \(tables.joined(separator: ", "))")
    }

    public func execute(_ sql: String) throws {
        try connection.execute(sql)
    }

    /// Declares a server-side cursor and reads it in batches: libpq otherwise holds a whole result
    /// in memory, and in one connection only one query can stream at a time, while the store's
    /// merge-joins read several at once.
    public func cursor(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresCursor {
        let name = connection.nextCursorName()
        let numbered = PostgresSQL.numberingPlaceholders(sql).sql
        let texts = try arguments.map { value throws(StoreError) in try PostgresStatement.text(value, sql: sql) }
        try connection.execute("DECLARE \(name) NO SCROLL CURSOR FOR \(numbered)", texts, reportedSQL: sql)
        return PostgresCursor(connection: connection, name: name, sql: sql)
    }
}
