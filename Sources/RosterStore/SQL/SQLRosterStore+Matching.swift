import Foundation
public import RosterCore

extension SQLRosterStore {
    public func releaseMemory() { database.releaseMemory() }

    // MARK: - Reading people for matching

    public func forEachMatchPerson(_ each: (MatchPerson) throws -> Void) throws {
        try database.read { db in
            // In a block of its own, so that the cursors are closed before the cache is released.
            do {
                var people = try db.cursor("SELECT id, name, isBot FROM person ORDER BY id", [])
                var emails = try db.cursor(
                    "SELECT personId, address FROM email ORDER BY personId, isPrimary DESC, address", [])
                var accounts = try db.cursor(
                    """
                    SELECT personId, integration, accountId, login, displayName, email, isBot, pinned
                    FROM account ORDER BY personId, integration, accountId
                    """, [])
                var email = try emails.next().map { ($0.int64(0), $0.text(1)) }
                var account = try accounts.next().map(StoreSQL.matchAccount)
                while let row = try people.next() {
                    let id = row.int64(0)
                    var person = MatchPerson(id: PersonID(id), name: row.text(1), isBot: row.bool(2))
                    while let current = email, current.0 <= id {
                        if current.0 == id { person.emails.append(current.1) }
                        email = try emails.next().map { ($0.int64(0), $0.text(1)) }
                    }
                    while let current = account, current.0 <= id {
                        if current.0 == id { person.accounts.append(current.1) }
                        account = try accounts.next().map(StoreSQL.matchAccount)
                    }
                    try each(person)
                }
            }
            try db.releaseCache()
        }
    }

    /// Reads the people a few hundred at a time, three queries for each batch: on a server a
    /// query per person made writing the proposal files of a first pass take minutes.
    public func matchPeople(_ ids: [PersonID]) throws -> [MatchPerson] {
        try database.read { db in
            var people: [MatchPerson] = []
            people.reserveCapacity(ids.count)
            let person = try db.prepare("SELECT id, name, isBot FROM person WHERE id IN \(StoreSQL.inList)")
            let emails = try db.prepare(
                "SELECT personId, address FROM email WHERE personId IN \(StoreSQL.inList) ORDER BY personId, isPrimary DESC, address"
            )
            let accounts = try db.prepare(
                """
                SELECT personId, integration, accountId, login, displayName, email, isBot, pinned
                FROM account WHERE personId IN \(StoreSQL.inList) ORDER BY personId, integration, accountId
                """)
            let batch = StoreSQL.inListSize
            for start in stride(from: 0, to: ids.count, by: batch) {
                let slice = ids[start..<min(start + batch, ids.count)]
                let arguments = StoreSQL.inListArguments(Set(slice).map(\.rawValue))
                var found: [PersonID: MatchPerson] = [:]
                found.reserveCapacity(slice.count)
                person.bind(arguments)
                try person.forEach { row in
                    let id = PersonID(row.int64(0))
                    found[id] = MatchPerson(id: id, name: row.text(1), isBot: row.bool(2))
                }
                emails.bind(arguments)
                try emails.forEach { row in found[PersonID(row.int64(0))]?.emails.append(row.text(1)) }
                accounts.bind(arguments)
                try accounts.forEach { row in
                    let (person, account) = StoreSQL.matchAccount(row)
                    found[PersonID(person)]?.accounts.append(account)
                }
                people += slice.compactMap { found[$0] }
            }
            return people
        }
    }

    /// These proposals, in id order; unknown ids are left out.
    public func proposals(_ ids: [ProposalID]) throws -> [StoredProposal] {
        try database.read { db in
            var proposals: [StoredProposal] = []
            let batch = StoreSQL.inListSize
            for start in stride(from: 0, to: ids.count, by: batch) {
                let slice = ids[start..<min(start + batch, ids.count)]
                proposals += try StoreSQL.loadProposals(
                    db, where: "id IN \(StoreSQL.inList)", StoreSQL.inListArguments(slice.map(\.rawValue)))
            }
            return proposals.sorted { $0.id < $1.id }
        }
    }

    public func peopleChanged(sinceAudit: Int64) throws -> (people: Set<PersonID>, latestAudit: Int64) {
        try database.read { db in try StoreSQL.peopleChanged(db, sinceAudit: sinceAudit, atMost: nil)! }
    }

    public func rejectedPairs() throws -> Set<PersonPair> {
        try database.read { db in
            var pairs = Set<PersonPair>()
            let rows = try db.all("SELECT low, high FROM rejectedPair") {
                (PersonID($0.int64(0)), PersonID($0.int64(1)))
            }
            for row in rows {
                let low = try StoreSQL.resolve(db, row.0) ?? row.0
                let high = try StoreSQL.resolve(db, row.1) ?? row.1
                if low != high { pairs.insert(PersonPair(low, high)) }
            }
            return pairs
        }
    }

    // MARK: - Proposals

    public func syncProposals(_ drafts: [ProposalDraft], scope: Set<PersonID>?, now: String) throws -> ProposalSync {
        try database.write { db in try StoreSQL.syncProposals(db, drafts, scope: scope, now: now) }
    }

    public func openProposals() throws -> [StoredProposal] {
        try database.read { db in try StoreSQL.loadProposals(db, where: "status = 'open'") }
    }

    public func proposal(_ id: ProposalID) throws -> StoredProposal? {
        try database.read { db in try StoreSQL.loadProposals(db, where: "id = ?", [.integer(id.rawValue)]).first }
    }

    // MARK: - Decisions

    public func reject(_ id: ProposalID, decidedBy: String, now: String) throws -> StoredProposal {
        try database.write { db in
            guard var proposal = try StoreSQL.loadProposals(db, where: "id = ?", [.integer(id.rawValue)]).first else {
                throw StoreError("There is no proposal \(id). Run `roster proposals list` for the open ones.")
            }
            guard proposal.status == .open else {
                throw StoreError("Proposal \(id) is already \(proposal.status.rawValue); nothing was changed.")
            }
            let people = proposal.draft.people
            for (i, a) in people.enumerated() {
                for b in people[(i + 1)...] {
                    try StoreSQL.rememberRejected(db, PersonPair(a, b), proposal: id, now: now)
                }
            }
            let outcome = "rejected by \(decidedBy) at \(now)"
            try StoreSQL.close(db, id, status: .rejected, outcome: outcome, now: now)
            try db.run(
                """
                INSERT INTO audit (ingestId, line, action, personId, subject, before, after, at)
                VALUES (NULL, NULL, 'proposal.reject', ?, ?, NULL, ?, ?)
                """,
                args(proposal.draft.survivor.rawValue, id.description, proposal.draft.peopleKey, now))
            proposal.status = .rejected
            proposal.outcome = outcome
            return proposal
        }
    }

    public func accept(_ id: ProposalID, survivor: PersonID?, decidedBy: String, now: String) throws -> MergeOutcome {
        try database.write { db in
            guard let proposal = try StoreSQL.loadProposals(db, where: "id = ?", [.integer(id.rawValue)]).first else {
                throw StoreError("There is no proposal \(id). Run `roster proposals list` for the open ones.")
            }
            guard proposal.status == .open else {
                throw StoreError("Proposal \(id) is already \(proposal.status.rawValue); nothing was changed.")
            }
            // People merged elsewhere since the proposal was made stand for their survivors now.
            var people: [PersonID] = []
            for person in proposal.draft.people {
                if let current = try StoreSQL.resolve(db, person), !people.contains(current) { people.append(current) }
            }
            let chosen =
                try survivor.flatMap { try StoreSQL.resolve(db, $0) } ?? StoreSQL.resolve(db, proposal.draft.survivor)
            guard let chosen, people.contains(chosen) else {
                throw StoreError(
                    "The survivor \(survivor?.description ?? proposal.draft.survivor.description) is not one of the people of \(id); choose one of \(people.map(\.description).joined(separator: ", "))."
                )
            }
            let others = people.filter { $0 != chosen }
            if others.isEmpty {
                try StoreSQL.close(db, id, status: .closed, outcome: "moot: its people are already one", now: now)
                return MergeOutcome(proposal: id, survivor: chosen, merged: [], notes: ["already one person"])
            }
            let notes = try StoreSQL.merge(db, survivor: chosen, others: others, proposal: id, by: decidedBy, now: now)
            try StoreSQL.close(
                db, id, status: .accepted,
                outcome:
                    "accepted by \(decidedBy) at \(now): \(others.map(\.description).joined(separator: ", ")) merged into \(chosen)",
                now: now)
            return MergeOutcome(proposal: id, survivor: chosen, merged: others, notes: notes)
        }
    }

    public func resolve(_ id: PersonID) throws -> PersonID? {
        try database.read { db in try StoreSQL.resolve(db, id) }
    }
}

extension StoreSQL {
    /// Audit actions besides `account.*` whose `before` names the person something left.
    static let leavingActions: Set<String> = ["email.merge", "email.unmerge", "person.unmerge"]

    /// ``MatchingStore/peopleChanged(sinceAudit:)`` in `db`; nil once more than `limit` people are
    /// found, when there is a limit.
    static func peopleChanged(_ db: some SQLSession, sinceAudit: Int64, atMost limit: Int?) throws
        -> (people: Set<PersonID>, latestAudit: Int64)?
    {
        var people = Set<PersonID>()
        var latest = sinceAudit
        var rows = try db.cursor(
            "SELECT id, personId, action, before, subject, after FROM audit WHERE id > ? ORDER BY id",
            [.integer(sinceAudit)])
        while let row = try rows.next() {
            latest = row.int64(0)
            if let person: Int64 = row[1] { people.insert(PersonID(person)) }
            let action = row.text(2)
            if action.hasPrefix("account.") || leavingActions.contains(action) {
                // The person an account or email left (for an unmerge, the survivor it left).
                if let before: String = row[3], let from = PersonID(parsing: before) { people.insert(from) }
            } else if action == "person.merge" {
                // The merged person, gone now: its proposals are moot.
                if let subject: String = row[4], let merged = PersonID(parsing: subject) { people.insert(merged) }
            } else if action == "proposal.reject", let key: String = row[5] {
                // Every person of the rejected proposal: its pairs may no longer be joined.
                for id in key.split(separator: ",") {
                    if let person = PersonID(parsing: id) { people.insert(person) }
                }
            }
            if let limit, people.count > limit { return nil }
        }
        return (people, latest)
    }

    static func matchAccount(_ row: some SQLRow) -> (Int64, MatchAccount) {
        (
            row.int64(0),
            MatchAccount(
                key: AccountKey(integration: row.text(1), accountID: row.text(2)), login: row[3], displayName: row[4],
                email: row[5], isBot: row.bool(6), pinned: row.bool(7))
        )
    }

    /// How many values ``inList`` takes.
    static let inListSize = 500

    /// `(?, ?, …)` for an `IN` of up to ``inListSize`` values, always the same text so that one
    /// prepared statement serves every call: a list inlined in the text left a prepared statement
    /// behind for each call, for as long as the connection lived.
    static let inList = "(" + Array(repeating: "?", count: inListSize).joined(separator: ", ") + ")"

    /// The arguments of ``inList`` for up to ``inListSize`` values: the places left over repeat
    /// the first value (or hold NULL, which matches nothing, when there is none).
    static func inListArguments(_ values: some Collection<Int64>) -> [SQLValue] {
        inListArguments(values.map { SQLValue.integer($0) })
    }

    static func inListArguments(_ values: [SQLValue]) -> [SQLValue] {
        precondition(values.count <= inListSize)
        return values + repeatElement(values.first ?? .null, count: inListSize - values.count)
    }

    /// Remembers a pair an admin rejected or took apart: never proposed again.
    static func rememberRejected(_ db: some SQLSession, _ pair: PersonPair, proposal: ProposalID?, now: String) throws {
        try db.run(
            """
            INSERT INTO rejectedPair (low, high, proposalId, at) VALUES (?, ?, ?, ?)
            ON CONFLICT(low, high) DO NOTHING
            """, args(pair.low.rawValue, pair.high.rawValue, proposal?.rawValue, now))
    }

    /// ``syncProposals(_:scope:now:)`` inside the caller's transaction.
    ///
    /// With a scope, only the open proposals that have one of its people are loaded: a draft can
    /// only match a proposal it shares a person with, and its people lie within the scope, so the
    /// others can't be matched or closed. A pass over a few people then reads a few proposals, not
    /// every open one.
    static func syncProposals(_ db: some SQLSession, _ drafts: [ProposalDraft], scope: Set<PersonID>?, now: String)
        throws
        -> ProposalSync
    {
        var sync = ProposalSync()
        let open =
            try scope.map { people in
                try openTouching(people, id: \.id) { condition, arguments in
                    try loadOpenRows(db, where: condition, arguments)
                }
            } ?? loadOpenRows(db, where: "status = 'open'")
        // Each draft's proposal: the open one with the same people, else the one it shares the
        // most people with (looked up by person only when some draft needs it: in a steady pass
        // every draft has its proposal, and the map was a tenth of recording).
        var byPeople: [[PersonID]: Int] = [:]
        byPeople.reserveCapacity(open.count)
        for (index, proposal) in open.enumerated() { byPeople[proposal.people] = index }
        var byPerson: [PersonID: [Int]]?
        var matched = [Bool](repeating: false, count: open.count)
        var targets = [Int?](repeating: nil, count: drafts.count)
        for (index, draft) in drafts.enumerated() {
            var target = byPeople[draft.people].flatMap { matched[$0] ? nil : $0 }
            if target == nil {
                if byPerson == nil {
                    var map: [PersonID: [Int]] = [:]
                    for (index, proposal) in open.enumerated() {
                        for person in proposal.people { map[person, default: []].append(index) }
                    }
                    byPerson = map
                }
                var overlap: [Int: Int] = [:]
                for person in draft.people {
                    for index in byPerson?[person] ?? [] where !matched[index] { overlap[index, default: 0] += 1 }
                }
                target = overlap.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key
            }
            if let target { matched[target] = true }
            targets[index] = target
        }
        // A proposal whose people, survivor and confidence are the draft's may say the same: its
        // evidence and flags are read one row at a time and compared with the draft's as they come.
        var compared: [ProposalID: Int] = [:]
        for (index, target) in targets.enumerated() {
            guard let target else { continue }
            let (existing, draft) = (open[target], drafts[index])
            if existing.people == draft.people, existing.survivor == draft.survivor,
                existing.confidence == draft.confidence
            {
                compared[existing.id] = index
            }
        }
        var same = [Bool](repeating: false, count: drafts.count)
        try forEachStoredList(db, of: compared, everyOpen: scope == nil) { index, evidence, flags in
            same[index] =
                storedList(evidence, equals: drafts[index].packedEvidence)
                && storedList(flags, equals: PackedLines(drafts[index].flags))
        }
        // The rows of mergeProposalPerson to insert, after every proposal's old rows are deleted.
        var members: [[SQLValue]] = []
        for (index, draft) in drafts.enumerated() {
            if let target = targets[index] {
                if same[index] {
                    sync.unchanged.append(open[target].id)
                } else {
                    try writeProposal(db, id: open[target].id, draft, now: now, members: &members)
                    sync.updated.append(open[target].id)
                }
            } else {
                let id = try insertProposal(db, draft, now: now, members: &members)
                sync.opened.append(id)
            }
            if members.count >= 8192 { try insertMembers(db, &members) }
        }
        try insertMembers(db, &members)
        for (index, proposal) in open.enumerated() where !matched[index] {
            if let scope, !proposal.people.contains(where: scope.contains) { continue }
            var reason = "the evidence no longer supports it"
            for person in proposal.people {
                if let survivor = try resolve(db, person), survivor != person {
                    reason = "moot: \(person) was merged into \(survivor)"
                    break
                }
            }
            try close(db, proposal.id, status: .closed, outcome: reason, now: now)
            sync.closed.append((proposal.id, reason))
        }
        return sync
    }

    /// An open proposal as the sync first reads it: without its evidence and flags.
    ///
    /// A full pass compares every open proposal with its draft. Decoding every list into strings
    /// held 241,522 proposals' lines at once while the drafts held theirs (peak RSS and a sixth of
    /// the recording, `bench/proposals.sh 1000000`); keeping the stored text instead still held
    /// 273 MB of evidence at the peak of the pass, while recording. The lists are read afterwards,
    /// a row at a time (``forEachStoredList(_:of:everyOpen:_:)``), and compared byte for byte.
    struct OpenRow {
        let id: ProposalID
        let people: [PersonID]
        let survivor: PersonID
        let confidence: Double
    }

    /// Hands the stored evidence and flags of the proposals in `wanted` (by id, to the value
    /// given with each) to `body`, one row at a time.
    ///
    /// - Parameter everyOpen: Whether `wanted` may hold most open proposals (a full pass): they are
    ///   then read in one scan of the open ones rather than a few hundred ids at a time.
    static func forEachStoredList(
        _ db: some SQLSession, of wanted: [ProposalID: Int], everyOpen: Bool,
        _ body: (Int, String, String) throws -> Void
    ) throws {
        guard !wanted.isEmpty else { return }
        if everyOpen {
            var rows = try db.cursor("SELECT id, evidence, flags FROM mergeProposal WHERE status = 'open'", [])
            while let row = try rows.next() {
                if let value = wanted[ProposalID(row.int64(0))] { try body(value, row.text(1), row.text(2)) }
            }
            return
        }
        let statement = try db.prepare("SELECT id, evidence, flags FROM mergeProposal WHERE id IN \(inList)")
        let ids = wanted.keys.map(\.rawValue).sorted()
        for start in stride(from: 0, to: ids.count, by: inListSize) {
            statement.bind(inListArguments(ids[start..<min(start + inListSize, ids.count)]))
            // The places the list leaves over repeat an id: `IN` still gives each row once.
            try statement.forEach { row in
                if let value = wanted[ProposalID(row.int64(0))] { try body(value, row.text(1), row.text(2)) }
            }
        }
    }

    /// Whether a list stored by ``encodeList(_:)`` holds exactly these lines: each stored element
    /// is compared with its line as its escapes are read, without copying it (most evidence lines
    /// quote a name, and copying their escaped elements was most of recording a steady full pass,
    /// perf).
    static func storedList(_ text: String, equals lines: PackedLines) -> Bool {
        var text = text
        let answer: Bool? = text.withUTF8 { bytes in
            guard bytes.count >= 2, bytes[0] == UInt8(ascii: "["), bytes[bytes.count - 1] == UInt8(ascii: "]")
            else { return nil }
            let end = bytes.count - 1
            var position = 1
            var first = true
            // nil once the text is not in the form `encodeList` writes.
            var same: Bool? = true
            /// Reads `byte`: false at the end of the list (fewer elements), nil for another byte.
            func take(_ byte: UInt8) -> Bool? {
                guard position < end else { return false }
                guard bytes[position] == byte else { return nil }
                position += 1
                return true
            }
            lines.forEachLine { line in
                guard same == true else { return }
                if !first {
                    let separator = take(UInt8(ascii: ","))
                    guard separator == true else {
                        same = separator
                        return
                    }
                }
                first = false
                let quote = take(UInt8(ascii: "\""))
                guard quote == true else {
                    same = quote
                    return
                }
                var matched = 0
                while true {
                    guard position < end else {
                        same = nil
                        return
                    }
                    var byte = bytes[position]
                    position += 1
                    if byte == UInt8(ascii: "\"") { break }
                    if byte == UInt8(ascii: "\\") {
                        guard position < end else {
                            same = nil
                            return
                        }
                        switch bytes[position] {
                        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte = bytes[position]
                        case UInt8(ascii: "n"): byte = 0x0A
                        case UInt8(ascii: "r"): byte = 0x0D
                        case UInt8(ascii: "t"): byte = 0x09
                        case UInt8(ascii: "b"): byte = 0x08
                        case UInt8(ascii: "f"): byte = 0x0C
                        default:
                            same = nil
                            return
                        }
                        position += 1
                    }
                    guard matched < line.count, line[matched] == byte else {
                        same = false
                        return
                    }
                    matched += 1
                }
                if matched != line.count { same = false }
            }
            guard same == true else { return same }
            if position == end { return true }
            return bytes[position] == UInt8(ascii: ",") ? false : nil
        }
        // A text in another form (`\u` escapes, spaces) is decoded.
        return answer ?? (PackedLines(decodeList(text)) == lines)
    }

    /// ``OpenRow``s of the proposals that meet `condition` (see ``loadProposals(_:where:_:)``).
    static func loadOpenRows(_ db: some SQLSession, where condition: String, _ arguments: [SQLValue] = []) throws
        -> [OpenRow]
    {
        try db.all(
            "SELECT id, peopleKey, survivor, confidence FROM mergeProposal WHERE \(condition) ORDER BY id", arguments
        ) { row in
            OpenRow(
                id: ProposalID(row.int64(0)), people: PersonID.list(parsing: row.text(1)),
                survivor: PersonID(row.int64(2)), confidence: row.double(3))
        }
    }

    /// The proposals that meet `condition`, a constant text with `?` for `arguments` (a text
    /// that changed with each call would leave a prepared statement behind each time).
    static func loadProposals(_ db: some SQLSession, where condition: String, _ arguments: [SQLValue] = []) throws
        -> [StoredProposal]
    {
        try db.all(
            """
            SELECT id, status, peopleKey, survivor, confidence, evidence, flags, outcome, updatedAt
            FROM mergeProposal WHERE \(condition) ORDER BY id
            """, arguments
        ) { row in
            // Cut at the bytes: splitting by characters was a tenth of recording a full pass.
            let people = PersonID.list(parsing: row.text(2))
            let draft = ProposalDraft(
                people: people, survivor: PersonID(row.int64(3)), confidence: row.double(4),
                evidence: decodeList(row.text(5)), flags: decodeList(row.text(6)))
            return StoredProposal(
                id: ProposalID(row.int64(0)), status: StoredProposal.Status(rawValue: row.text(1)) ?? .closed,
                draft: draft, outcome: row[7], updatedAt: row.text(8))
        }
    }

    /// A new open proposal. On a server its id comes from ``SQLSession/nextID(_:)`` and every
    /// statement is sent without waiting (a first pass opens thousands).
    private static func insertProposal(
        _ db: some SQLSession, _ draft: ProposalDraft, now: String, members: inout [[SQLValue]]
    ) throws -> ProposalID {
        let values = args(
            draft.peopleKey, draft.survivor.rawValue, draft.confidence, encodeList(draft.evidence),
            encodeList(draft.flags), now, now)
        let id: ProposalID
        if let newID = try db.nextID("mergeProposal") {
            let insert = try db.prepare(
                """
                INSERT INTO mergeProposal (status, peopleKey, survivor, confidence, evidence, flags, createdAt, updatedAt, id)
                VALUES ('open', ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            insert.bind(values + [.integer(newID)])
            try insert.enqueue()
            id = ProposalID(newID)
        } else {
            guard
                let newID = try db.insertRow(
                    """
                    INSERT INTO mergeProposal (status, peopleKey, survivor, confidence, evidence, flags, createdAt, updatedAt)
                    VALUES ('open', ?, ?, ?, ?, ?, ?, ?)
                    """, values)
            else { throw StoreError("A new proposal got no id") }
            id = ProposalID(newID)
        }
        addProposalPeople(id, draft.people, to: &members)
        return id
    }

    private static func writeProposal(
        _ db: some SQLSession, id: ProposalID, _ draft: ProposalDraft, now: String, members: inout [[SQLValue]]
    ) throws {
        let update = try db.prepare(
            """
            UPDATE mergeProposal SET peopleKey = ?, survivor = ?, confidence = ?, evidence = ?, flags = ?, updatedAt = ?
            WHERE id = ?
            """)
        update.bind(
            args(
                draft.peopleKey, draft.survivor.rawValue, draft.confidence, encodeList(draft.evidence),
                encodeList(draft.flags), now, id.rawValue))
        try update.enqueue()
        let delete = try db.prepare("DELETE FROM mergeProposalPerson WHERE proposalId = ?")
        delete.bind(1, id.rawValue)
        try delete.enqueue()
        addProposalPeople(id, draft.people, to: &members)
    }

    private static func insertMembers(_ db: some SQLSession, _ members: inout [[SQLValue]]) throws {
        try db.insert(into: "mergeProposalPerson", columns: ["proposalId", "personId"], rows: members)
        members.removeAll(keepingCapacity: true)
    }

    /// The people of a proposal as rows of `mergeProposalPerson`, inserted some thousands at a
    /// time (in bulk on a server), always after the proposal's old rows are deleted.
    private static func addProposalPeople(_ id: ProposalID, _ people: [PersonID], to rows: inout [[SQLValue]]) {
        rows += people.map { [.integer(id.rawValue), .integer($0.rawValue)] }
    }

    static func close(
        _ db: some SQLSession, _ id: ProposalID, status: StoredProposal.Status, outcome: String, now: String
    ) throws {
        try db.run(
            "UPDATE mergeProposal SET status = ?, outcome = ?, updatedAt = ? WHERE id = ?",
            args(status.rawValue, outcome, now, id.rawValue))
    }

    static func encodeList(_ list: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(list), as: UTF8.self)) ?? "[]"
    }

    static func decodeList(_ text: String) -> [String] {
        if let list = decodeStringArray(text) { return list }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    /// A JSON array of strings as ``encodeList(_:)`` writes it, read byte by byte; nil for anything
    /// else (whitespace, `\u` escapes, another type), which JSONDecoder then reads.
    ///
    /// A full pass reads every open proposal's evidence and flags to compare them with the new
    /// ones; JSONDecoder was half of that (perf, `bench/proposals.sh 300000`).
    static func decodeStringArray(_ text: String) -> [String]? {
        var list: [String] = []
        let read = scanStringArray(text) { element in
            list.append(String(decoding: element, as: UTF8.self))
            return true
        }
        return read == true ? list : nil
    }

    /// Hands each element of a JSON array of strings, as ``encodeList(_:)`` writes it, to `visit`
    /// as its bytes (valid during the call), until `visit` returns false.
    ///
    /// An element without escapes is handed over in place; only one with escapes is copied.
    ///
    /// - Returns: True when every element was visited, false when `visit` stopped, nil when the text
    ///   is not in that form (whitespace, `\u` escapes, another type) before that.
    static func scanStringArray(_ text: String, _ visit: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool? {
        var text = text
        return text.withUTF8 { bytes -> Bool? in
            guard bytes.count >= 2, bytes[0] == UInt8(ascii: "["), bytes[bytes.count - 1] == UInt8(ascii: "]")
            else { return nil }
            var position = 1
            let end = bytes.count - 1
            var current: [UInt8] = []
            while position < end {
                guard bytes[position] == UInt8(ascii: "\"") else { return nil }
                position += 1
                let start = position
                while position < end, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
                    position += 1
                }
                guard position < end else { return nil }
                if bytes[position] == UInt8(ascii: "\"") {
                    position += 1
                    if !visit(UnsafeBufferPointer(rebasing: bytes[start..<position - 1])) { return false }
                } else {
                    current.removeAll(keepingCapacity: true)
                    current.append(contentsOf: bytes[start..<position])
                    while true {
                        guard position < end else { return nil }
                        let byte = bytes[position]
                        position += 1
                        if byte == UInt8(ascii: "\"") { break }
                        if byte != UInt8(ascii: "\\") {
                            current.append(byte)
                            continue
                        }
                        guard position < end else { return nil }
                        let escaped = bytes[position]
                        position += 1
                        switch escaped {
                        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): current.append(escaped)
                        case UInt8(ascii: "n"): current.append(0x0A)
                        case UInt8(ascii: "r"): current.append(0x0D)
                        case UInt8(ascii: "t"): current.append(0x09)
                        case UInt8(ascii: "b"): current.append(0x08)
                        case UInt8(ascii: "f"): current.append(0x0C)
                        default: return nil
                        }
                    }
                    if !current.withUnsafeBufferPointer(visit) { return false }
                }
                if position < end {
                    guard bytes[position] == UInt8(ascii: ","), position + 1 < end else { return nil }
                    position += 1
                }
            }
            return true
        }
    }
}
