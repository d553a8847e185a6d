import Foundation
import GRDB
import RosterCore

/// The state a merge changed, kept in `mergeDecision.before` to undo it exactly.
struct MergeBefore: Codable {
    struct Person: Codable {
        var id: Int64
        var name: String
        var isBot: Bool
        var createdAt: String
        var updatedAt: String
        var emails: [Email]
        var accounts: [Account]
        var attributes: [String: String]
        /// Aliases that pointed at this person and were re-pointed to the survivor.
        var aliases: [Int64]
    }

    struct Email: Codable {
        var address: String
        var isPrimary: Bool
    }

    struct Account: Codable {
        var integration: String
        var accountId: String
        var pinned: Bool
    }

    var survivor: Int64
    var merged: [Person]
    /// Attributes the survivor lacked and got from a merged person.
    var filledAttributes: [String: String]
    /// The address that became the survivor's primary because it had none.
    var filledPrimary: String?
}

extension SQLiteStore {
    /// Merges `others` into `survivor` inside the caller's transaction; returns the notes for the report.
    static func merge(
        _ db: Database, survivor: PersonID, others: [PersonID], proposal: ProposalID?, by decidedBy: String, now: String
    ) throws -> [String] {
        var notes: [String] = []
        var before = MergeBefore(survivor: survivor.rawValue, merged: [], filledAttributes: [:], filledPrimary: nil)
        var survivorAttributes = Dictionary(
            uniqueKeysWithValues: try Row.fetchAll(
                db, sql: "SELECT key, value FROM attributeValue WHERE personId = ?", arguments: [survivor.rawValue]
            ).map { ($0[0] as String, $0[1] as String) })
        var survivorHasPrimary =
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM email WHERE personId = ? AND isPrimary", arguments: [survivor.rawValue]) == true
        try db.execute(
            sql:
                "INSERT INTO mergeDecision (proposalId, survivor, merged, decidedBy, before, at) VALUES (?, ?, ?, ?, '', ?)",
            arguments: [
                proposal?.rawValue, survivor.rawValue, others.map(\.description).joined(separator: ","), decidedBy, now,
            ])
        let mergeID = db.lastInsertedRowID
        func audit(_ action: String, person: PersonID, subject: String, before: String?, after: String?) throws {
            try db.execute(
                sql: """
                    INSERT INTO audit (ingestId, line, action, personId, subject, before, after, at)
                    VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [mergeID, action, person.rawValue, subject, before, after, now])
        }
        for other in others {
            let id = other.rawValue
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT name, isBot, createdAt, updatedAt FROM person WHERE id = ?", arguments: [id])
            else { throw StoreError("Person \(other) does not exist; nothing was merged.") }
            let emails = try Row.fetchAll(
                db, sql: "SELECT address, isPrimary FROM email WHERE personId = ? ORDER BY isPrimary DESC, address",
                arguments: [id]
            ).map { MergeBefore.Email(address: $0[0], isPrimary: $0[1]) }
            let accounts = try Row.fetchAll(
                db,
                sql:
                    "SELECT integration, accountId, pinned FROM account WHERE personId = ? ORDER BY integration, accountId",
                arguments: [id]
            ).map { MergeBefore.Account(integration: $0[0], accountId: $0[1], pinned: $0[2]) }
            let attributes = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(
                    db, sql: "SELECT key, value FROM attributeValue WHERE personId = ?", arguments: [id]
                ).map { ($0[0] as String, $0[1] as String) })
            let aliases = try Int64.fetchAll(
                db, sql: "SELECT alias FROM personAlias WHERE personId = ?", arguments: [id])
            before.merged.append(
                MergeBefore.Person(
                    id: id, name: row[0], isBot: row[1], createdAt: row[2], updatedAt: row[3], emails: emails,
                    accounts: accounts, attributes: attributes, aliases: aliases))

            try db.execute(
                sql: "UPDATE email SET personId = ?, isPrimary = 0 WHERE personId = ?",
                arguments: [survivor.rawValue, id])
            for email in emails {
                try audit(
                    "email.merge", person: survivor, subject: email.address, before: other.description,
                    after: survivor.description)
            }
            if !survivorHasPrimary, let primary = emails.first(where: \.isPrimary) {
                try db.execute(sql: "UPDATE email SET isPrimary = 1 WHERE address = ?", arguments: [primary.address])
                before.filledPrimary = primary.address
                survivorHasPrimary = true
                notes.append("\(survivor) had no email and takes \(other)'s primary address")
            }
            try db.execute(
                sql: "UPDATE account SET personId = ? WHERE personId = ?", arguments: [survivor.rawValue, id])
            for account in accounts {
                try audit(
                    "account.merge", person: survivor, subject: "\(account.integration):\(account.accountId)",
                    before: other.description, after: survivor.description)
            }
            for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
                if let kept = survivorAttributes[key] {
                    if kept != value {
                        notes.append(
                            "attribute \(key): kept \(survivor)'s value \"\(kept)\", not \(other)'s \"\(value)\"")
                    }
                } else {
                    try db.execute(
                        sql: "INSERT INTO attributeValue (personId, key, value) VALUES (?, ?, ?)",
                        arguments: [survivor.rawValue, key, value])
                    survivorAttributes[key] = value
                    before.filledAttributes[key] = value
                    notes.append("attribute \(key): \(survivor) had none, takes \"\(value)\" from \(other)")
                }
            }
            try db.execute(sql: "DELETE FROM attributeValue WHERE personId = ?", arguments: [id])
            try db.execute(
                sql: "UPDATE personAlias SET personId = ? WHERE personId = ?", arguments: [survivor.rawValue, id])
            try db.execute(sql: "DELETE FROM person WHERE id = ?", arguments: [id])
            try db.execute(
                sql: "INSERT INTO personAlias (alias, personId, mergeId) VALUES (?, ?, ?)",
                arguments: [id, survivor.rawValue, mergeID])
            try audit(
                "person.merge", person: survivor, subject: other.description, before: row[0] as String,
                after: survivor.description)
        }
        let json = String(decoding: try JSONEncoder().encode(before), as: UTF8.self)
        try db.execute(sql: "UPDATE mergeDecision SET before = ? WHERE id = ?", arguments: [json, mergeID])
        try db.execute(sql: "UPDATE person SET updatedAt = ? WHERE id = ?", arguments: [now, survivor.rawValue])
        return notes
    }

    public func unmerge(_ target: UnmergeTarget, now: String) throws -> UnmergeOutcome {
        try writer.writeWithoutTransaction { db in
            var outcome: UnmergeOutcome?
            try db.inTransaction(.immediate) {
                let row: Row?
                switch target {
                case .proposal(let id):
                    row = try Row.fetchOne(
                        db,
                        sql:
                            "SELECT id, proposalId, before FROM mergeDecision WHERE proposalId = ? AND undoneAt IS NULL ORDER BY id DESC LIMIT 1",
                        arguments: [id.rawValue])
                case .person(let id):
                    row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT d.id, d.proposalId, d.before FROM personAlias a JOIN mergeDecision d ON d.id = a.mergeId
                            WHERE a.alias = ? AND d.undoneAt IS NULL
                            """,
                        arguments: [id.rawValue])
                }
                guard let row else {
                    throw StoreError(
                        "No merge to undo for \(target.text). Give the proposal id of an accepted merge, or the id of a merged person."
                    )
                }
                let mergeID: Int64 = row[0]
                let proposal: ProposalID? = (row[1] as Int64?).map(ProposalID.init)
                let before = try JSONDecoder().decode(MergeBefore.self, from: Data((row[2] as String).utf8))
                let survivor = PersonID(before.survivor)
                guard let holder = try Self.resolve(db, survivor) else {
                    throw StoreError("The survivor \(survivor) no longer exists; the merge can't be undone.")
                }
                var changed: [String] = []
                if holder != survivor {
                    changed.append("\(survivor) was itself merged into \(holder) since; restoring from \(holder)")
                }
                func audit(_ action: String, person: PersonID, subject: String, before: String?, after: String?) throws
                {
                    try db.execute(
                        sql: """
                            INSERT INTO audit (ingestId, line, action, personId, subject, before, after, at)
                            VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [mergeID, action, person.rawValue, subject, before, after, now])
                }
                // The survivor's own state first: undo filled gaps it still holds.
                for (key, value) in before.filledAttributes.sorted(by: { $0.key < $1.key }) {
                    let current = try String.fetchOne(
                        db, sql: "SELECT value FROM attributeValue WHERE personId = ? AND key = ?",
                        arguments: [holder.rawValue, key])
                    if current == value {
                        try db.execute(
                            sql: "DELETE FROM attributeValue WHERE personId = ? AND key = ?",
                            arguments: [holder.rawValue, key])
                    } else {
                        changed.append(
                            "attribute \(key) of \(holder) changed since the merge; left as \"\(current ?? "")\"")
                    }
                }
                for person in before.merged {
                    let id = PersonID(person.id)
                    try db.execute(
                        sql: "INSERT INTO person (id, name, isBot, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)",
                        arguments: [person.id, person.name, person.isBot, person.createdAt, person.updatedAt])
                    for email in person.emails {
                        let owner = try Int64.fetchOne(
                            db, sql: "SELECT personId FROM email WHERE address = ?", arguments: [email.address])
                        if owner == holder.rawValue {
                            try db.execute(
                                sql: "UPDATE email SET personId = ?, isPrimary = ? WHERE address = ?",
                                arguments: [person.id, email.isPrimary, email.address])
                            try audit(
                                "email.unmerge", person: id, subject: email.address, before: holder.description,
                                after: id.description)
                        } else if let owner {
                            changed.append("\(email.address) belongs to \(PersonID(owner)) now; left there")
                        } else {
                            changed.append("\(email.address) was removed since the merge")
                        }
                    }
                    for account in person.accounts {
                        let key = "\(account.integration):\(account.accountId)"
                        let owner = try Int64.fetchOne(
                            db, sql: "SELECT personId FROM account WHERE integration = ? AND accountId = ?",
                            arguments: [account.integration, account.accountId])
                        if owner == holder.rawValue {
                            try db.execute(
                                sql:
                                    "UPDATE account SET personId = ?, pinned = ? WHERE integration = ? AND accountId = ?",
                                arguments: [person.id, account.pinned, account.integration, account.accountId])
                            try audit(
                                "account.unmerge", person: id, subject: key, before: holder.description,
                                after: id.description)
                        } else if let owner {
                            changed.append("account \(key) belongs to \(PersonID(owner)) now; left there")
                        } else {
                            changed.append("account \(key) was removed since the merge")
                        }
                    }
                    for (key, value) in person.attributes {
                        try db.execute(
                            sql: "INSERT INTO attributeValue (personId, key, value) VALUES (?, ?, ?)",
                            arguments: [person.id, key, value])
                    }
                    try db.execute(sql: "DELETE FROM personAlias WHERE alias = ?", arguments: [person.id])
                    for alias in person.aliases {
                        try db.execute(
                            sql: "UPDATE personAlias SET personId = ? WHERE alias = ?", arguments: [person.id, alias])
                    }
                    try audit(
                        "person.unmerge", person: id, subject: id.description, before: holder.description,
                        after: person.name)
                }
                // Every email of the survivor that is primary-less again keeps its state; make sure a primary exists
                // when the survivor had one of its own before.
                if let filled = before.filledPrimary {
                    let stillThere = try Int64.fetchOne(
                        db, sql: "SELECT personId FROM email WHERE address = ?", arguments: [filled])
                    if stillThere == holder.rawValue {
                        changed.append("\(filled) stays with \(holder)")
                    }
                }
                // Accounts that joined the survivor after the merge stay with it; report them.
                let later = try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT subject FROM audit WHERE personId = ? AND id > (SELECT max(id) FROM audit WHERE line = ? AND action = 'person.merge')
                        AND action IN ('account.create', 'account.link', 'account.move', 'account.relink')
                        """,
                    arguments: [holder.rawValue, mergeID])
                for key in later {
                    changed.append("account \(key) joined \(holder) after the merge; it stays with \(holder)")
                }
                let restored = before.merged.map { PersonID($0.id) }
                // An undone merge is a decision too: do not propose these people together again.
                for a in restored + [survivor] {
                    for b in restored + [survivor] where a < b {
                        try db.execute(
                            sql: "INSERT OR IGNORE INTO rejectedPair (low, high, proposalId, at) VALUES (?, ?, ?, ?)",
                            arguments: [a.rawValue, b.rawValue, proposal?.rawValue, now])
                    }
                }
                try db.execute(sql: "UPDATE mergeDecision SET undoneAt = ? WHERE id = ?", arguments: [now, mergeID])
                if let proposal {
                    try db.execute(
                        sql:
                            "UPDATE mergeProposal SET outcome = coalesce(outcome, '') || ?, updatedAt = ? WHERE id = ?",
                        arguments: ["; unmerged at \(now)", now, proposal.rawValue])
                }
                outcome = UnmergeOutcome(
                    proposal: proposal, survivor: holder, restored: restored, changedSince: changed)
                return .commit
            }
            return outcome!
        }
    }

    // MARK: - Explaining

    public func explain(_ subject: ExplainSubject) throws -> Explanation? {
        try writer.read { db in
            var aliasOf: PersonID?
            let person: PersonID
            switch subject {
            case .email(let address):
                guard
                    let owner = try Int64.fetchOne(
                        db, sql: "SELECT personId FROM email WHERE address = ?",
                        arguments: [EmailAddress.normalise(address)])
                else { return nil }
                person = PersonID(owner)
            case .person(let id):
                guard let current = try Self.resolve(db, id) else { return nil }
                if current != id { aliasOf = id }
                person = current
            case .account(let key):
                guard
                    let owner = try Int64.fetchOne(
                        db, sql: "SELECT personId FROM account WHERE integration = ? AND accountId = ?",
                        arguments: [key.integration, key.accountID])
                else { return nil }
                person = PersonID(owner)
            }
            let name =
                try String.fetchOne(db, sql: "SELECT name FROM person WHERE id = ?", arguments: [person.rawValue]) ?? ""
            let emails = try String.fetchAll(
                db, sql: "SELECT address FROM email WHERE personId = ? ORDER BY isPrimary DESC, address",
                arguments: [person.rawValue])
            var histories: [AccountHistory] = []
            let accounts = try Row.fetchAll(
                db,
                sql:
                    "SELECT integration, accountId, pinned FROM account WHERE personId = ? ORDER BY integration, accountId",
                arguments: [person.rawValue])
            for account in accounts {
                let key = AccountKey(integration: account[0], accountID: account[1])
                var steps: [String] = []
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT a.action, a.line, a.personId, a.before, a.after, a.at, i.fileName, a.ingestId,
                            (SELECT 1 FROM audit c WHERE c.ingestId = a.ingestId AND c.line = a.line
                                AND c.action = 'person.create' AND c.personId = a.personId) AS created,
                            d.proposalId
                        FROM audit a LEFT JOIN ingest i ON i.id = a.ingestId
                        LEFT JOIN mergeDecision d ON a.ingestId IS NULL AND d.id = a.line
                        WHERE a.subject = ? AND \(Self.accountRows("a")) ORDER BY a.id
                        """,
                    arguments: [key.description])
                for row in rows {
                    let action: String = row[0]
                    let place = (row[6] as String?).map { "\($0) line \(row[1] as Int64? ?? 0)" } ?? "decision"
                    let to = PersonID(row[2] as Int64)
                    let rule: String
                    switch action {
                    case "account.create":
                        rule =
                            (row[8] as Int64?) != nil
                            ? "new person \(to) from this account: no known person has its email (rule 2)"
                            : "joined \(to) because its email is \(to)'s (rule 1)"
                    case "account.link": rule = "placed with \(to) by a users CSV row: an explicit edit, pinned"
                    case "account.move": rule = "moved to \(to) by a users CSV row: an explicit edit, pinned"
                    case "account.relink": rule = "moved to \(to) because its email now leads there"
                    case "account.update": continue
                    case "account.merge":
                        let proposal = (row[9] as Int64?).map { " (proposal \(ProposalID($0)))" } ?? ""
                        rule = "moved from \(row[3] as String? ?? "?") to \(to) by an accepted merge\(proposal)"
                    case "account.unmerge": rule = "moved back to \(to) by an unmerge"
                    default: rule = action
                    }
                    steps.append("\(row[5] as String) \(place): \(rule)")
                }
                histories.append(AccountHistory(key: key, pinned: account[2], steps: steps))
            }
            return Explanation(person: person, name: name, aliasOf: aliasOf, emails: emails, accounts: histories)
        }
    }
}

extension UnmergeTarget {
    var text: String {
        switch self {
        case .proposal(let id): id.description
        case .person(let id): id.description
        }
    }
}
