public import RosterCore

extension SQLRosterStore {
    /// A few hundred people per query: on a server a query per person made a refresh after
    /// another host's large file take minutes.
    public func matchKeys(of people: [PersonID]) throws -> [PersonID: [UInt64]] {
        try database.read { db in
            var keys: [PersonID: [UInt64]] = [:]
            let statement = try db.prepare(
                "SELECT personId, hash FROM matchKey WHERE personId IN \(StoreSQL.inList) ORDER BY personId, hash")
            let ids = Array(Set(people.map(\.rawValue))).sorted()
            for start in stride(from: 0, to: ids.count, by: StoreSQL.inListSize) {
                statement.bind(StoreSQL.inListArguments(ids[start..<min(start + StoreSQL.inListSize, ids.count)]))
                try statement.forEach { row in
                    keys[PersonID(row.int64(0)), default: []].append(UInt64(bitPattern: row.int64(1)))
                }
            }
            return keys
        }
    }

    public func matchKeyHolders(_ hashes: [UInt64], atMost limit: (UInt64) -> Int) throws -> [UInt64: [PersonID]] {
        try database.read { db in
            var holders: [UInt64: [PersonID]] = [:]
            holders.reserveCapacity(hashes.count)
            if Database.Session.prefersBatches {
                // A few hundred blocks per query, each read up to the largest limit of its batch
                // and cut to its own (PostgreSQL's LATERAL: only engines that prefer batches run
                // this; SQLite has no round trip to save).
                let batch = 256
                let statement = try db.prepare(
                    """
                    SELECT h.hash, m.personId
                    FROM (VALUES \(Array(repeating: "(CAST(? AS BIGINT))", count: batch).joined(separator: ", "))) AS h(hash)
                    CROSS JOIN LATERAL (
                        SELECT personId FROM matchKey WHERE matchKey.hash = h.hash ORDER BY personId LIMIT ?
                    ) AS m
                    ORDER BY h.hash, m.personId
                    """)
                let unique = Array(Set(hashes))
                for start in stride(from: 0, to: unique.count, by: batch) {
                    let slice = unique[start..<min(start + batch, unique.count)]
                    var most = 0
                    for (index, hash) in slice.enumerated() {
                        statement.bind(Int32(index + 1), Int64(bitPattern: hash))
                        holders[hash] = []
                        most = max(most, limit(hash))
                    }
                    // Places left over repeat the first block; its rows come twice and go once.
                    for index in slice.count..<batch {
                        statement.bind(Int32(index + 1), Int64(bitPattern: slice.first!))
                    }
                    statement.bind(Int32(batch + 1), Int64(most))
                    try statement.forEach { row in
                        let hash = UInt64(bitPattern: row.int64(0))
                        let person = PersonID(row.int64(1))
                        if holders[hash]?.last != person, holders[hash, default: []].count < limit(hash) {
                            holders[hash, default: []].append(person)
                        }
                    }
                }
                return holders
            }
            let statement = try db.prepare("SELECT personId FROM matchKey WHERE hash = ? ORDER BY personId LIMIT ?")
            for hash in hashes where holders[hash] == nil {
                statement.bind(1, Int64(bitPattern: hash))
                statement.bind(2, Int64(limit(hash)))
                holders[hash] = try statement.all { PersonID($0.int64(0)) }
            }
            return holders
        }
    }

    public func rebuildMatchKeys(_ keys: [MatchKeyEntry], pending: OutputMarker) throws {
        try database.write { db in
            // The marker first: until a pass is recorded against the new index, no refresh trusts it.
            try StoreSQL.saveMarker(db, OutputMarker.matchKeys, pending)
            try db.execute("DROP INDEX IF EXISTS matchKey_person")
            // In key order, the table's B-tree only grows at its right edge; the index by person is
            // built afterwards in one sort rather than by a random insert per row.
            let sorted = zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 } ? keys : keys.sorted()
            if Database.Session.prefersBatches {
                // A server takes them fastest in bulk (PostgreSQL: COPY) into a table without
                // indexes, each index then built in one sort: TRUNCATE rather than DELETE of
                // millions of rows, and the table stays locked to readers until commit.
                try db.execute(
                    """
                    TRUNCATE matchKey;
                    ALTER TABLE matchKey DROP CONSTRAINT IF EXISTS matchKey_pkey
                    """)
                // COPY has no ON CONFLICT: the same key of a person twice goes once.
                var rows: [[SQLValue]] = []
                var previous: MatchKeyEntry?
                for entry in sorted where entry != previous {
                    previous = entry
                    rows.append([.integer(entry.storedHash), .integer(entry.person.rawValue)])
                    if rows.count == 8192 {
                        try db.insert(into: "matchKey", columns: ["hash", "personId"], rows: rows)
                        rows.removeAll(keepingCapacity: true)
                    }
                }
                try db.insert(into: "matchKey", columns: ["hash", "personId"], rows: rows)
                try db.execute("ALTER TABLE matchKey ADD CONSTRAINT matchKey_pkey PRIMARY KEY (hash, personId)")
                try db.execute("CREATE INDEX matchKey_person ON matchKey(personId)")
                try db.refreshStatistics(["matchKey"])
                return
            }
            try db.execute("DELETE FROM matchKey")
            // On SQLite, rows go 256 to a statement: a statement per row (`insert(into:…)`) made
            // the index of 100,000 people take 1.5 times as long.
            let batch = 256
            let many = try db.prepare(
                "INSERT INTO matchKey (hash, personId) VALUES "
                    + Array(repeating: "(?, ?)", count: batch).joined(separator: ", ")
                    + " ON CONFLICT (hash, personId) DO NOTHING")
            let one = try db.prepare(
                "INSERT INTO matchKey (hash, personId) VALUES (?, ?) ON CONFLICT (hash, personId) DO NOTHING")
            var start = 0
            while sorted.count - start >= batch {
                for (offset, entry) in sorted[start..<start + batch].enumerated() {
                    many.bind(Int32(2 * offset + 1), entry.storedHash)
                    many.bind(Int32(2 * offset + 2), entry.person.rawValue)
                }
                try many.run()
                start += batch
            }
            for entry in sorted[start...] {
                one.bind(1, entry.storedHash)
                one.bind(2, entry.person.rawValue)
                try one.run()
            }
            try db.execute("CREATE INDEX matchKey_person ON matchKey(personId)")
        }
    }

    public func openProposals(touching people: Set<PersonID>) throws -> [StoredProposal] {
        try database.read { db in try StoreSQL.openProposals(db, touching: people) }
    }

    public func recordMatchPass(
        _ drafts: [ProposalDraft], scope: Set<PersonID>?, keys: [PersonID: [UInt64]], marker: OutputMarker,
        expecting expected: OutputMarker?, now: String
    ) throws -> ProposalSync? {
        try database.write { db in
            guard try StoreSQL.marker(db, OutputMarker.matchKeys) == expected else { return nil }
            if !keys.isEmpty {
                let delete = try db.prepare("DELETE FROM matchKey WHERE personId = ?")
                // The new keys go in together (on a server, one COPY) once every person's old
                // ones are deleted; a person's keys are distinct, so nothing conflicts.
                var rows: [[SQLValue]] = []
                for (person, hashes) in keys.sorted(by: { $0.key < $1.key }) {
                    delete.bind(1, person.rawValue)
                    try delete.enqueue()
                    for hash in Set(hashes) {
                        rows.append([.integer(Int64(bitPattern: hash)), .integer(person.rawValue)])
                    }
                }
                try db.insert(into: "matchKey", columns: ["hash", "personId"], rows: rows)
            }
            let sync = try StoreSQL.syncProposals(db, drafts, scope: scope, now: now)
            try StoreSQL.saveMarker(db, OutputMarker.matchKeys, marker)
            return sync
        }
    }
}

extension StoreSQL {
    static func openProposals(_ db: some SQLSession, touching people: Set<PersonID>) throws -> [StoredProposal] {
        let ids = people.map(\.rawValue).sorted()
        var found: [ProposalID: StoredProposal] = [:]
        for start in stride(from: 0, to: ids.count, by: inListSize) {
            let slice = ids[start..<min(start + inListSize, ids.count)]
            for proposal in try loadProposals(
                db,
                where: """
                    status = 'open' AND id IN (SELECT proposalId FROM mergeProposalPerson
                        WHERE personId IN \(inList))
                    """, inListArguments(slice))
            {
                found[proposal.id] = proposal
            }
        }
        return found.values.sorted { $0.id < $1.id }
    }
}
