import GRDB

extension SQLiteStore {
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
}
