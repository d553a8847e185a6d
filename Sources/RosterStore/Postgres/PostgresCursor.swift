/// Rows of a server-side cursor, fetched a batch at a time so that a query of millions of rows
/// never sits whole in memory and several can be read side by side on one connection.
public struct PostgresCursor: SQLCursor {
    /// Rows asked of the server per round trip.
    static let batchSize: Int32 = 2000

    private let state: State

    init(connection: PostgresConnection, name: String, sql: String) {
        state = State(connection: connection, name: name, sql: sql)
    }

    public mutating func next() throws -> PostgresRow? {
        try state.next()
    }

    /// The current batch; a class because a cursor is a value but the batch must be cleared once.
    private final class State {
        let connection: PostgresConnection
        let name: String
        let sql: String
        var batch: PostgresResult?
        var row: Int32 = 0
        var finished = false

        init(connection: PostgresConnection, name: String, sql: String) {
            self.connection = connection
            self.name = name
            self.sql = sql
        }

        func next() throws(StoreError) -> PostgresRow? {
            guard !finished else { return nil }
            if let batch {
                row += 1
                if row < batch.rowCount { return PostgresRow(result: batch, row: row) }
                if batch.rowCount < PostgresCursor.batchSize { return try finish() }
            }
            batch = nil
            let fetched: PostgresResult
            do {
                fetched = try connection.execute("FETCH \(PostgresCursor.batchSize) FROM \(name)")
            } catch {
                finished = true
                throw StoreError(
                    error.message, cause: error.cause.map { $0 + " (reading \(sql))" },
                    isUnavailable: error.isUnavailable)
            }
            guard fetched.rowCount > 0 else { return try finish() }
            batch = fetched
            row = 0
            return PostgresRow(result: fetched, row: 0)
        }

        /// Closes the cursor on the server once read to the end; one left open (read partly) goes
        /// with its transaction.
        private func finish() throws(StoreError) -> PostgresRow? {
            finished = true
            batch = nil
            try connection.execute("CLOSE \(name)")
            return nil
        }
    }
}
