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
        registerMatchKeyListMigration(&migrator)
        migrator.registerMigration("v8 an index copied without its key lists rebuilt") { db in
            try db.execute(sql: StoreSQL.repairCopiedKeyIndex)
        }
        return migrator
    }

    /// Merge proposals, decisions, rejected pairs and the aliases of merged people.
    static func registerMatchingMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2 matching: proposals, decisions, aliases") { db in
            try db.execute(
                sql: """
                    -- One row per proposal; open ones are refreshed after every ingest.
                    CREATE TABLE mergeProposal (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected', 'closed')),
                        peopleKey TEXT NOT NULL,
                        survivor INTEGER NOT NULL,
                        confidence REAL NOT NULL,
                        evidence TEXT NOT NULL,
                        flags TEXT NOT NULL,
                        outcome TEXT,
                        createdAt TEXT NOT NULL,
                        updatedAt TEXT NOT NULL
                    );
                    CREATE INDEX mergeProposal_status ON mergeProposal(status);
                    CREATE TABLE mergeProposalPerson (
                        proposalId INTEGER NOT NULL REFERENCES mergeProposal(id),
                        personId INTEGER NOT NULL,
                        PRIMARY KEY (proposalId, personId)
                    ) WITHOUT ROWID;
                    CREATE INDEX mergeProposalPerson_person ON mergeProposalPerson(personId);
                    -- Decided merges, with the state before them (JSON): enough to restore exactly.
                    CREATE TABLE mergeDecision (
                        id INTEGER PRIMARY KEY,
                        proposalId INTEGER REFERENCES mergeProposal(id),
                        survivor INTEGER NOT NULL,
                        merged TEXT NOT NULL,
                        decidedBy TEXT NOT NULL,
                        before TEXT NOT NULL,
                        at TEXT NOT NULL,
                        undoneAt TEXT
                    );
                    -- Pairs an admin rejected (or unmerged): never proposed again.
                    CREATE TABLE rejectedPair (
                        low INTEGER NOT NULL,
                        high INTEGER NOT NULL,
                        proposalId INTEGER,
                        at TEXT NOT NULL,
                        PRIMARY KEY (low, high)
                    ) WITHOUT ROWID;
                    -- A merged person's id still resolves, to the survivor.
                    CREATE TABLE personAlias (
                        alias INTEGER PRIMARY KEY,
                        personId INTEGER NOT NULL,
                        mergeId INTEGER NOT NULL REFERENCES mergeDecision(id)
                    );
                    CREATE INDEX personAlias_person ON personAlias(personId);
                    CREATE INDEX audit_subject ON audit(subject);
                    """)
        }
    }

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

    /// The org units' memberships as last written to their member files, so that a change to a few
    /// people is brought into the files by re-evaluating those people only.
    ///
    /// `orgUnitFile` keeps, per unit, its member count (to check that a member file still holds
    /// what was written before patching it) and whether its file may already hold changes that
    /// `orgUnitMember` does not (written, then stopped before the memberships were saved).
    static func registerOrgUnitsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4 org-unit members") { db in
            try db.execute(
                sql: """
                    CREATE TABLE orgUnitMember (
                        unit TEXT NOT NULL,
                        personId INTEGER NOT NULL,
                        PRIMARY KEY (unit, personId)
                    ) WITHOUT ROWID;
                    CREATE INDEX orgUnitMember_person ON orgUnitMember(personId);
                    CREATE TABLE orgUnitFile (
                        unit TEXT PRIMARY KEY NOT NULL,
                        members INTEGER NOT NULL,
                        pending BOOLEAN NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    """)
        }
    }

    /// The stored blocking-key index (``MatchKeyEntry``), so that a refresh finds the people who
    /// share a key with the changed ones without deriving every profile again.
    static func registerMatchKeysMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5 match keys") { db in
            try db.execute(
                sql: """
                    -- Each blocking key of each person, hashed (BlockingKeys.hash, as a signed integer).
                    CREATE TABLE matchKey (
                        hash INTEGER NOT NULL,
                        personId INTEGER NOT NULL,
                        PRIMARY KEY (hash, personId)
                    ) WITHOUT ROWID;
                    CREATE INDEX matchKey_person ON matchKey(personId);
                    """)
        }
    }

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
                    CREATE INDEX audit_account ON audit(subject) WHERE \(StoreSQL.accountRows());
                    """)
        }
    }

    /// Each person's keys in one row (``MatchKeyList``), in place of an index of the key table by
    /// person.
    ///
    /// A full pass that rewrites the key index (the first one, or after new matching rules) spent
    /// 12 of its 21 s at 1,000,000 people sorting 12.3 million rows into that index
    /// (`bench/ingest.sh`); the lists are written in person order, without a sort. The stored index
    /// is emptied and its marker dropped: the next refresh is a full pass that writes both.
    static func registerMatchKeyListMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7 match keys listed per person") { db in
            try db.execute(
                sql: """
                    CREATE TABLE matchKeyList (
                        personId INTEGER PRIMARY KEY,
                        hashes TEXT NOT NULL
                    );
                    DROP INDEX matchKey_person;
                    DELETE FROM matchKey;
                    DELETE FROM outputMarker WHERE name = '\(OutputMarker.matchKeys)';
                    """)
        }
    }
}
