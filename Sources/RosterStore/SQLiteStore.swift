public import Foundation
public import GRDB
public import RosterCore

#if canImport(Glibc)
    import Glibc
#endif

/// The roster in one SQLite file (WAL), through GRDB.
///
/// One instance per database file for the life of the process. Writes of a file happen in one
/// `IMMEDIATE` transaction together with the file's journal row; `synchronous = FULL` makes each
/// commit durable before the input file is moved, so that a crash or power loss can't leave a file
/// archived but not applied.
public final class SQLiteStore: RosterStore {
    /// The database; a `DatabasePool` for a file, a `DatabaseQueue` in memory.
    public let writer: any DatabaseWriter

    /// Opens (creating if needed) the store at `path` and migrates it.
    ///
    /// - Throws: ``StoreError`` when the file can't be opened or is not a Roster store.
    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -65536")  // 64 MiB of page cache
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
        try self.init(writer: pool)
    }

    /// A store on any GRDB writer; tests pass an in-memory `DatabaseQueue()`.
    public init(writer: any DatabaseWriter) throws {
        self.writer = writer
        do {
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError(
                "Can't prepare the store: it is not a Roster store, or it was written by a newer Roster.",
                cause: "\(error)")
        }
    }

    // MARK: - Journal

    public func appliedIngest(sha256: String) throws -> JournalEntry? {
        try writer.read { db in try Self.appliedIngest(db, sha256: sha256) }
    }

    private static func appliedIngest(_ db: Database, sha256: String) throws -> JournalEntry? {
        try Row.fetchOne(
            db,
            sql:
                "SELECT id, sha256, fileName, kind, outcome, finishedAt FROM ingest WHERE sha256 = ? AND outcome = 'applied'",
            arguments: [sha256]
        ).map(JournalEntry.init(row:))
    }

    public func apply(_ file: IngestFile, _ body: (inout any RosterLedger) throws -> FileVerdict) throws -> ApplyResult
    {
        try writer.writeWithoutTransaction { db in
            var result = ApplyResult.rejected
            try db.inTransaction(.immediate) {
                if let entry = try Self.appliedIngest(db, sha256: file.sha256) {
                    result = .alreadyApplied(entry)
                    return .rollback
                }
                try db.execute(
                    sql: """
                        INSERT INTO ingest (sha256, fileName, kind, outcome, startedAt, finishedAt, summary)
                        VALUES (?, ?, ?, 'applied', ?, ?, '')
                        """,
                    arguments: [file.sha256, file.fileName, file.kind, file.startedAt, file.startedAt])
                let ingestID = db.lastInsertedRowID
                var ledger: any RosterLedger = try SQLiteLedger(db: db, ingestID: ingestID, now: file.startedAt)
                switch try body(&ledger) {
                case .reject:
                    return .rollback
                case .apply(let summary):
                    try db.execute(
                        sql: "UPDATE ingest SET finishedAt = ?, kind = ?, summary = ? WHERE id = ?",
                        arguments: [Timestamp.now(), summary.kind, summary.journalText, ingestID])
                    result = .applied(ingestID: ingestID)
                    return .commit
                }
            }
            return result
        }
    }

    public func recordRejection(_ file: IngestFile, summary: IngestSummary) throws {
        try writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO ingest (sha256, fileName, kind, outcome, startedAt, finishedAt, summary)
                    VALUES (?, ?, ?, 'rejected', ?, ?, ?)
                    """,
                arguments: [
                    file.sha256, file.fileName, file.kind, file.startedAt, Timestamp.now(), summary.journalText,
                ])
        }
    }

    public func syncAttributeDefinitions(_ attributes: [AttributeDefinition]) throws {
        try writer.write { db in
            for (position, attribute) in attributes.enumerated() {
                var values: String?
                if case .enumeration(let allowed) = attribute.type { values = allowed.joined(separator: "\n") }
                try db.execute(
                    sql: """
                        INSERT INTO attributeDefinition (key, title, type, description, required, enumValues, position, declared)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                        ON CONFLICT(key) DO UPDATE SET title = excluded.title, type = excluded.type,
                            description = excluded.description, required = excluded.required,
                            enumValues = excluded.enumValues, position = excluded.position, declared = 1
                        """,
                    arguments: [
                        attribute.key, attribute.title, attribute.type.description, attribute.description,
                        attribute.required, values, position,
                    ])
            }
            let keys = attributes.map(\.key)
            try db.execute(
                sql: "UPDATE attributeDefinition SET declared = 0 WHERE key NOT IN (SELECT value FROM json_each(?))",
                arguments: [String(decoding: try JSONEncoder().encode(keys), as: UTF8.self)])
        }
    }

    // MARK: - Reading

    public func forEachPerson(_ each: (ExportedPerson) throws -> Void) throws {
        try writer.read { db in
            // Four cursors in person order, merged: one pass over each table, whatever the size.
            let people = try Row.fetchCursor(db, sql: "SELECT id, name FROM person ORDER BY id")
            let emails = try Row.fetchCursor(
                db, sql: "SELECT personId, address, isPrimary FROM email ORDER BY personId, isPrimary DESC, address")
            let accounts = try Row.fetchCursor(
                db,
                sql: "SELECT personId, integration, accountId FROM account ORDER BY personId, integration, accountId")
            let attributes = try Row.fetchCursor(
                db, sql: "SELECT personId, key, value FROM attributeValue ORDER BY personId, key")
            var email = try emails.next().map { ($0[0] as Int64, $0[1] as String, $0[2] as Bool) }
            var account = try accounts.next().map { ($0[0] as Int64, $0[1] as String, $0[2] as String) }
            var attribute = try attributes.next().map { ($0[0] as Int64, $0[1] as String, $0[2] as String) }
            while let row = try people.next() {
                let id: Int64 = row[0]
                var person = ExportedPerson(id: PersonID(id), name: row[1], primaryEmail: nil)
                while let current = email, current.0 <= id {
                    if current.0 == id {
                        if current.2 { person.primaryEmail = current.1 } else { person.otherEmails.append(current.1) }
                    }
                    email = try emails.next().map { ($0[0], $0[1], $0[2]) }
                }
                while let current = account, current.0 <= id {
                    if current.0 == id { person.accounts[current.1, default: []].append(current.2) }
                    account = try accounts.next().map { ($0[0], $0[1], $0[2]) }
                }
                while let current = attribute, current.0 <= id {
                    if current.0 == id { person.attributes[current.1] = current.2 }
                    attribute = try attributes.next().map { ($0[0], $0[1], $0[2]) }
                }
                try each(person)
            }
        }
    }

    public func forEachAccount(_ each: (ExportedAccount) throws -> Void) throws {
        try writer.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT integration, accountId, personId, login, displayName, email, status, isBot
                    FROM account ORDER BY integration, accountId
                    """)
            while let row = try rows.next() {
                try each(
                    ExportedAccount(
                        key: AccountKey(integration: row[0], accountID: row[1]), person: PersonID(row[2]),
                        fields: AccountFields(
                            login: row[3], displayName: row[4], email: row[5], active: (row[6] as String) != "inactive",
                            isBot: row[7])))
            }
        }
    }

    public func integrations() throws -> [String] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT integration FROM account ORDER BY integration")
        }
    }

    public func status() throws -> StoreStatus {
        try writer.read { db in
            let people = try Int.fetchOne(db, sql: "SELECT count(*) FROM person") ?? 0
            let withEmail = try Int.fetchOne(db, sql: "SELECT count(DISTINCT personId) FROM email") ?? 0
            let accounts = try Row.fetchAll(
                db, sql: "SELECT integration, count(*) FROM account GROUP BY integration ORDER BY integration"
            ).map { (integration: $0[0] as String, count: $0[1] as Int) }
            let applied = try Int.fetchOne(db, sql: "SELECT count(*) FROM ingest WHERE outcome = 'applied'") ?? 0
            let rejected = try Int.fetchOne(db, sql: "SELECT count(*) FROM ingest WHERE outcome = 'rejected'") ?? 0
            let last = try Row.fetchOne(
                db, sql: "SELECT id, sha256, fileName, kind, outcome, finishedAt FROM ingest ORDER BY id DESC LIMIT 1"
            ).map(JournalEntry.init(row:))
            return StoreStatus(
                people: people, peopleWithoutEmail: people - withEmail, accountsByIntegration: accounts,
                filesApplied: applied, filesRejected: rejected, lastIngest: last)
        }
    }
}

extension JournalEntry {
    init(row: Row) {
        self.init(
            id: row[0], sha256: row[1], fileName: row[2], kind: row[3], outcome: row[4], finishedAt: row[5])
    }
}

extension IngestSummary {
    /// The counts as one line of `key=value` pairs, for the journal.
    var journalText: String {
        "rows=\(rows) created=\(peopleCreated) updated=\(peopleUpdated) unchanged=\(peopleUnchanged) "
            + "emailsAdded=\(emailsAdded) accountsCreated=\(accountsCreated) accountsMoved=\(accountsMoved) "
            + "accountsUpdated=\(accountsUpdated) accountsUnchanged=\(accountsUnchanged) attributesChanged=\(attributesChanged) problems=\(problems)"
    }
}

/// UTC timestamps in ISO-8601, as the store records them.
public enum Timestamp {
    public static func now() -> String {
        string(Date())
    }

    public static func string(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
