import GRDB

extension SQLiteStore {
    /// The schema, as versioned migrations. A released migration is never edited: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: people, emails, accounts, attributes, journal, audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE person (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL,
                        isBot BOOLEAN NOT NULL DEFAULT 0,
                        createdAt TEXT NOT NULL,
                        updatedAt TEXT NOT NULL
                    );
                    -- Normalised addresses (trimmed, NFC, lower-case): one email belongs to at most one person.
                    CREATE TABLE email (
                        address TEXT PRIMARY KEY NOT NULL,
                        personId INTEGER NOT NULL REFERENCES person(id),
                        isPrimary BOOLEAN NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX email_person ON email(personId, isPrimary);
                    CREATE UNIQUE INDEX email_one_primary ON email(personId) WHERE isPrimary;
                    CREATE TABLE account (
                        id INTEGER PRIMARY KEY,
                        integration TEXT NOT NULL,
                        accountId TEXT NOT NULL,
                        login TEXT,
                        displayName TEXT,
                        email TEXT,
                        status TEXT NOT NULL DEFAULT 'active',
                        isBot BOOLEAN NOT NULL DEFAULT 0,
                        personId INTEGER NOT NULL REFERENCES person(id),
                        pinned BOOLEAN NOT NULL DEFAULT 0,
                        UNIQUE (integration, accountId)
                    );
                    CREATE INDEX account_person ON account(personId, integration, accountId);
                    CREATE TABLE attributeDefinition (
                        key TEXT PRIMARY KEY NOT NULL,
                        title TEXT NOT NULL,
                        type TEXT NOT NULL,
                        description TEXT NOT NULL,
                        required BOOLEAN NOT NULL,
                        enumValues TEXT,
                        position INTEGER NOT NULL,
                        declared BOOLEAN NOT NULL
                    );
                    CREATE TABLE attributeValue (
                        personId INTEGER NOT NULL REFERENCES person(id),
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (personId, key)
                    ) WITHOUT ROWID;
                    -- One row per processed file. Applied contents are unique: the same bytes apply once.
                    CREATE TABLE ingest (
                        id INTEGER PRIMARY KEY,
                        sha256 TEXT NOT NULL,
                        fileName TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'rejected')),
                        startedAt TEXT NOT NULL,
                        finishedAt TEXT NOT NULL,
                        summary TEXT NOT NULL
                    );
                    CREATE UNIQUE INDEX ingest_applied_once ON ingest(sha256) WHERE outcome = 'applied';
                    -- Every change, with its source and the value before it: enough to explain and undo.
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY,
                        ingestId INTEGER REFERENCES ingest(id),
                        line INTEGER,
                        action TEXT NOT NULL,
                        personId INTEGER,
                        subject TEXT,
                        before TEXT,
                        after TEXT,
                        at TEXT NOT NULL
                    );
                    CREATE INDEX audit_person ON audit(personId);
                    """)
        }
        registerMatchingMigration(&migrator)
        registerMarkersMigration(&migrator)
        registerOrgUnitsMigration(&migrator)
        registerMatchKeysMigration(&migrator)
        registerAuditIndexMigration(&migrator)
        return migrator
    }
}
