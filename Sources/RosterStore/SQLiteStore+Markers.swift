import GRDB

extension SQLiteStore {
    /// The markers of outputs kept up to date incrementally (``OutputMarker``).
    static func registerMarkersMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3 output markers") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outputMarker (
                        name TEXT PRIMARY KEY,
                        audit INTEGER NOT NULL,
                        fingerprint TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
    }

    public func outputMarker(_ name: String) throws -> OutputMarker? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT audit, fingerprint FROM outputMarker WHERE name = ?", arguments: [name])
                .map { OutputMarker(audit: $0[0], fingerprint: $0[1]) }
        }
    }

    public func setOutputMarker(_ name: String, to marker: OutputMarker?) throws {
        try writer.write { db in
            if let marker {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO outputMarker (name, audit, fingerprint) VALUES (?, ?, ?)",
                    arguments: [name, marker.audit, marker.fingerprint])
            } else {
                try db.execute(sql: "DELETE FROM outputMarker WHERE name = ?", arguments: [name])
            }
        }
    }

    public func latestAudit() throws -> Int64 {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM audit") ?? 0 }
    }
}
