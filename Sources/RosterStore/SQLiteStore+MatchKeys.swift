import GRDB
public import RosterCore

extension SQLiteStore {
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

    public func matchKeys(of people: [PersonID]) throws -> [PersonID: [UInt64]] {
        try writer.read { db in
            var keys: [PersonID: [UInt64]] = [:]
            let statement = try db.makeStatement(sql: "SELECT hash FROM matchKey WHERE personId = ?")
            for person in people {
                let hashes = try Int64.fetchAll(statement, arguments: [person.rawValue])
                if !hashes.isEmpty { keys[person] = hashes.map { UInt64(bitPattern: $0) } }
            }
            return keys
        }
    }

    public func matchKeyHolders(_ hashes: [UInt64], atMost limit: (UInt64) -> Int) throws -> [UInt64: [PersonID]] {
        try writer.read { db in
            var holders: [UInt64: [PersonID]] = [:]
            holders.reserveCapacity(hashes.count)
            let statement = try db.makeStatement(
                sql: "SELECT personId FROM matchKey WHERE hash = ? ORDER BY personId LIMIT ?")
            for hash in hashes where holders[hash] == nil {
                holders[hash] = try Int64.fetchAll(statement, arguments: [Int64(bitPattern: hash), limit(hash)])
                    .map(PersonID.init)
            }
            return holders
        }
    }

    public func rebuildMatchKeys(_ keys: [MatchKeyEntry], pending: OutputMarker) throws {
        try writer.write { db in
            // The marker first: until a pass is recorded against the new index, no refresh trusts it.
            try Self.saveMarker(db, pending)
            try db.execute(sql: "DROP INDEX IF EXISTS matchKey_person; DELETE FROM matchKey")
            // In key order, the table's B-tree only grows at its right edge; the index by person is
            // built afterwards in one sort rather than by a random insert per row.
            let insert = try RawStatement(db, sql: "INSERT OR IGNORE INTO matchKey (hash, personId) VALUES (?, ?)")
            let sorted = zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 } ? keys : keys.sorted()
            for entry in sorted {
                insert.bind(1, entry.storedHash)
                insert.bind(2, entry.person.rawValue)
                try insert.run()
            }
            try db.execute(sql: "CREATE INDEX matchKey_person ON matchKey(personId)")
        }
    }

    public func openProposals(touching people: Set<PersonID>) throws -> [StoredProposal] {
        try writer.read { db in try Self.openProposals(db, touching: people) }
    }

    static func openProposals(_ db: Database, touching people: Set<PersonID>) throws -> [StoredProposal] {
        guard !people.isEmpty else { return [] }
        let ids = people.map { String($0.rawValue) }.joined(separator: ",")
        return try loadProposals(
            db,
            where: """
                status = 'open' AND id IN (SELECT proposalId FROM mergeProposalPerson
                    WHERE personId IN (SELECT value FROM json_each('[\(ids)]')))
                """)
    }

    public func recordMatchPass(
        _ drafts: [ProposalDraft], scope: Set<PersonID>?, keys: [PersonID: [UInt64]], marker: OutputMarker,
        expecting expected: OutputMarker?, now: String
    ) throws -> ProposalSync? {
        try writer.write { db in
            let current = try Row.fetchOne(
                db, sql: "SELECT audit, fingerprint FROM outputMarker WHERE name = ?",
                arguments: [OutputMarker.matchKeys]
            ).map { OutputMarker(audit: $0[0], fingerprint: $0[1]) }
            guard current == expected else { return nil }
            if !keys.isEmpty {
                let delete = try RawStatement(db, sql: "DELETE FROM matchKey WHERE personId = ?")
                let insert = try RawStatement(
                    db, sql: "INSERT OR IGNORE INTO matchKey (hash, personId) VALUES (?, ?)")
                for (person, hashes) in keys.sorted(by: { $0.key < $1.key }) {
                    delete.bind(1, person.rawValue)
                    try delete.run()
                    for hash in hashes {
                        insert.bind(1, Int64(bitPattern: hash))
                        insert.bind(2, person.rawValue)
                        try insert.run()
                    }
                }
            }
            let sync = try Self.syncProposals(db, drafts, scope: scope, now: now)
            try Self.saveMarker(db, marker)
            return sync
        }
    }

    private static func saveMarker(_ db: Database, _ marker: OutputMarker) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO outputMarker (name, audit, fingerprint) VALUES (?, ?, ?)",
            arguments: [OutputMarker.matchKeys, marker.audit, marker.fingerprint])
    }
}
