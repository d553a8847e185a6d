import Foundation
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

extension StoreSQL {
    /// Merges `others` into `survivor` inside the caller's transaction; returns the notes for the report.
    static func merge(
        _ db: some SQLSession, survivor: PersonID, others: [PersonID], proposal: ProposalID?, by decidedBy: String,
        now: String
    ) throws -> [String] {
        var notes: [String] = []
        var before = MergeBefore(survivor: survivor.rawValue, merged: [], filledAttributes: [:], filledPrimary: nil)
        var survivorAttributes = Dictionary(
            uniqueKeysWithValues: try db.all(
                "SELECT key, value FROM attributeValue WHERE personId = ?", args(survivor.rawValue)
            ) { ($0.text(0), $0.text(1)) })
        var survivorHasPrimary =
            try db.value(
                "SELECT 1 FROM email WHERE personId = ? AND isPrimary", args(survivor.rawValue), as: Int64.self) != nil
        guard
            let mergeID = try db.insertRow(
                """
                INSERT INTO mergeDecision (proposalId, survivor, merged, decidedBy, before, at)
                VALUES (?, ?, ?, ?, '', ?)
                """,
                args(
                    proposal?.rawValue, survivor.rawValue, others.map(\.description).joined(separator: ","), decidedBy,
                    now))
        else { throw StoreError("A merge decision got no id") }
        func audit(_ action: String, person: PersonID, subject: String, before: String?, after: String?) throws {
            try db.run(
                """
                INSERT INTO audit (ingestId, line, action, personId, subject, before, after, at)
                VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)
                """, args(mergeID, action, person.rawValue, subject, before, after, now))
        }
        for other in others {
            let id = other.rawValue
            guard
                let row = try db.first(
                    "SELECT name, isBot, createdAt, updatedAt FROM person WHERE id = ?", args(id),
                    { (name: $0.text(0), isBot: $0.bool(1), createdAt: $0.text(2), updatedAt: $0.text(3)) })
            else { throw StoreError("Person \(other) does not exist; nothing was merged.") }
            let emails = try db.all(
                "SELECT address, isPrimary FROM email WHERE personId = ? ORDER BY isPrimary DESC, address", args(id)
            ) { MergeBefore.Email(address: $0.text(0), isPrimary: $0.bool(1)) }
            let accounts = try db.all(
                "SELECT integration, accountId, pinned FROM account WHERE personId = ? ORDER BY integration, accountId",
                args(id)
            ) { MergeBefore.Account(integration: $0.text(0), accountId: $0.text(1), pinned: $0.bool(2)) }
            let attributes = Dictionary(
                uniqueKeysWithValues: try db.all("SELECT key, value FROM attributeValue WHERE personId = ?", args(id)) {
                    ($0.text(0), $0.text(1))
                })
            let aliases = try db.column("SELECT alias FROM personAlias WHERE personId = ?", args(id), as: Int64.self)
            before.merged.append(
                MergeBefore.Person(
                    id: id, name: row.name, isBot: row.isBot, createdAt: row.createdAt, updatedAt: row.updatedAt,
                    emails: emails,
                    accounts: accounts, attributes: attributes, aliases: aliases))

            try db.run(
                "UPDATE email SET personId = ?, isPrimary = FALSE WHERE personId = ?", args(survivor.rawValue, id))
            for email in emails {
                try audit(
                    "email.merge", person: survivor, subject: email.address, before: other.description,
                    after: survivor.description)
            }
            if !survivorHasPrimary, let primary = emails.first(where: \.isPrimary) {
                try db.run("UPDATE email SET isPrimary = TRUE WHERE address = ?", args(primary.address))
                before.filledPrimary = primary.address
                survivorHasPrimary = true
                notes.append("\(survivor) had no email and takes \(other)'s primary address")
            }
            try db.run("UPDATE account SET personId = ? WHERE personId = ?", args(survivor.rawValue, id))
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
                    try db.run(
                        "INSERT INTO attributeValue (personId, key, value) VALUES (?, ?, ?)",
                        args(survivor.rawValue, key, value))
                    survivorAttributes[key] = value
                    before.filledAttributes[key] = value
                    notes.append("attribute \(key): \(survivor) had none, takes \"\(value)\" from \(other)")
                }
            }
            try db.run("DELETE FROM attributeValue WHERE personId = ?", args(id))
            try db.run("UPDATE personAlias SET personId = ? WHERE personId = ?", args(survivor.rawValue, id))
            try db.run("DELETE FROM person WHERE id = ?", args(id))
            try db.run(
                "INSERT INTO personAlias (alias, personId, mergeId) VALUES (?, ?, ?)",
                args(id, survivor.rawValue, mergeID))
            try audit(
                "person.merge", person: survivor, subject: other.description, before: row.name,
                after: survivor.description)
        }
        let json = String(decoding: try JSONEncoder().encode(before), as: UTF8.self)
        try db.run("UPDATE mergeDecision SET before = ? WHERE id = ?", args(json, mergeID))
        try db.run("UPDATE person SET updatedAt = ? WHERE id = ?", args(now, survivor.rawValue))
        return notes
    }

}

extension SQLRosterStore {
    public func unmerge(_ target: UnmergeTarget, now: String) throws -> UnmergeOutcome {
        try database.write { db in
            let read = { (row: Database.Session.Row) in
                (id: row.int64(0), proposal: row[1] as Int64?, before: row.text(2))
            }
            let row: (id: Int64, proposal: Int64?, before: String)?
            switch target {
            case .proposal(let id):
                row = try db.first(
                    "SELECT id, proposalId, before FROM mergeDecision WHERE proposalId = ? AND undoneAt IS NULL ORDER BY id DESC LIMIT 1",
                    args(id.rawValue), read)
            case .person(let id):
                row = try db.first(
                    """
                    SELECT d.id, d.proposalId, d.before FROM personAlias a JOIN mergeDecision d ON d.id = a.mergeId
                    WHERE a.alias = ? AND d.undoneAt IS NULL
                    """,
                    args(id.rawValue), read)
            }
            guard let row else {
                throw StoreError(
                    "No merge to undo for \(target.text). Give the proposal id of an accepted merge, or the id of a merged person."
                )
            }
            let mergeID = row.id
            let proposal = row.proposal.map(ProposalID.init)
            let before = try JSONDecoder().decode(MergeBefore.self, from: Data(row.before.utf8))
            let survivor = PersonID(before.survivor)
            guard let holder = try StoreSQL.resolve(db, survivor) else {
                throw StoreError("The survivor \(survivor) no longer exists; the merge can't be undone.")
            }
            var changed: [String] = []
            if holder != survivor {
                changed.append("\(survivor) was itself merged into \(holder) since; restoring from \(holder)")
            }
            func audit(_ action: String, person: PersonID, subject: String, before: String?, after: String?) throws {
                try db.run(
                    """
                    INSERT INTO audit (ingestId, line, action, personId, subject, before, after, at)
                    VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)
                    """, args(mergeID, action, person.rawValue, subject, before, after, now))
            }
            // The survivor's own state first: undo filled gaps it still holds.
            for (key, value) in before.filledAttributes.sorted(by: { $0.key < $1.key }) {
                let current = try db.value(
                    "SELECT value FROM attributeValue WHERE personId = ? AND key = ?", args(holder.rawValue, key),
                    as: String.self)
                if current == value {
                    try db.run("DELETE FROM attributeValue WHERE personId = ? AND key = ?", args(holder.rawValue, key))
                } else {
                    changed.append(
                        "attribute \(key) of \(holder) changed since the merge; left as \"\(current ?? "")\"")
                }
            }
            for person in before.merged {
                let id = PersonID(person.id)
                try db.run(
                    "INSERT INTO person (id, name, isBot, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)",
                    args(person.id, person.name, person.isBot, person.createdAt, person.updatedAt))
                for email in person.emails {
                    let owner = try db.value(
                        "SELECT personId FROM email WHERE address = ?", args(email.address), as: Int64.self)
                    if owner == holder.rawValue {
                        try db.run(
                            "UPDATE email SET personId = ?, isPrimary = ? WHERE address = ?",
                            args(person.id, email.isPrimary, email.address))
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
                    let owner = try db.value(
                        "SELECT personId FROM account WHERE integration = ? AND accountId = ?",
                        args(account.integration, account.accountId), as: Int64.self)
                    if owner == holder.rawValue {
                        try db.run(
                            "UPDATE account SET personId = ?, pinned = ? WHERE integration = ? AND accountId = ?",
                            args(person.id, account.pinned, account.integration, account.accountId))
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
                    try db.run(
                        "INSERT INTO attributeValue (personId, key, value) VALUES (?, ?, ?)",
                        args(person.id, key, value))
                }
                try db.run("DELETE FROM personAlias WHERE alias = ?", args(person.id))
                for alias in person.aliases {
                    try db.run("UPDATE personAlias SET personId = ? WHERE alias = ?", args(person.id, alias))
                }
                try audit(
                    "person.unmerge", person: id, subject: id.description, before: holder.description,
                    after: person.name)
            }
            // Every email of the survivor that is primary-less again keeps its state; make sure a primary exists
            // when the survivor had one of its own before.
            if let filled = before.filledPrimary {
                let stillThere = try db.value(
                    "SELECT personId FROM email WHERE address = ?", args(filled), as: Int64.self)
                if stillThere == holder.rawValue {
                    changed.append("\(filled) stays with \(holder)")
                }
            }
            // Accounts that joined the survivor after the merge stay with it; report them.
            let later = try db.column(
                """
                SELECT DISTINCT subject FROM audit WHERE personId = ? AND id > (SELECT max(id) FROM audit WHERE line = ? AND action = 'person.merge')
                AND action IN ('account.create', 'account.link', 'account.move', 'account.relink')
                """, args(holder.rawValue, mergeID), as: String.self)
            for key in later {
                changed.append("account \(key) joined \(holder) after the merge; it stays with \(holder)")
            }
            let restored = before.merged.map { PersonID($0.id) }
            // An undone merge is a decision too: do not propose these people together again.
            for a in restored + [survivor] {
                for b in restored + [survivor] where a < b {
                    try StoreSQL.rememberRejected(db, PersonPair(a, b), proposal: proposal, now: now)
                }
            }
            try db.run("UPDATE mergeDecision SET undoneAt = ? WHERE id = ?", args(now, mergeID))
            if let proposal {
                try db.run(
                    "UPDATE mergeProposal SET outcome = coalesce(outcome, '') || ?, updatedAt = ? WHERE id = ?",
                    args("; unmerged at \(now)", now, proposal.rawValue))
            }
            return UnmergeOutcome(
                proposal: proposal, survivor: holder, restored: restored, changedSince: changed)
        }
    }

    // MARK: - Explaining

    public func explain(_ subject: ExplainSubject) throws -> Explanation? {
        try database.read { db in
            var aliasOf: PersonID?
            let person: PersonID
            switch subject {
            case .email(let address):
                guard
                    let owner = try db.value(
                        "SELECT personId FROM email WHERE address = ?", args(EmailAddress.normalise(address)),
                        as: Int64.self)
                else { return nil }
                person = PersonID(owner)
            case .person(let id):
                guard let current = try StoreSQL.resolve(db, id) else { return nil }
                if current != id { aliasOf = id }
                person = current
            case .account(let key):
                guard
                    let owner = try db.value(
                        "SELECT personId FROM account WHERE integration = ? AND accountId = ?",
                        args(key.integration, key.accountID), as: Int64.self)
                else { return nil }
                person = PersonID(owner)
            }
            let name =
                try db.value("SELECT name FROM person WHERE id = ?", args(person.rawValue), as: String.self) ?? ""
            let emails = try db.column(
                "SELECT address FROM email WHERE personId = ? ORDER BY isPrimary DESC, address", args(person.rawValue),
                as: String.self)
            var histories: [AccountHistory] = []
            let accounts = try db.all(
                "SELECT integration, accountId, pinned FROM account WHERE personId = ? ORDER BY integration, accountId",
                args(person.rawValue)
            ) { (key: AccountKey(integration: $0.text(0), accountID: $0.text(1)), pinned: $0.bool(2)) }
            for account in accounts {
                let key = account.key
                var steps: [String] = []
                let rows = try db.all(
                    """
                    SELECT a.action, a.line, a.personId, a.before, a.after, a.at, i.fileName, a.ingestId,
                        (SELECT CASE WHEN c.subject IS NULL THEN 0 ELSE 1 END FROM audit c
                            WHERE c.ingestId = a.ingestId AND c.line = a.line
                            AND c.action = 'person.create' AND c.personId = a.personId) AS created,
                        d.proposalId
                    FROM audit a LEFT JOIN ingest i ON i.id = a.ingestId
                    LEFT JOIN mergeDecision d ON a.ingestId IS NULL AND d.id = a.line
                    WHERE a.subject = ? AND \(StoreSQL.accountRows("a")) ORDER BY a.id
                    """,
                    args(key.description)
                ) { row in
                    (
                        action: row.text(0), line: row[1] as Int64?, person: row.int64(2), before: row[3] as String?,
                        at: row.text(5), fileName: row[6] as String?,
                        createdWithEmail: row.isNull(8) ? nil : row.int64(8) == 1, proposal: row[9] as Int64?
                    )
                }
                for row in rows {
                    let action = row.action
                    let place = row.fileName.map { "\($0) line \(row.line ?? 0)" } ?? "decision"
                    let to = PersonID(row.person)
                    let rule: String
                    switch action {
                    case "account.create":
                        // nil: the account joined a known person; else whether the person it made
                        // was created with an address (its audit row names it).
                        switch row.createdWithEmail {
                        case nil: rule = "joined \(to) because its email is \(to)'s (rule 1)"
                        case true?: rule = "new person \(to) from this account: no known person has its email (rule 2)"
                        case false?: rule = "new person \(to) from this account: it has no email to link it by (rule 2)"
                        }
                    case "account.link": rule = "placed with \(to) by a users CSV row: an explicit edit, pinned"
                    case "account.move": rule = "moved to \(to) by a users CSV row: an explicit edit, pinned"
                    case "account.relink": rule = "moved to \(to) because its email now leads there"
                    case "account.update": continue
                    case "account.merge":
                        let proposal = row.proposal.map { " (proposal \(ProposalID($0)))" } ?? ""
                        rule = "moved from \(row.before ?? "?") to \(to) by an accepted merge\(proposal)"
                    case "account.unmerge": rule = "moved back to \(to) by an unmerge"
                    default: rule = action
                    }
                    steps.append("\(row.at) \(place): \(rule)")
                }
                histories.append(AccountHistory(key: key, pinned: account.pinned, steps: steps))
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
