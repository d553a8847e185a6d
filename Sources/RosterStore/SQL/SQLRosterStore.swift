public import Foundation
public import RosterCore

/// The roster's rules on an SQL database, written once for every engine: a store names its
/// ``SQLDatabase`` and gets the whole ``RosterStore`` protocol.
public protocol SQLRosterStore: RosterStore {
    associatedtype Database: SQLDatabase
    var database: Database { get }
}

/// Statements and steps that several parts of the store share, on any ``SQLSession``.
enum StoreSQL {
    static func appliedIngest(_ db: some SQLSession, sha256: String) throws -> JournalEntry? {
        try db.first(
            "SELECT id, sha256, fileName, kind, outcome, finishedAt FROM ingest WHERE sha256 = ? AND outcome = 'applied'",
            [.text(sha256)], { JournalEntry(row: $0) })
    }

    /// The current id of `id`: itself while it exists, else the survivor it was merged into (through
    /// any chain of merges); nil when there is neither.
    static func resolve(_ db: some SQLSession, _ id: PersonID) throws -> PersonID? {
        let exists = try db.prepare("SELECT 1 FROM person WHERE id = ?")
        exists.bind(1, id.rawValue)
        if try exists.int64() != nil { return id }
        let alias = try db.prepare("SELECT personId FROM personAlias WHERE alias = ?")
        var current = id
        for _ in 0..<64 {
            alias.bind(1, current.rawValue)
            guard let next = try alias.int64() else { return nil }
            current = PersonID(next)
            exists.bind(1, next)
            if try exists.int64() != nil { return current }
        }
        return nil
    }

    static func saveMarker(_ db: some SQLSession, _ name: String, _ marker: OutputMarker) throws {
        try db.run(
            """
            INSERT INTO outputMarker (name, audit, fingerprint) VALUES (?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET audit = excluded.audit, fingerprint = excluded.fingerprint
            """, args(name, marker.audit, marker.fingerprint))
    }

    /// An account as the export shows it, from `integration, accountId, personId, login,
    /// displayName, email, status, isBot`.
    static func exportedAccount(_ row: some SQLRow) -> ExportedAccount {
        ExportedAccount(
            key: AccountKey(integration: row.text(0), accountID: row.text(1)),
            person: PersonID(row.int64(2)),
            fields: AccountFields(
                login: row[3], displayName: row[4], email: row[5], active: row.text(6) != "inactive",
                isBot: row.bool(7)))
    }

    static func marker(_ db: some SQLSession, _ name: String) throws -> OutputMarker? {
        try db.first("SELECT audit, fingerprint FROM outputMarker WHERE name = ?", [.text(name)]) {
            OutputMarker(audit: $0.int64(0), fingerprint: $0.text(1))
        }
    }
}

extension SQLRosterStore {
    // MARK: - Journal

    public func appliedIngest(sha256: String) throws -> JournalEntry? {
        try database.read { db in try StoreSQL.appliedIngest(db, sha256: sha256) }
    }

    public func apply(_ file: IngestFile, _ body: (inout any RosterLedger) throws -> FileVerdict) throws -> ApplyResult
    {
        try database.write { db in
            if let entry = try StoreSQL.appliedIngest(db, sha256: file.sha256) {
                return (ApplyResult.alreadyApplied(entry), false)
            }
            guard
                let ingestID = try db.insertRow(
                    """
                    INSERT INTO ingest (sha256, fileName, kind, outcome, startedAt, finishedAt, summary)
                    VALUES (?, ?, ?, 'applied', ?, ?, '')
                    """, args(file.sha256, file.fileName, file.kind, file.startedAt, file.startedAt))
            else { throw StoreError("The journal row of \(file.fileName) got no id") }
            let sqlLedger = try SQLLedger(db: db, ingestID: ingestID, now: file.startedAt)
            var ledger: any RosterLedger = sqlLedger
            switch try body(&ledger) {
            case .reject:
                return (ApplyResult.rejected, false)
            case .apply(let summary):
                // Rows the ledger holds for a bulk insert; its copies share them.
                try sqlLedger.finish()
                try db.run(
                    "UPDATE ingest SET finishedAt = ?, kind = ?, summary = ? WHERE id = ?",
                    args(Timestamp.now(), summary.kind, summary.journalText, ingestID))
                return (ApplyResult.applied(ingestID: ingestID), true)
            }
        }
    }

    public func recordRejection(_ file: IngestFile, summary: IngestSummary) throws {
        try database.write { db in
            _ = try db.run(
                """
                INSERT INTO ingest (sha256, fileName, kind, outcome, startedAt, finishedAt, summary)
                VALUES (?, ?, ?, 'rejected', ?, ?, ?)
                """,
                args(file.sha256, file.fileName, file.kind, file.startedAt, Timestamp.now(), summary.journalText))
        }
    }

    public func syncAttributeDefinitions(_ attributes: [AttributeDefinition]) throws {
        try database.write { db in
            // Every definition undeclared, then the configured ones declared again, in one transaction.
            try db.execute("UPDATE attributeDefinition SET declared = FALSE")
            let upsert = try db.prepare(
                """
                INSERT INTO attributeDefinition (key, title, type, description, required, enumValues, position, declared)
                VALUES (?, ?, ?, ?, ?, ?, ?, TRUE)
                ON CONFLICT(key) DO UPDATE SET title = excluded.title, type = excluded.type,
                    description = excluded.description, required = excluded.required,
                    enumValues = excluded.enumValues, position = excluded.position, declared = TRUE
                """)
            for (position, attribute) in attributes.enumerated() {
                var values: String?
                if case .enumeration(let allowed) = attribute.type { values = allowed.joined(separator: "\n") }
                upsert.bind(
                    args(
                        attribute.key, attribute.title, attribute.type.description, attribute.description,
                        attribute.required, values, position))
                try upsert.run()
            }
        }
    }

    /// Attributes that people still have values for but that the config no longer declares (the
    /// built-in `manager` aside), with the number of values kept for each; sorted by key.
    ///
    /// Removing an attribute from the config drops its column from the exports but keeps its
    /// values, so that declaring it again brings them back.
    public func undeclaredAttributeValues() throws -> [(key: String, count: Int)] {
        try database.read { db in
            try db.all(
                """
                SELECT v.key, count(*) FROM attributeValue v
                LEFT JOIN attributeDefinition d ON d.key = v.key
                WHERE (d.declared IS NULL OR NOT d.declared) AND v.key <> 'manager'
                GROUP BY v.key ORDER BY v.key
                """
            ) { (key: $0.text(0), count: Int($0.int64(1))) }
        }
    }

    // MARK: - Reading

    public func forEachPerson(_ each: (ExportedPerson) throws -> Void) throws {
        try database.read { db in
            // Four cursors in person order, merged: one pass over each table, whatever the size.
            var people = try db.cursor("SELECT id, name FROM person ORDER BY id", [])
            var emails = try db.cursor(
                "SELECT personId, address, isPrimary FROM email ORDER BY personId, isPrimary DESC, address", [])
            var accounts = try db.cursor(
                "SELECT personId, integration, accountId FROM account ORDER BY personId, integration, accountId", [])
            var attributes = try db.cursor("SELECT personId, key, value FROM attributeValue ORDER BY personId, key", [])
            var email = try emails.next().map { ($0.int64(0), $0.text(1), $0.bool(2)) }
            var account = try accounts.next().map { ($0.int64(0), $0.text(1), $0.text(2)) }
            var attribute = try attributes.next().map { ($0.int64(0), $0.text(1), $0.text(2)) }
            while let row = try people.next() {
                let id = row.int64(0)
                var person = ExportedPerson(id: PersonID(id), name: row.text(1), primaryEmail: nil)
                while let current = email, current.0 <= id {
                    if current.0 == id {
                        if current.2 { person.primaryEmail = current.1 } else { person.otherEmails.append(current.1) }
                    }
                    email = try emails.next().map { ($0.int64(0), $0.text(1), $0.bool(2)) }
                }
                while let current = account, current.0 <= id {
                    if current.0 == id { person.accounts[current.1, default: []].append(current.2) }
                    account = try accounts.next().map { ($0.int64(0), $0.text(1), $0.text(2)) }
                }
                while let current = attribute, current.0 <= id {
                    if current.0 == id { person.attributes[current.1] = current.2 }
                    attribute = try attributes.next().map { ($0.int64(0), $0.text(1), $0.text(2)) }
                }
                try each(person)
            }
        }
    }

    public func forEachAccount(_ each: (ExportedAccount) throws -> Void) throws {
        try database.read { db in
            var rows = try db.cursor(
                """
                SELECT integration, accountId, personId, login, displayName, email, status, isBot
                FROM account ORDER BY integration, accountId
                """, [])
            while let row = try rows.next() { try each(StoreSQL.exportedAccount(row)) }
        }
    }

    public func integrations() throws -> [String] {
        try database.read { db in
            try db.column("SELECT DISTINCT integration FROM account ORDER BY integration", as: String.self)
        }
    }

    public func status() throws -> StoreStatus {
        try database.read { db in
            let people = try db.value("SELECT count(*) FROM person", as: Int.self) ?? 0
            let withEmail = try db.value("SELECT count(DISTINCT personId) FROM email", as: Int.self) ?? 0
            let accounts = try db.all(
                "SELECT integration, count(*) FROM account GROUP BY integration ORDER BY integration"
            ) { (integration: $0.text(0), count: Int($0.int64(1))) }
            let applied = try db.value("SELECT count(*) FROM ingest WHERE outcome = 'applied'", as: Int.self) ?? 0
            let rejected = try db.value("SELECT count(*) FROM ingest WHERE outcome = 'rejected'", as: Int.self) ?? 0
            let last = try db.first(
                "SELECT id, sha256, fileName, kind, outcome, finishedAt FROM ingest ORDER BY id DESC LIMIT 1", [],
                { JournalEntry(row: $0) })
            return StoreStatus(
                people: people, peopleWithoutEmail: people - withEmail, accountsByIntegration: accounts,
                filesApplied: applied, filesRejected: rejected, lastIngest: last)
        }
    }

    // MARK: - Output markers

    public func outputMarker(_ name: String) throws -> OutputMarker? {
        try database.read { db in try StoreSQL.marker(db, name) }
    }

    public func setOutputMarker(_ name: String, to marker: OutputMarker?) throws {
        try database.write { db in
            if let marker {
                try StoreSQL.saveMarker(db, name, marker)
            } else {
                try db.run("DELETE FROM outputMarker WHERE name = ?", [.text(name)])
            }
        }
    }

    public func latestAudit() throws -> Int64 {
        try database.read { db in try db.value("SELECT max(id) FROM audit", as: Int64.self) ?? 0 }
    }
}

extension JournalEntry {
    init(row: some SQLRow) {
        self.init(
            id: row.int64(0), sha256: row.text(1), fileName: row.text(2), kind: row.text(3), outcome: row.text(4),
            finishedAt: row.text(5))
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

extension StoreSQL {
    /// The condition of the audit log's partial index on account rows (`audit_account`), written the
    /// same way in queries so that the engine uses it; `table` qualifies the column when the query
    /// names the audit table otherwise.
    static func accountRows(_ table: String? = nil) -> String {
        "substr(\(table.map { "\($0)." } ?? "")action, 1, 8) = 'account.'"
    }
}
