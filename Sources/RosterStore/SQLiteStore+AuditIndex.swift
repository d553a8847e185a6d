import GRDB

extension SQLiteStore {
    /// The audit log's index on `subject`, narrowed to account rows.
    ///
    /// `roster explain` looks up an account's history by its key; nothing looks up email or
    /// attribute rows by subject. Indexing every subject put each new person's address into a
    /// second randomly ordered B-tree (after the email table's own), about a sixth of the SQLite
    /// work of ingesting new people (measured on 300,000 generated rows).
    static func registerAuditIndexMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6 audit subjects indexed for accounts only") { db in
            try db.execute(
                sql: """
                    DROP INDEX audit_subject;
                    CREATE INDEX audit_account ON audit(subject) WHERE \(accountRows());
                    """)
        }
    }

    /// The condition of the partial index, written the same way in queries so that SQLite uses it;
    /// `table` qualifies the column when the query names the audit table otherwise.
    public static func accountRows(_ table: String? = nil) -> String {
        "substr(\(table.map { "\($0)." } ?? "")action, 1, 8) = 'account.'"
    }
}
