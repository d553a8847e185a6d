import GRDB
import RosterCore

/// ``RosterLedger`` on an open SQLite write transaction.
///
/// Every change writes an audit row with the ingest id and source line, and the value before it.
/// Statements are prepared once per file and reused for every row.
struct SQLiteLedger: RosterLedger {
    let db: Database
    let ingestID: Int64?
    let now: String

    private let selectPerson: Statement
    private let selectEmails: Statement
    private let selectAttributes: Statement
    private let selectEmailOwner: Statement
    private let selectAccount: Statement
    private let insertPerson: Statement
    private let updatePersonName: Statement
    private let insertEmail: Statement
    private let demotePrimary: Statement
    private let promoteEmail: Statement
    private let insertAccount: Statement
    private let moveAccount: Statement
    private let upsertAttribute: Statement
    private let deleteAttribute: Statement
    private let insertAudit: Statement

    init(db: Database, ingestID: Int64?, now: String) throws {
        self.db = db
        self.ingestID = ingestID
        self.now = now
        selectPerson = try db.cachedStatement(sql: "SELECT name FROM person WHERE id = ?")
        selectEmails = try db.cachedStatement(
            sql: "SELECT address, isPrimary FROM email WHERE personId = ? ORDER BY isPrimary DESC, address")
        selectAttributes = try db.cachedStatement(sql: "SELECT key, value FROM attributeValue WHERE personId = ?")
        selectEmailOwner = try db.cachedStatement(sql: "SELECT personId FROM email WHERE address = ?")
        selectAccount = try db.cachedStatement(
            sql: "SELECT personId, pinned FROM account WHERE integration = ? AND accountId = ?")
        insertPerson = try db.cachedStatement(
            sql: "INSERT INTO person (name, createdAt, updatedAt) VALUES (?, ?, ?)")
        updatePersonName = try db.cachedStatement(sql: "UPDATE person SET name = ?, updatedAt = ? WHERE id = ?")
        insertEmail = try db.cachedStatement(sql: "INSERT INTO email (address, personId, isPrimary) VALUES (?, ?, ?)")
        demotePrimary = try db.cachedStatement(sql: "UPDATE email SET isPrimary = 0 WHERE personId = ? AND isPrimary")
        // Insert the address as primary, or promote it when the person already has it.
        promoteEmail = try db.cachedStatement(
            sql: """
                INSERT INTO email (address, personId, isPrimary) VALUES (?, ?, 1)
                ON CONFLICT(address) DO UPDATE SET isPrimary = 1 WHERE personId = excluded.personId
                """)
        insertAccount = try db.cachedStatement(
            sql: "INSERT INTO account (integration, accountId, personId, pinned) VALUES (?, ?, ?, 1)")
        moveAccount = try db.cachedStatement(
            sql: "UPDATE account SET personId = ?, pinned = 1 WHERE integration = ? AND accountId = ?")
        upsertAttribute = try db.cachedStatement(
            sql: """
                INSERT INTO attributeValue (personId, key, value) VALUES (?, ?, ?)
                ON CONFLICT(personId, key) DO UPDATE SET value = excluded.value
                """)
        deleteAttribute = try db.cachedStatement(sql: "DELETE FROM attributeValue WHERE personId = ? AND key = ?")
        insertAudit = try db.cachedStatement(
            sql: """
                INSERT INTO audit (ingestId, line, action, personId, subject, before, after, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
    }

    func person(_ id: PersonID) throws -> PersonSnapshot? {
        guard let name = try String.fetchOne(selectPerson, arguments: [id.rawValue]) else { return nil }
        var snapshot = PersonSnapshot(id: id, name: name, primaryEmail: nil)
        let emails = try Row.fetchCursor(selectEmails, arguments: [id.rawValue])
        while let row = try emails.next() {
            if row[1] as Bool {
                snapshot.primaryEmail = row[0]
            } else {
                snapshot.otherEmails.append(row[0])
            }
        }
        let attributes = try Row.fetchCursor(selectAttributes, arguments: [id.rawValue])
        while let row = try attributes.next() {
            snapshot.attributes[row[0]] = row[1] as String
        }
        return snapshot
    }

    func owner(ofEmail address: String) throws -> PersonID? {
        try Int64.fetchOne(selectEmailOwner, arguments: [address]).map(PersonID.init)
    }

    func account(_ key: AccountKey) throws -> AccountSnapshot? {
        try Row.fetchOne(selectAccount, arguments: [key.integration, key.accountID]).map {
            AccountSnapshot(key: key, person: PersonID($0[0]), pinned: $0[1])
        }
    }

    mutating func createPerson(name: String, line: Int) throws -> PersonID {
        try insertPerson.execute(arguments: [name, now, now])
        let id = PersonID(db.lastInsertedRowID)
        try audit(line: line, action: "person.create", person: id, subject: nil, before: nil, after: name)
        return id
    }

    mutating func apply(_ change: Change, to person: PersonID, line: Int) throws {
        switch change {
        case .rename(let from, let to):
            try updatePersonName.execute(arguments: [to, now, person.rawValue])
            try audit(line: line, action: "person.rename", person: person, subject: nil, before: from, after: to)
        case .setPrimaryEmail(let address, let previous):
            if previous != nil {
                try demotePrimary.execute(arguments: [person.rawValue])
            }
            try promoteEmail.execute(arguments: [address, person.rawValue])
            guard db.changesCount == 1 else {
                throw StoreError("\(address) belongs to another person than \(person); the plan should have caught it")
            }
            try audit(
                line: line, action: "email.primary", person: person, subject: address, before: previous, after: address)
        case .addEmail(let address):
            try insertEmail.execute(arguments: [address, person.rawValue, false])
            try audit(line: line, action: "email.add", person: person, subject: address, before: nil, after: address)
        case .linkAccount(let key, let from):
            if let from {
                try moveAccount.execute(arguments: [person.rawValue, key.integration, key.accountID])
                try audit(
                    line: line, action: "account.move", person: person, subject: key.description,
                    before: from.description, after: person.description)
            } else {
                try insertAccount.execute(arguments: [key.integration, key.accountID, person.rawValue])
                try audit(
                    line: line, action: "account.link", person: person, subject: key.description, before: nil,
                    after: person.description)
            }
        case .setAttribute(let key, let from, let to):
            if let to {
                try upsertAttribute.execute(arguments: [person.rawValue, key, to])
            } else {
                try deleteAttribute.execute(arguments: [person.rawValue, key])
            }
            try audit(line: line, action: "attribute.set", person: person, subject: key, before: from, after: to)
        }
    }

    private func audit(line: Int, action: String, person: PersonID, subject: String?, before: String?, after: String?)
        throws
    {
        try insertAudit.execute(arguments: [ingestID, line, action, person.rawValue, subject, before, after, now])
    }
}
