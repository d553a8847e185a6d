import Foundation
import GRDB
public import RosterCore

extension SQLiteStore {
    // MARK: - Reading people for matching

    public func forEachMatchPerson(_ each: (MatchPerson) throws -> Void) throws {
        try writer.read { db in
            let people = try Row.fetchCursor(db, sql: "SELECT id, name, isBot FROM person ORDER BY id")
            let emails = try Row.fetchCursor(
                db, sql: "SELECT personId, address FROM email ORDER BY personId, isPrimary DESC, address")
            let accounts = try Row.fetchCursor(
                db,
                sql: """
                    SELECT personId, integration, accountId, login, displayName, email, isBot, pinned
                    FROM account ORDER BY personId, integration, accountId
                    """)
            var email = try emails.next().map { ($0[0] as Int64, $0[1] as String) }
            var account = try accounts.next().map(Self.matchAccount)
            while let row = try people.next() {
                let id: Int64 = row[0]
                var person = MatchPerson(id: PersonID(id), name: row[1], isBot: row[2])
                while let current = email, current.0 <= id {
                    if current.0 == id { person.emails.append(current.1) }
                    email = try emails.next().map { ($0[0], $0[1]) }
                }
                while let current = account, current.0 <= id {
                    if current.0 == id { person.accounts.append(current.1) }
                    account = try accounts.next().map(Self.matchAccount)
                }
                try each(person)
            }
        }
    }

    public func matchPeople(_ ids: [PersonID]) throws -> [MatchPerson] {
        try writer.read { db in
            // Prepared once for all the ids: compiling three statements per person cost more than
            // running them (a refresh reads a few thousand people this way).
            let person = try db.makeStatement(sql: "SELECT name, isBot FROM person WHERE id = ?")
            let emails = try db.makeStatement(
                sql: "SELECT address FROM email WHERE personId = ? ORDER BY isPrimary DESC, address")
            let accounts = try db.makeStatement(
                sql: """
                    SELECT personId, integration, accountId, login, displayName, email, isBot, pinned
                    FROM account WHERE personId = ? ORDER BY integration, accountId
                    """)
            var people: [MatchPerson] = []
            for id in ids {
                guard let row = try Row.fetchOne(person, arguments: [id.rawValue]) else { continue }
                var match = MatchPerson(id: id, name: row[0], isBot: row[1])
                match.emails = try String.fetchAll(emails, arguments: [id.rawValue])
                match.accounts = try Row.fetchAll(accounts, arguments: [id.rawValue]).map { Self.matchAccount($0).1 }
                people.append(match)
            }
            return people
        }
    }

    private static func matchAccount(_ row: Row) -> (Int64, MatchAccount) {
        (
            row[0],
            MatchAccount(
                key: AccountKey(integration: row[1], accountID: row[2]), login: row[3], displayName: row[4],
                email: row[5], isBot: row[6], pinned: row[7])
        )
    }

    public func peopleChanged(sinceAudit: Int64) throws -> (people: Set<PersonID>, latestAudit: Int64) {
        try writer.read { db in
            var people = Set<PersonID>()
            var latest = sinceAudit
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, personId, action, before, subject, after FROM audit WHERE id > ? ORDER BY id",
                arguments: [sinceAudit])
            while let row = try rows.next() {
                latest = row[0]
                if let person: Int64 = row[1] { people.insert(PersonID(person)) }
                let action: String = row[2]
                if action.hasPrefix("account.") || Self.leavingActions.contains(action) {
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
            }
            return (people, latest)
        }
    }

    /// Audit actions besides `account.*` whose `before` names the person something left.
    private static let leavingActions: Set<String> = ["email.merge", "email.unmerge", "person.unmerge"]

    public func rejectedPairs() throws -> Set<PersonPair> {
        try writer.read { db in
            var pairs = Set<PersonPair>()
            let rows = try Row.fetchAll(db, sql: "SELECT low, high FROM rejectedPair")
            for row in rows {
                let low = try Self.resolve(db, PersonID(row[0])) ?? PersonID(row[0])
                let high = try Self.resolve(db, PersonID(row[1])) ?? PersonID(row[1])
                if low != high { pairs.insert(PersonPair(low, high)) }
            }
            return pairs
        }
    }

    // MARK: - Proposals

    public func syncProposals(_ drafts: [ProposalDraft], scope: Set<PersonID>?, now: String) throws -> ProposalSync {
        try writer.write { db in try Self.syncProposals(db, drafts, scope: scope, now: now) }
    }

    /// ``syncProposals(_:scope:now:)`` inside the caller's transaction.
    ///
    /// With a scope, only the open proposals that have one of its people are loaded: a draft can
    /// only match a proposal it shares a person with, and its people lie within the scope, so the
    /// others can't be matched or closed. A pass over a few people then reads a few proposals, not
    /// every open one.
    static func syncProposals(_ db: Database, _ drafts: [ProposalDraft], scope: Set<PersonID>?, now: String) throws
        -> ProposalSync
    {
        var sync = ProposalSync()
        var open = try scope.map { try openProposals(db, touching: $0) } ?? loadProposals(db, where: "status = 'open'")
        var byPerson: [PersonID: [Int]] = [:]
        for (index, proposal) in open.enumerated() {
            for person in proposal.draft.people { byPerson[person, default: []].append(index) }
        }
        var matched = Set<Int>()
        var byKey: [String: Int] = [:]
        for (index, proposal) in open.enumerated() { byKey[proposal.draft.peopleKey] = index }
        for draft in drafts {
            var target = byKey[draft.peopleKey].flatMap { matched.contains($0) ? nil : $0 }
            if target == nil {
                var overlap: [Int: Int] = [:]
                for person in draft.people {
                    for index in byPerson[person] ?? [] where !matched.contains(index) {
                        overlap[index, default: 0] += 1
                    }
                }
                target = overlap.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key
            }
            if let index = target {
                matched.insert(index)
                let existing = open[index]
                if existing.draft == draft {
                    sync.unchanged.append(existing.id)
                } else {
                    try Self.writeProposal(db, id: existing.id, draft, now: now)
                    open[index].draft = draft
                    sync.updated.append(existing.id)
                }
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO mergeProposal (status, peopleKey, survivor, confidence, evidence, flags, createdAt, updatedAt)
                        VALUES ('open', '', 0, 0, '[]', '[]', ?, ?)
                        """, arguments: [now, now])
                let id = ProposalID(db.lastInsertedRowID)
                try Self.writeProposal(db, id: id, draft, now: now)
                sync.opened.append(id)
            }
        }
        for (index, proposal) in open.enumerated() where !matched.contains(index) {
            if let scope, !proposal.draft.people.contains(where: scope.contains) { continue }
            var reason = "the evidence no longer supports it"
            for person in proposal.draft.people {
                if let survivor = try Self.resolve(db, person), survivor != person {
                    reason = "moot: \(person) was merged into \(survivor)"
                    break
                }
            }
            try Self.close(db, proposal.id, status: .closed, outcome: reason, now: now)
            sync.closed.append((proposal.id, reason))
        }
        return sync
    }

    public func openProposals() throws -> [StoredProposal] {
        try writer.read { db in try Self.loadProposals(db, where: "status = 'open'") }
    }

    public func proposal(_ id: ProposalID) throws -> StoredProposal? {
        try writer.read { db in try Self.loadProposals(db, where: "id = \(id.rawValue)").first }
    }

    static func loadProposals(_ db: Database, where condition: String) throws -> [StoredProposal] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, status, peopleKey, survivor, confidence, evidence, flags, outcome, updatedAt
                FROM mergeProposal WHERE \(condition) ORDER BY id
                """)
        return rows.map { row in
            let people = (row[2] as String).split(separator: ",").compactMap { PersonID(parsing: $0) }
            let draft = ProposalDraft(
                people: people, survivor: PersonID(row[3]), confidence: row[4], evidence: decodeList(row[5]),
                flags: decodeList(row[6]))
            return StoredProposal(
                id: ProposalID(row[0]), status: StoredProposal.Status(rawValue: row[1]) ?? .closed, draft: draft,
                outcome: row[7], updatedAt: row[8])
        }
    }

    private static func writeProposal(_ db: Database, id: ProposalID, _ draft: ProposalDraft, now: String) throws {
        try db.execute(
            sql: """
                UPDATE mergeProposal SET peopleKey = ?, survivor = ?, confidence = ?, evidence = ?, flags = ?, updatedAt = ?
                WHERE id = ?
                """,
            arguments: [
                draft.peopleKey, draft.survivor.rawValue, draft.confidence, encodeList(draft.evidence),
                encodeList(draft.flags), now, id.rawValue,
            ])
        try db.execute(sql: "DELETE FROM mergeProposalPerson WHERE proposalId = ?", arguments: [id.rawValue])
        for person in draft.people {
            try db.execute(
                sql: "INSERT INTO mergeProposalPerson (proposalId, personId) VALUES (?, ?)",
                arguments: [id.rawValue, person.rawValue])
        }
    }

    private static func close(
        _ db: Database, _ id: ProposalID, status: StoredProposal.Status, outcome: String, now: String
    ) throws {
        try db.execute(
            sql: "UPDATE mergeProposal SET status = ?, outcome = ?, updatedAt = ? WHERE id = ?",
            arguments: [status.rawValue, outcome, now, id.rawValue])
    }

    static func encodeList(_ list: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(list), as: UTF8.self)) ?? "[]"
    }

    static func decodeList(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    // MARK: - Decisions

    public func reject(_ id: ProposalID, decidedBy: String, now: String) throws -> StoredProposal {
        try writer.write { db in
            guard var proposal = try Self.loadProposals(db, where: "id = \(id.rawValue)").first else {
                throw StoreError("There is no proposal \(id). Run `roster proposals list` for the open ones.")
            }
            guard proposal.status == .open else {
                throw StoreError("Proposal \(id) is already \(proposal.status.rawValue); nothing was changed.")
            }
            let people = proposal.draft.people
            for (i, a) in people.enumerated() {
                for b in people[(i + 1)...] {
                    let pair = PersonPair(a, b)
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO rejectedPair (low, high, proposalId, at) VALUES (?, ?, ?, ?)",
                        arguments: [pair.low.rawValue, pair.high.rawValue, id.rawValue, now])
                }
            }
            let outcome = "rejected by \(decidedBy) at \(now)"
            try Self.close(db, id, status: .rejected, outcome: outcome, now: now)
            try db.execute(
                sql: """
                    INSERT INTO audit (ingestId, line, action, personId, subject, before, after, at)
                    VALUES (NULL, NULL, 'proposal.reject', ?, ?, NULL, ?, ?)
                    """,
                arguments: [proposal.draft.survivor.rawValue, id.description, proposal.draft.peopleKey, now])
            proposal.status = .rejected
            proposal.outcome = outcome
            return proposal
        }
    }

    public func accept(_ id: ProposalID, survivor: PersonID?, decidedBy: String, now: String) throws -> MergeOutcome {
        try writer.writeWithoutTransaction { db in
            var outcome: MergeOutcome?
            try db.inTransaction(.immediate) {
                guard let proposal = try Self.loadProposals(db, where: "id = \(id.rawValue)").first else {
                    throw StoreError("There is no proposal \(id). Run `roster proposals list` for the open ones.")
                }
                guard proposal.status == .open else {
                    throw StoreError("Proposal \(id) is already \(proposal.status.rawValue); nothing was changed.")
                }
                // People merged elsewhere since the proposal was made stand for their survivors now.
                var people: [PersonID] = []
                for person in proposal.draft.people {
                    if let current = try Self.resolve(db, person), !people.contains(current) { people.append(current) }
                }
                let chosen =
                    try survivor.flatMap { try Self.resolve(db, $0) } ?? Self.resolve(db, proposal.draft.survivor)
                guard let chosen, people.contains(chosen) else {
                    throw StoreError(
                        "The survivor \(survivor?.description ?? proposal.draft.survivor.description) is not one of the people of \(id); choose one of \(people.map(\.description).joined(separator: ", "))."
                    )
                }
                let others = people.filter { $0 != chosen }
                if others.isEmpty {
                    try Self.close(db, id, status: .closed, outcome: "moot: its people are already one", now: now)
                    outcome = MergeOutcome(proposal: id, survivor: chosen, merged: [], notes: ["already one person"])
                    return .commit
                }
                let notes = try Self.merge(db, survivor: chosen, others: others, proposal: id, by: decidedBy, now: now)
                try Self.close(
                    db, id, status: .accepted,
                    outcome:
                        "accepted by \(decidedBy) at \(now): \(others.map(\.description).joined(separator: ", ")) merged into \(chosen)",
                    now: now)
                outcome = MergeOutcome(proposal: id, survivor: chosen, merged: others, notes: notes)
                return .commit
            }
            return outcome!
        }
    }

    public func resolve(_ id: PersonID) throws -> PersonID? {
        try writer.read { db in try Self.resolve(db, id) }
    }

    static func resolve(_ db: Database, _ id: PersonID) throws -> PersonID? {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM person WHERE id = ?", arguments: [id.rawValue]) == true {
            return id
        }
        var current = id
        for _ in 0..<64 {
            guard
                let next = try Int64.fetchOne(
                    db, sql: "SELECT personId FROM personAlias WHERE alias = ?", arguments: [current.rawValue])
            else { return nil }
            current = PersonID(next)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM person WHERE id = ?", arguments: [next]) == true {
                return current
            }
        }
        return nil
    }
}
