public import RosterCore

extension SQLRosterStore {
    /// A few hundred people per query: on a server a query per person made a refresh after
    /// another host's large file take minutes.
    public func matchKeys(of people: [PersonID]) throws -> [PersonID: [UInt64]] {
        try database.read { db in try StoreSQL.keyLists(db, of: people).filter { !$0.value.isEmpty } }
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

    public func rebuildMatchKeys(_ keys: MatchKeyEntries, pending: OutputMarker) throws {
        try database.write { db in
            // The marker first: until a pass is recorded against the new index, no refresh trusts it.
            try StoreSQL.saveMarker(db, OutputMarker.matchKeys, pending)
            let sorted = zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 } ? keys : MatchKeyEntries(keys.sorted())
            // Most full passes find the index the last pass left, give or take the people changed
            // since: what differs is changed row by row, and the rest is only read. Rewriting the
            // 9.3 million rows of 1,000,000 people took a core 18 to 30 s during the matching
            // (`bench/proposals.sh`); reading them takes about 2 s.
            let changes = try db.withSmallCache {
                try StoreSQL.matchKeyChanges(db, to: sorted, atMost: sorted.count / 8)
            }
            if let changes {
                let delete = try db.prepare("DELETE FROM matchKey WHERE hash = ? AND personId = ?")
                for entry in changes.removed {
                    delete.bind(1, entry.storedHash)
                    delete.bind(2, entry.person.rawValue)
                    try delete.enqueue()
                }
                try db.insert(
                    into: "matchKey", columns: ["hash", "personId"],
                    rows: changes.added.map { [.integer($0.storedHash), .integer($0.person.rawValue)] })
                let people = Set(changes.removed.map(\.person)).union(changes.added.map(\.person))
                var lists: [PersonID: [UInt64]] = [:]
                for entry in sorted where people.contains(entry.person) && lists[entry.person]?.last != entry.hash {
                    lists[entry.person, default: []].append(entry.hash)
                }
                try StoreSQL.writeKeyLists(db, people.sorted().map { ($0, lists[$0] ?? []) })
                return
            }
            // In key order, the table's B-tree only grows at its right edge; the lists by person
            // are then written in person order.
            if Database.Session.prefersBatches {
                // A server takes them fastest in bulk (PostgreSQL: COPY) into a table without
                // indexes, each index then built in one sort: TRUNCATE rather than DELETE of
                // millions of rows, and the table stays locked to readers until commit.
                try db.execute(
                    """
                    TRUNCATE matchKey, matchKeyList;
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
                try StoreSQL.writeAllKeyLists(db, from: sorted)
                try db.refreshStatistics(["matchKey", "matchKeyList"])
                return
            }
            try db.withSmallCache { try rewrite(sorted, db) }
        }
    }

    /// Empties the key index and writes `sorted` into it, on SQLite (see ``rebuildMatchKeys(_:pending:)``).
    private func rewrite(_ sorted: MatchKeyEntries, _ db: some SQLSession) throws {
        try db.execute("DELETE FROM matchKey; DELETE FROM matchKeyList")
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
        try StoreSQL.writeAllKeyLists(db, from: sorted)
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
                // Only the keys a person lost are deleted and only those gained inserted (on a
                // server, sent without waiting and in one COPY).
                let people = keys.keys.sorted()
                let before = try StoreSQL.keyLists(db, of: people)
                let delete = try db.prepare("DELETE FROM matchKey WHERE hash = ? AND personId = ?")
                var rows: [[SQLValue]] = []
                for person in people {
                    let old = Set(before[person] ?? [])
                    let new = Set(keys[person] ?? [])
                    for hash in old.subtracting(new) {
                        delete.bind(1, Int64(bitPattern: hash))
                        delete.bind(2, person.rawValue)
                        try delete.enqueue()
                    }
                    for hash in new.subtracting(old) {
                        rows.append([.integer(Int64(bitPattern: hash)), .integer(person.rawValue)])
                    }
                }
                try db.insert(into: "matchKey", columns: ["hash", "personId"], rows: rows)
                try StoreSQL.writeKeyLists(db, people.map { ($0, keys[$0] ?? []) })
            }
            let sync = try StoreSQL.syncProposals(db, drafts, scope: scope, now: now)
            try StoreSQL.saveMarker(db, OutputMarker.matchKeys, marker)
            return sync
        }
    }
}

extension StoreSQL {
    /// `roster store copy` copied the key index without each person's list of keys (before
    /// migration v8), and a refresh then took every key of a changed person as new: the insert
    /// failed on the keys already indexed. A store in that state has its index emptied and its
    /// marker dropped, so that the next refresh is a full pass that writes both.
    static let repairCopiedKeyIndex = """
        DELETE FROM outputMarker WHERE name = '\(OutputMarker.matchKeys)'
            AND EXISTS (SELECT 1 FROM matchKey) AND NOT EXISTS (SELECT 1 FROM matchKeyList);
        DELETE FROM matchKey WHERE NOT EXISTS (SELECT 1 FROM matchKeyList);
        """

    /// The stored key lists of these people (``MatchKeyList``), a few hundred people per query;
    /// people without a list are left out.
    static func keyLists(_ db: some SQLSession, of people: [PersonID]) throws -> [PersonID: [UInt64]] {
        var lists: [PersonID: [UInt64]] = [:]
        let statement = try db.prepare("SELECT personId, hashes FROM matchKeyList WHERE personId IN \(inList)")
        let ids = Array(Set(people.map(\.rawValue))).sorted()
        for start in stride(from: 0, to: ids.count, by: inListSize) {
            statement.bind(inListArguments(ids[start..<min(start + inListSize, ids.count)]))
            var damaged: Int64?
            try statement.forEach { row in
                guard let hashes = MatchKeyList.decode(row.text(1)) else {
                    damaged = row.int64(0)
                    return
                }
                lists[PersonID(row.int64(0))] = hashes
            }
            if let damaged {
                throw StoreError(
                    "The stored match keys of \(PersonID(damaged)) can't be read. Run `roster proposals refresh --full` to rebuild them."
                )
            }
        }
        return lists
    }

    /// Replaces the key lists of these people: an empty list deletes the person's row.
    static func writeKeyLists(_ db: some SQLSession, _ lists: [(PersonID, [UInt64])]) throws {
        let upsert = try db.prepare(
            """
            INSERT INTO matchKeyList (personId, hashes) VALUES (?, ?)
            ON CONFLICT (personId) DO UPDATE SET hashes = excluded.hashes
            """)
        let delete = try db.prepare("DELETE FROM matchKeyList WHERE personId = ?")
        for (person, hashes) in lists {
            if hashes.isEmpty {
                delete.bind(1, person.rawValue)
                try delete.enqueue()
            } else {
                upsert.bind(1, person.rawValue)
                upsert.bind(2, MatchKeyList.encode(hashes))
                try upsert.enqueue()
            }
        }
    }

    /// Writes the key list of every person of `keys` (sorted in index order) into an empty
    /// `matchKeyList`, in person order.
    ///
    /// People are taken a range of ids at a time: each range is one pass over `keys` that counts,
    /// then places, its people's hashes (which come in index order), so that no second copy of the
    /// whole index is made or sorted.
    static func writeAllKeyLists(_ db: some SQLSession, from keys: MatchKeyEntries) throws {
        guard var low = keys.lazy.map(\.person.rawValue).min() else { return }
        let span: Int64 = 1 << 18
        var starts = [Int](repeating: 0, count: Int(span) + 1)
        var rows: [[SQLValue]] = []
        while true {
            let high = low + span
            var next: Int64?
            for index in starts.indices { starts[index] = 0 }
            for entry in keys {
                let id = entry.person.rawValue
                if id >= low && id < high {
                    starts[Int(id - low) + 1] += 1
                } else if id >= high, next.map({ id < $0 }) ?? true {
                    next = id
                }
            }
            for index in 1..<starts.count { starts[index] += starts[index - 1] }
            var hashes = [UInt64](repeating: 0, count: starts[Int(span)])
            var fill = starts
            for entry in keys where entry.person.rawValue >= low && entry.person.rawValue < high {
                let slot = Int(entry.person.rawValue - low)
                hashes[fill[slot]] = entry.hash
                fill[slot] += 1
            }
            for slot in 0..<Int(span) where starts[slot + 1] > starts[slot] {
                var distinct: [UInt64] = []
                for hash in hashes[starts[slot]..<starts[slot + 1]] where distinct.last != hash {
                    distinct.append(hash)
                }
                rows.append([.integer(low + Int64(slot)), .text(MatchKeyList.encode(sortedDistinct: distinct))])
                if rows.count == 8192 {
                    try db.insert(into: "matchKeyList", columns: ["personId", "hashes"], rows: rows)
                    rows.removeAll(keepingCapacity: true)
                }
            }
            guard let next else { break }
            low = next
        }
        try db.insert(into: "matchKeyList", columns: ["personId", "hashes"], rows: rows)
    }

    /// What turns the stored key index into `keys`: the rows to delete and the rows to insert, each
    /// in index order; nil when more than `limit` rows differ (a first pass, new matching rules),
    /// where rewriting the whole index costs less.
    ///
    /// - Parameter keys: Sorted in index order (``MatchKeyEntry``); an entry twice counts once.
    static func matchKeyChanges(_ db: some SQLSession, to keys: MatchKeyEntries, atMost limit: Int) throws
        -> (removed: [MatchKeyEntry], added: [MatchKeyEntry])?
    {
        var removed: [MatchKeyEntry] = []
        var added: [MatchKeyEntry] = []
        var next = 0
        var tooMany = false
        /// Takes the entries of `keys` before `bound` (all that are left when nil) as added; stops
        /// once there are too many changes: against an empty index (a first pass) the list was a
        /// copy of every key, 150 MB at 1,000,000 people, only to be thrown away.
        func addUpTo(_ bound: MatchKeyEntry?) {
            while next < keys.count, bound.map({ keys[next] < $0 }) ?? true {
                if next == 0 || keys[next - 1] != keys[next] { added.append(keys[next]) }
                next += 1
                if removed.count + added.count > limit {
                    tooMany = true
                    return
                }
            }
        }
        // Read to the end even when too much differs: a server's cursor left open would hold the
        // table that the rewrite then empties.
        var stored = try db.cursor("SELECT hash, personId FROM matchKey ORDER BY hash, personId", [])
        while let row = try stored.next() {
            guard !tooMany else { continue }
            let entry = MatchKeyEntry(hash: UInt64(bitPattern: row.int64(0)), person: PersonID(row.int64(1)))
            addUpTo(entry)
            if next < keys.count, keys[next] == entry {
                while next < keys.count, keys[next] == entry { next += 1 }
            } else {
                removed.append(entry)
            }
            if removed.count + added.count > limit { tooMany = true }
        }
        guard !tooMany else { return nil }
        addUpTo(nil)
        return tooMany ? nil : (removed, added)
    }

    static func openProposals(_ db: some SQLSession, touching people: Set<PersonID>) throws -> [StoredProposal] {
        try openTouching(people, id: \.id) { condition, arguments in
            try loadProposals(db, where: condition, arguments)
        }
    }

    /// The open proposals with one of `people`, each once, by id: `load` is asked for those that
    /// meet a condition (with `?` for its arguments), a few hundred people at a time.
    static func openTouching<Row>(
        _ people: Set<PersonID>, id: (Row) -> ProposalID, load: (String, [SQLValue]) throws -> [Row]
    ) throws -> [Row] {
        let ids = people.map(\.rawValue).sorted()
        var found: [ProposalID: Row] = [:]
        for start in stride(from: 0, to: ids.count, by: inListSize) {
            let slice = ids[start..<min(start + inListSize, ids.count)]
            let condition = """
                status = 'open' AND id IN (SELECT proposalId FROM mergeProposalPerson
                    WHERE personId IN \(inList))
                """
            for row in try load(condition, inListArguments(slice)) { found[id(row)] = row }
        }
        return found.values.sorted { id($0) < id($1) }
    }
}
