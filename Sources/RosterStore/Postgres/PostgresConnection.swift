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
    /// Statements sent in pipeline mode whose results are not read yet (``send(_:_:expecting:failure:)``).
    private var pending: [Pending] = []
    /// The identity values handed out in this transaction by table: the first and the last
    /// (``nextID(_:)``).
    private var allocated: [String: (first: Int64, last: Int64)] = [:]
    /// The SQL of a COPY whose rows are sent and whose result is not read yet.
    private var copyInFlight: String?
    /// Whether the open transaction holds the writers' advisory lock.
    private var holdsWriteLock = false

    /// A statement whose result comes back later, with what to check in it.
    private struct Pending {
        let sql: String
        let expecting: Int?
        let failure: (() -> String)?
    }

    /// How many statements may wait for their results: enough to keep the server busy while the
    /// client plans, few enough that the results (a command tag each) never fill the socket while
    /// the client is still sending, which would stall both ends in blocking mode.
    static let pipelineDepth = 512

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
        allocated = [:]
        holdsWriteLock = false
        defer {
            allocated = [:]
            holdsWriteLock = false
        }
        do {
            if let lockKey {
                try execute("SELECT pg_advisory_xact_lock(\(lockKey))")
                holdsWriteLock = true
            }
            let (value, commit) = try body()
            if commit {
                try drain()
                try giveSequencesTheirIDs()
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
            try? drain()
            if !isBroken { PQclear(PQexec(handle, "ROLLBACK")) }
            throw error
        }
    }

    /// The next value of `table`'s `id` identity for a row inserted with an explicit id, so that
    /// the insert can be sent without waiting for `RETURNING id`.
    ///
    /// The first call in a transaction takes one value from the sequence; the following ones count
    /// on from it, and the sequence is moved to the last value just before COMMIT. That is safe
    /// only because the caller holds the writers' advisory lock: no other transaction inserts
    /// meanwhile. A rollback leaves at most the first value unused, as `RETURNING id` would.
    ///
    /// - Parameter table: a table of the store's own schema (the name is put into the SQL).
    func nextID(_ table: String) throws(StoreError) -> Int64 {
        precondition(holdsWriteLock, "explicit ids need the writers' advisory lock")
        if var range = allocated[table] {
            range.last += 1
            allocated[table] = range
            return range.last
        }
        let result = try execute("SELECT nextval(pg_get_serial_sequence('\(table)', 'id'))")
        guard result.rowCount == 1, let first = Int64(String(cString: PQgetvalue(result.handle, 0, 0))) else {
            throw StoreError("PostgreSQL gave no value from the sequence of \(table).")
        }
        allocated[table] = (first, first)
        return first
    }

    private func giveSequencesTheirIDs() throws(StoreError) {
        for (table, range) in allocated where range.last > range.first {
            try execute("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), \(range.last))")
        }
        allocated = [:]
    }

    /// Sends a prepared statement in pipeline mode without waiting for its result: the results
    /// are read, in order, by ``drain()``, which every other use of the connection calls first,
    /// so a read always sees the writes sent before it. This takes the network round trip out of
    /// each write, which is most of a small statement's cost on a server.
    ///
    /// - Parameters:
    ///   - expecting: the number of rows the statement must change, checked when its result comes.
    ///   - failure: the error's text when it changed another number of rows.
    func send(
        _ statement: Prepared, _ arguments: [String?], expecting: Int?, failure: (() -> String)?
    ) throws(StoreError) {
        if PQpipelineStatus(handle) == PQ_PIPELINE_OFF {
            try finishCopy()
            guard PQenterPipelineMode(handle) == 1 else { throw error(nil, sql: statement.sql) }
        }
        let sent = withCStringPointers(arguments) { values in
            PQsendQueryPrepared(handle, statement.name, Int32(arguments.count), values, nil, nil, 0)
        }
        guard sent == 1 else {
            let error = error(nil, sql: statement.sql)
            try? drain()
            throw error
        }
        pending.append(Pending(sql: statement.sql, expecting: expecting, failure: failure))
        if pending.count >= Self.pipelineDepth { try drain() }
    }

    /// Reads the results of every statement sent in pipeline mode and leaves pipeline mode.
    ///
    /// - Throws: the first statement's error, or the first count of changed rows that differs
    ///   from what its statement expected; after an error PostgreSQL skipped the statements that
    ///   followed it, and the transaction is aborted.
    func drain() throws(StoreError) {
        try finishCopy()
        guard PQpipelineStatus(handle) != PQ_PIPELINE_OFF else { return }
        let waiting = pending
        pending = []
        var failure: StoreError?
        if PQpipelineSync(handle) != 1 { failure = error(nil, sql: "pipeline sync") }
        var index = 0
        var nulls = 0
        while failure == nil || !isBroken {
            guard let result = PQgetResult(handle) else {
                // The end of one statement's results; a second in a row means nothing more comes.
                nulls += 1
                index += 1
                if nulls > 1 || isBroken || index > waiting.count { break }
                continue
            }
            nulls = 0
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC { break }
            let sql = index < waiting.count ? waiting[index].sql : "pipeline"
            switch status {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                guard failure == nil, index < waiting.count, let expected = waiting[index].expecting else { continue }
                if Int(String(cString: PQcmdTuples(result))) ?? 0 != expected {
                    failure = StoreError(
                        waiting[index].failure?() ?? "A statement changed an unexpected number of rows.")
                }
            case PGRES_PIPELINE_ABORTED:
                continue
            default:
                if failure == nil { failure = error(result, sql: sql) }
            }
        }
        if PQexitPipelineMode(handle) != 1, failure == nil {
            failure = error(nil, sql: "leaving pipeline mode")
        }
        if let failure { throw failure }
    }

    /// Reconnects with the same parameters; prepared statements are gone with the old session.
    func reset() throws(StoreError) {
        PQreset(handle)
        prepared = [:]
        pending = []
        copyInFlight = nil
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
        try drain()
        return try check(PQexec(handle, sql), sql: sql)
    }

    /// Runs one statement with `$n` arguments, unprepared.
    @discardableResult
    func execute(_ sql: String, _ arguments: [String?], reportedSQL: String) throws(StoreError) -> PostgresResult {
        try drain()
        let result = withCStringPointers(arguments) { values in
            PQexecParams(handle, sql, Int32(arguments.count), nil, values, nil, nil, 0)
        }
        return try check(result, sql: reportedSQL)
    }

    /// The statement prepared for `sql`, preparing it the first time this connection sees it; the
    /// server infers the parameters' types.
    func prepare(_ sql: String) throws(StoreError) -> Prepared {
        if let statement = prepared[sql] { return statement }
        try drain()
        let (numbered, count) = PostgresSQL.numberingPlaceholders(sql)
        preparedCount += 1
        let statement = Prepared(name: "roster_\(preparedCount)", sql: sql, parameterCount: count)
        try check(PQprepare(handle, statement.name, numbered, Int32(count), nil), sql: sql)
        prepared[sql] = statement
        return statement
    }

    /// Runs a prepared statement with its arguments as text.
    func execute(_ statement: Prepared, _ arguments: [String?]) throws(StoreError) -> PostgresResult {
        try drain()
        let result = withCStringPointers(arguments) { values in
            PQexecPrepared(handle, statement.name, Int32(arguments.count), values, nil, nil, 0)
        }
        return try check(result, sql: statement.sql)
    }

    /// Inserts rows with `COPY … FROM STDIN` in PostgreSQL's text format: one round trip and
    /// the server's cheapest path for many rows, several times faster than an `INSERT` per row
    /// even when those are pipelined.
    ///
    /// - Parameter table: a table of the store's schema; it and the columns go into the SQL as
    ///   they are.
    func copy(into table: String, columns: [String], rows: [[SQLValue]]) throws(StoreError) {
        guard !rows.isEmpty else { return }
        let sql = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        try drain()
        guard let start = PQexec(handle, sql) else { throw error(nil, sql: sql) }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            let error = error(start, sql: sql)
            PQclear(start)
            throw error
        }
        PQclear(start)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        var failure: StoreError?
        rows: for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: "\t")) }
                switch value {
                case .null:
                    buffer.append(UInt8(ascii: "\\"))
                    buffer.append(UInt8(ascii: "N"))
                case .integer(let integer): buffer.append(contentsOf: String(integer).utf8)
                case .real(let real): buffer.append(contentsOf: PostgresStatement.text(real).utf8)
                case .boolean(let boolean): buffer.append(UInt8(ascii: boolean ? "t" : "f"))
                case .text(let text):
                    guard Self.appendCopyText(text, to: &buffer) else {
                        failure = StoreError(
                            "PostgreSQL can't store text that contains a NUL character; nothing was written.",
                            cause: "SQL: \(sql)")
                        break rows
                    }
                }
            }
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 16 {
                if !putCopyData(buffer) { break rows }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if failure == nil, !buffer.isEmpty { _ = putCopyData(buffer) }
        // Ending with an error message makes the server throw the rows away.
        _ = PQputCopyEnd(handle, failure == nil ? nil : "roster stopped the copy")
        // The server stores the rows while the caller goes on; the result is read (and an error
        // thrown) by the next use of the connection, at the latest before COMMIT.
        copyInFlight = sql
        if let failure {
            try? finishCopy()
            throw failure
        }
    }

    /// Reads the result of the COPY in flight, if any.
    private func finishCopy() throws(StoreError) {
        guard let sql = copyInFlight else { return }
        copyInFlight = nil
        var failure: StoreError?
        while let result = PQgetResult(handle) {
            if failure == nil, PQresultStatus(result) != PGRES_COMMAND_OK { failure = error(result, sql: sql) }
            PQclear(result)
        }
        if let failure { throw failure }
    }

    /// Appends `text` in COPY's text format: backslash, tab, newline and carriage return escaped,
    /// the bytes copied as they are when it holds none of them (most text).
    ///
    /// - Returns: false when the text holds a NUL character, which PostgreSQL can't store.
    private static func appendCopyText(_ text: String, to buffer: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let special = bytes.contains { byte in
                byte == 0 || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                    || byte == UInt8(ascii: "\r")
            }
            guard special else {
                buffer.append(contentsOf: bytes)
                return true
            }
            for byte in bytes {
                switch byte {
                case 0: return false
                case UInt8(ascii: "\\"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case UInt8(ascii: "\t"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case UInt8(ascii: "\n"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                default: buffer.append(byte)
                }
            }
            return true
        }
    }

    private func putCopyData(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) == 1 }
        }
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
    var storage: [UInt8] = []
    var offsets: [Int] = []
    offsets.reserveCapacity(values.count)
    for value in values {
        guard let value else {
            offsets.append(-1)
            continue
        }
        offsets.append(storage.count)
        storage.append(contentsOf: value.utf8)
        storage.append(0)
    }
    return storage.withUnsafeBufferPointer { bytes in
        bytes.withMemoryRebound(to: CChar.self) { buffer in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { $0 < 0 ? nil : buffer.baseAddress! + $0 }
            return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
        }
    }
}
