import RosterCore

/// ``RosterLedger`` on an open write transaction of either engine.
///
/// Every change writes an audit row with the ingest id and source line, and the value before it.
/// Statements are prepared once per file and reused for every row.
struct SQLLedger<Session: SQLSession>: RosterLedger {
    let db: Session
    let ingestID: Int64?
    let now: String

    private let selectPerson: Session.Statement
    private let selectEmails: Session.Statement
    private let selectAttributes: Session.Statement
    private let selectEmailOwner: Session.Statement
    private let selectAccount: Session.Statement
    private let insertPerson: Session.Statement
    private let updatePersonName: Session.Statement
    private let insertEmail: Session.Statement
    private let demotePrimary: Session.Statement
    private let insertOrPromotePrimary: Session.Statement
    private let insertAccount: Session.Statement
    private let moveAccount: Session.Statement
    private let upsertAttribute: Session.Statement
    private let deleteAttribute: Session.Statement
    private let insertAudit: Session.Statement
    private let selectIsBot: Session.Statement
    private let insertFullAccount: Session.Statement
    private let updateAccountFields: Session.Statement
    private let relinkAccountStatement: Session.Statement

    init(db: Session, ingestID: Int64?, now: String) throws {
        self.db = db
        self.ingestID = ingestID
        self.now = now
        selectPerson = try db.prepare("SELECT name, isBot FROM person WHERE id = ?")
        selectEmails = try db.prepare(
            "SELECT address, isPrimary FROM email WHERE personId = ? ORDER BY isPrimary DESC, address")
        selectAttributes = try db.prepare("SELECT key, value FROM attributeValue WHERE personId = ?")
        selectEmailOwner = try db.prepare("SELECT personId FROM email WHERE address = ?")
        selectAccount = try db.prepare(
            """
            SELECT personId, pinned, login, displayName, email, status, isBot
            FROM account WHERE integration = ? AND accountId = ?
            """)
        insertPerson = try db.prepare(
            "INSERT INTO person (name, isBot, createdAt, updatedAt) VALUES (?, ?, ?, ?) RETURNING id")
        selectIsBot = try db.prepare("SELECT isBot FROM person WHERE id = ?")
        insertFullAccount = try db.prepare(
            """
            INSERT INTO account (integration, accountId, login, displayName, email, status, isBot, personId, pinned)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, FALSE)
            """)
        updateAccountFields = try db.prepare(
            """
            UPDATE account SET login = ?, displayName = ?, email = ?, status = ?, isBot = ?
            WHERE integration = ? AND accountId = ?
            """)
        relinkAccountStatement = try db.prepare(
            "UPDATE account SET personId = ? WHERE integration = ? AND accountId = ? AND NOT pinned")
        updatePersonName = try db.prepare("UPDATE person SET name = ?, updatedAt = ? WHERE id = ?")
        insertEmail = try db.prepare("INSERT INTO email (address, personId, isPrimary) VALUES (?, ?, FALSE)")
        demotePrimary = try db.prepare("UPDATE email SET isPrimary = FALSE WHERE personId = ? AND isPrimary")
        // Insert the address as primary, or promote it when the person already has it.
        insertOrPromotePrimary = try db.prepare(
            """
            INSERT INTO email (address, personId, isPrimary) VALUES (?, ?, TRUE)
            ON CONFLICT(address) DO UPDATE SET isPrimary = TRUE WHERE email.personId = excluded.personId
            """)
        insertAccount = try db.prepare(
            "INSERT INTO account (integration, accountId, personId, pinned) VALUES (?, ?, ?, TRUE)")
        moveAccount = try db.prepare(
            "UPDATE account SET personId = ?, pinned = TRUE WHERE integration = ? AND accountId = ?")
        upsertAttribute = try db.prepare(
            """
            INSERT INTO attributeValue (personId, key, value) VALUES (?, ?, ?)
            ON CONFLICT(personId, key) DO UPDATE SET value = excluded.value
            """)
        deleteAttribute = try db.prepare("DELETE FROM attributeValue WHERE personId = ? AND key = ?")
        insertAudit = try db.prepare(
            """
            INSERT INTO audit (ingestId, line, action, personId, subject, before, after, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// The person with this id; a merged person's id resolves to the person it was merged into,
    /// so that a row from an export taken before the merge still finds its person.
    func person(_ id: PersonID) throws -> PersonSnapshot? {
        var id = id
        selectPerson.bind(1, id.rawValue)
        var found = try selectPerson.first { (name: $0.text(0), isBot: $0.bool(1)) }
        if found == nil, let survivor = try StoreSQL.resolve(db, id) {
            id = survivor
            selectPerson.bind(1, id.rawValue)
            found = try selectPerson.first { (name: $0.text(0), isBot: $0.bool(1)) }
        }
        guard let found else { return nil }
        var snapshot = PersonSnapshot(id: id, name: found.name, primaryEmail: nil, isBot: found.isBot)
        selectEmails.bind(1, id.rawValue)
        try selectEmails.forEach { row in
            if row.bool(1) {
                snapshot.primaryEmail = row.text(0)
            } else {
                snapshot.otherEmails.append(row.text(0))
            }
        }
        selectAttributes.bind(1, id.rawValue)
        try selectAttributes.forEach { row in snapshot.attributes[row.text(0)] = row.text(1) }
        return snapshot
    }

    func owner(ofEmail address: String) throws -> PersonID? {
        selectEmailOwner.bind(1, address)
        return try selectEmailOwner.int64().map(PersonID.init)
    }

    func account(_ key: AccountKey) throws -> AccountSnapshot? {
        selectAccount.bind(1, key.integration)
        selectAccount.bind(2, key.accountID)
        return try selectAccount.first { row in
            AccountSnapshot(
                key: key, person: PersonID(row.int64(0)), pinned: row.bool(1),
                fields: AccountFields(
                    login: row[2], displayName: row[3], email: row[4], active: row.text(5) != "inactive",
                    isBot: row.bool(6)))
        }
    }

    func isBot(_ person: PersonID) throws -> Bool? {
        selectIsBot.bind(1, person.rawValue)
        return try selectIsBot.first { $0.bool(0) }
    }

    /// One audit row records the person and their first address (`subject`), rather than one for
    /// each: one statement fewer of the five a new person with an email cost.
    mutating func createPerson(name: String, primaryEmail: String?, isBot: Bool, line: Int) throws -> PersonID {
        insertPerson.bind(1, name)
        insertPerson.bind(2, isBot)
        insertPerson.bind(3, now)
        insertPerson.bind(4, now)
        guard let newID = try insertPerson.int64() else { throw StoreError("A new person got no id") }
        let id = PersonID(newID)
        if let primaryEmail {
            insertOrPromotePrimary.bind(1, primaryEmail)
            insertOrPromotePrimary.bind(2, id.rawValue)
            guard try insertOrPromotePrimary.run() == 1 else {
                throw StoreError("\(primaryEmail) belongs to another person; the plan should have caught it")
            }
        }
        try audit(line: line, action: "person.create", person: id, subject: primaryEmail, before: nil, after: name)
        return id
    }

    mutating func apply(_ change: Change, to person: PersonID, line: Int) throws {
        let id = person.rawValue
        switch change {
        case .rename(let from, let to):
            updatePersonName.bind(1, to)
            updatePersonName.bind(2, now)
            updatePersonName.bind(3, id)
            try updatePersonName.run()
            try audit(line: line, action: "person.rename", person: person, subject: nil, before: from, after: to)
        case .setPrimaryEmail(let address, let previous):
            if previous != nil {
                demotePrimary.bind(1, id)
                try demotePrimary.run()
            }
            insertOrPromotePrimary.bind(1, address)
            insertOrPromotePrimary.bind(2, id)
            guard try insertOrPromotePrimary.run() == 1 else {
                throw StoreError("\(address) belongs to another person than \(person); the plan should have caught it")
            }
            try audit(
                line: line, action: "email.primary", person: person, subject: address, before: previous, after: address)
        case .addEmail(let address):
            insertEmail.bind(1, address)
            insertEmail.bind(2, id)
            try insertEmail.run()
            try audit(line: line, action: "email.add", person: person, subject: address, before: nil, after: address)
        case .linkAccount(let key, let from):
            if let from {
                moveAccount.bind(1, id)
                moveAccount.bind(2, key.integration)
                moveAccount.bind(3, key.accountID)
                try moveAccount.run()
                try audit(
                    line: line, action: "account.move", person: person, subject: key.description,
                    before: from.description, after: person.description)
            } else {
                insertAccount.bind(1, key.integration)
                insertAccount.bind(2, key.accountID)
                insertAccount.bind(3, id)
                try insertAccount.run()
                try audit(
                    line: line, action: "account.link", person: person, subject: key.description, before: nil,
                    after: person.description)
            }
        case .createAccount(let key, let fields):
            insertFullAccount.bind(1, key.integration)
            insertFullAccount.bind(2, key.accountID)
            bindFields(insertFullAccount, fields, from: 3)
            insertFullAccount.bind(8, id)
            try insertFullAccount.run()
            try audit(
                line: line, action: "account.create", person: person, subject: key.description, before: nil,
                after: person.description)
        case .updateAccount(let key, let from, let to):
            bindFields(updateAccountFields, to, from: 1)
            updateAccountFields.bind(6, key.integration)
            updateAccountFields.bind(7, key.accountID)
            try updateAccountFields.run()
            try audit(
                line: line, action: "account.update", person: person, subject: key.description,
                before: from.map { Self.describe($0) }, after: Self.describe(to))
        case .relinkAccount(let key, let from):
            relinkAccountStatement.bind(1, id)
            relinkAccountStatement.bind(2, key.integration)
            relinkAccountStatement.bind(3, key.accountID)
            try relinkAccountStatement.run()
            try audit(
                line: line, action: "account.relink", person: person, subject: key.description,
                before: from.description, after: person.description)
        case .setAttribute(let key, let from, let to):
            if let to {
                upsertAttribute.bind(1, id)
                upsertAttribute.bind(2, key)
                upsertAttribute.bind(3, to)
                try upsertAttribute.run()
            } else {
                deleteAttribute.bind(1, id)
                deleteAttribute.bind(2, key)
                try deleteAttribute.run()
            }
            try audit(line: line, action: "attribute.set", person: person, subject: key, before: from, after: to)
        }
    }

    private func bindFields(_ statement: Session.Statement, _ fields: AccountFields, from first: Int32) {
        statement.bind(first, fields.login)
        statement.bind(first + 1, fields.displayName)
        statement.bind(first + 2, fields.email)
        statement.bind(first + 3, fields.status)
        statement.bind(first + 4, fields.isBot)
    }

    /// The fields as one line for the audit log.
    static func describe(_ fields: AccountFields) -> String {
        "login=\(fields.login ?? "") name=\(fields.displayName ?? "") email=\(fields.email ?? "") "
            + "status=\(fields.status)\(fields.isBot ? " bot" : "")"
    }

    private func audit(
        line: Int, action: String, person: PersonID, subject: String?, before: String?, after: String?
    ) throws {
        insertAudit.bind(1, ingestID)
        insertAudit.bind(2, Int64(line))
        insertAudit.bind(3, action)
        insertAudit.bind(4, person.rawValue)
        insertAudit.bind(5, subject)
        insertAudit.bind(6, before)
        insertAudit.bind(7, after)
        insertAudit.bind(8, now)
        try insertAudit.run()
    }
}
