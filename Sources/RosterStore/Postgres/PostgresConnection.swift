import CLibPQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libpq connection, with what the store keeps per connection: its prepared statements and
/// the counter that names its cursors.
///
/// `@unchecked Sendable`: the pool (``PostgresDatabase``) hands a connection to one `read` or
/// `write` at a time and takes it back afterwards, so no two threads use it at once, which is
/// libpq's own rule for a `PGconn`.
final class PostgresConnection: @unchecked Sendable {
    /// A statement prepared on this connection under `name`.
    struct Prepared {
        let name: String
        let sql: String
        let parameterCount: Int
    }

    private let handle: OpaquePointer
    private var prepared: [String: Prepared] = [:]
    private var preparedCount = 0
    private var cursorCount = 0

    /// Connects with libpq, which reads the URL (or `key=value` string) and everything libpq users
    /// expect beside it: `PGPASSWORD`, the passfile, `sslmode`, service files.
    ///
    /// - Throws: a ``StoreError`` marked unavailable when the server can't be reached or refuses
    ///   the connection; libpq doesn't say which of the two, and its message goes along.
    init(url: String) throws(StoreError) {
        // `dbname` expanded from the URL; the encoding comes after it so that rows always decode
        // as UTF-8 whatever the URL says.
        let keywords = ["fallback_application_name", "dbname", "client_encoding"]
        let values = ["roster", url, "UTF8"]
        let connection = withCStringArray(keywords) { keywords in
            withCStringArray(values) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let connection else {
            throw StoreError("Can't connect to the store's PostgreSQL database: libpq is out of memory.")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = Self.message(PQerrorMessage(connection)) ?? "libpq gave no reason"
            PQfinish(connection)
            throw StoreError(
                "Can't connect to the store's PostgreSQL database: \(Self.sentence(reason)) Check that the server is running "
                    + "and that the store URL, its password (PGPASSWORD or the passfile) and sslmode are right.",
                isUnavailable: true)
        }
        // libpq prints notices (`… already exists, skipping`) on stderr; the store has no use for them.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
    }

    deinit {
        PQfinish(handle)
    }

    /// Whether libpq knows the connection to be lost.
    var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    /// Whether the pool may hand the connection out again: connected and outside any transaction.
    var isReusable: Bool { !isBroken && PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Runs `body` in a transaction opened with `begin` and ends it as `body` says.
    ///
    /// A connection that has sat in the pool may have lost its server (restarted, or dropped by a
    /// proxy) without libpq knowing; then `begin` fails, nothing has happened yet, and one
    /// reconnection is tried before the failure is reported.
    ///
    /// - Parameter lockKey: an advisory lock taken for the whole transaction, for writers.
    /// - Throws: ``StoreError``; after an error the transaction is rolled back.
    func transaction<T>(
        begin: String, lockKey: Int64? = nil, _ body: () throws -> (value: T, commit: Bool)
    ) throws -> T {
        do {
            try execute(begin)
        } catch {
            guard error.isUnavailable || isBroken else { throw error }
            try reset()
            try execute(begin)
        }
        do {
            if let lockKey { try execute("SELECT pg_advisory_xact_lock(\(lockKey))") }
            let (value, commit) = try body()
            if commit {
                let result = try execute("COMMIT")
                // PostgreSQL answers COMMIT of a transaction that an error aborted with ROLLBACK.
                guard result.commandStatus == "COMMIT" else {
                    throw StoreError(
                        "PostgreSQL rolled the transaction back: a statement in it had failed, and after an error "
                            + "PostgreSQL runs nothing more in a transaction; nothing was saved.")
                }
            } else {
                try execute("ROLLBACK")
            }
            return value
        } catch {
            if !isBroken { PQclear(PQexec(handle, "ROLLBACK")) }
            throw error
        }
    }

    /// Reconnects with the same parameters; prepared statements are gone with the old session.
    func reset() throws(StoreError) {
        PQreset(handle)
        prepared = [:]
        guard !isBroken else {
            let reason = Self.message(PQerrorMessage(handle)) ?? "libpq gave no reason"
            throw StoreError(
                "Lost the connection to the store's PostgreSQL database and can't reconnect: \(Self.sentence(reason)) "
                    + "Check that the server is running.",
                isUnavailable: true)
        }
    }

    /// Runs statements without arguments (several may be separated by semicolons).
    @discardableResult
    func execute(_ sql: String) throws(StoreError) -> PostgresResult {
        try check(PQexec(handle, sql), sql: sql)
    }

    /// Runs one statement with `$n` arguments, unprepared.
    @discardableResult
    func execute(_ sql: String, _ arguments: [String?], reportedSQL: String) throws(StoreError) -> PostgresResult {
        let result = withCStringPointers(arguments) { values in
            PQexecParams(handle, sql, Int32(arguments.count), nil, values, nil, nil, 0)
        }
        return try check(result, sql: reportedSQL)
    }

    /// The statement prepared for `sql`, preparing it the first time this connection sees it; the
    /// server infers the parameters' types.
    func prepare(_ sql: String) throws(StoreError) -> Prepared {
        if let statement = prepared[sql] { return statement }
        let (numbered, count) = PostgresSQL.numberingPlaceholders(sql)
        preparedCount += 1
        let statement = Prepared(name: "roster_\(preparedCount)", sql: sql, parameterCount: count)
        try check(PQprepare(handle, statement.name, numbered, Int32(count), nil), sql: sql)
        prepared[sql] = statement
        return statement
    }

    /// Runs a prepared statement with its arguments as text.
    func execute(_ statement: Prepared, _ arguments: [String?]) throws(StoreError) -> PostgresResult {
        let result = withCStringPointers(arguments) { values in
            PQexecPrepared(handle, statement.name, Int32(arguments.count), values, nil, nil, 0)
        }
        return try check(result, sql: statement.sql)
    }

    /// A cursor name not used before on this connection.
    func nextCursorName() -> String {
        cursorCount += 1
        return "roster_cursor_\(cursorCount)"
    }

    /// The result, or the error it reports.
    @discardableResult
    private func check(_ result: OpaquePointer?, sql: String) throws(StoreError) -> PostgresResult {
        guard let result else {
            throw error(nil, sql: sql)
        }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            let error = error(result, sql: sql)
            PQclear(result)
            throw error
        }
        return PostgresResult(result)
    }

    /// The server's (or libpq's) error, with the SQLSTATE and the statement, but not its arguments:
    /// they may hold names and emails.
    private func error(_ result: OpaquePointer?, sql: String) -> StoreError {
        let state = result.flatMap { Self.message(PQresultErrorField($0, Int32(UInt8(ascii: "C")))) }
        let primary =
            result.flatMap { Self.message(PQresultErrorField($0, Int32(UInt8(ascii: "M")))) }
            ?? Self.message(PQerrorMessage(handle)) ?? "no reason given"
        let unavailable = isBroken || state.map(Self.meansUnavailable) ?? false
        let cause = (state.map { "SQLSTATE \($0); " } ?? "") + "SQL: \(sql)"
        if unavailable {
            return StoreError(
                "Lost the store's PostgreSQL database: \(primary). The work was not saved; it can be retried "
                    + "once the server is back.",
                cause: cause, isUnavailable: true)
        }
        return StoreError("The store's PostgreSQL database refused a statement: \(primary).", cause: cause)
    }

    /// Whether an SQLSTATE says the server can't be used right now rather than that it refused the
    /// statement: connection exceptions (class 08), an administrator's or a crash's shutdown, a
    /// server still starting (57P01…57P03), or no connection slot left (53300).
    static func meansUnavailable(_ state: String) -> Bool {
        state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state)
    }

    /// A libpq message without its trailing newline, or nil when empty.
    /// `text` ending as a sentence: with a full stop unless it ends with `?` or `!` already.
    static func sentence(_ text: String) -> String {
        text.hasSuffix("?") || text.hasSuffix("!") ? text : text + "."
    }

    static func message(_ text: UnsafePointer<CChar>?) -> String? {
        guard let text else { return nil }
        // libpq breaks long messages over lines with a tab ("…failed: …\n\tIs the server running…"):
        // one line reads better in a log, and a closing "?" or "." needs no second full stop.
        var message = String(cString: text).trimmingTrailingNewlines()
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        while message.hasSuffix(".") { message.removeLast() }
        return message.isEmpty ? nil : message
    }
}

/// A libpq result, cleared when the last row read from it is gone.
final class PostgresResult {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    var rowCount: Int32 { PQntuples(handle) }

    /// The command tag, `INSERT 0 1`, `COMMIT`, …
    var commandStatus: String { String(cString: PQcmdStatus(handle)) }

    /// The rows the command changed (or returned), 0 when it doesn't say.
    var changedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last.isNewline || last == " " { text = text.dropLast() }
        return String(text)
    }
}

/// Calls `body` with a NULL-terminated C array of `strings`, as libpq's `…Params` calls take them.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with C strings for `values` (NULL for nil), all copied into one buffer.
func withCStringPointers<R>(_ values: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    var storage: [CChar] = []
    var offsets: [Int] = []
    offsets.reserveCapacity(values.count)
    for value in values {
        guard let value else {
            offsets.append(-1)
            continue
        }
        offsets.append(storage.count)
        storage.append(contentsOf: value.utf8.map { CChar(bitPattern: $0) })
        storage.append(0)
    }
    return storage.withUnsafeBufferPointer { buffer in
        let pointers: [UnsafePointer<CChar>?] = offsets.map { $0 < 0 ? nil : buffer.baseAddress! + $0 }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
