import RosterCore

/// ``RosterLedger`` on an open write transaction of either engine.
///
/// Every change writes an audit row with the ingest id and source line, and the value before it.
/// Statements are prepared once per file and reused for every row.
///
/// On a server (``SQLSession/prefersBatches``) a round trip costs more than the statement, so
/// writes are sent without waiting (``SQLStatement/enqueue(expecting:failure:)``), new people get
/// their ids from ``SQLSession/nextID(_:)`` rather than `RETURNING id`, and the reconcilers name
/// the emails and accounts of the next rows ahead (``prefetch(emails:accounts:)``): a file of new
/// people then costs a lookup per few hundred rows rather than four round trips per row.
struct SQLLedger<Session: SQLSession>: RosterLedger {
    let db: Session
    let ingestID: Int64?
    let now: String

    /// How many accounts one prefetch statement takes (emails take ``StoreSQL/inListSize``).
    static var prefetchBatch: Int { 256 }

    /// Owners (nil: nobody) of the emails prefetched for the coming rows, kept right as rows change them.
    private var knownOwners: [String: PersonID?] = [:]
    /// Whether each owner in `knownOwners` (and each person created since) is a bot.
    private var knownBots: [PersonID: Bool] = [:]
    /// The accounts prefetched for the coming rows (nil: no such account); an account a row
    /// changes is dropped, to be read again.
    private var knownAccounts: [AccountKey: AccountSnapshot?] = [:]
    /// New rows waiting for one bulk insert per table (server engines only).
    private let pending: PendingRows?
    private var prefetchOwners: Session.Statement?
    private var prefetchAccounts: Session.Statement?

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
        pending = Session.prefersBatches ? PendingRows() : nil
        if Session.prefersBatches {
            let batch = Self.prefetchBatch
            prefetchOwners = try db.prepare(
                """
                SELECT email.address, email.personId, person.isBot FROM email JOIN person ON person.id = email.personId
                WHERE email.address IN \(StoreSQL.inList)
                """)
            prefetchAccounts = try db.prepare(
                """
                SELECT integration, accountId, personId, pinned, login, displayName, email, status, isBot
                FROM account WHERE (integration, accountId) IN
                (VALUES \(Array(repeating: "(?, ?)", count: batch).joined(separator: ", ")))
                """)
        }
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
        insertPerson = try db.prepareInsert(
            "INSERT INTO person (name, isBot, createdAt, updatedAt) VALUES (?, ?, ?, ?)")
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
        try sendPendingRows()
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

    var prefersPrefetch: Bool { Session.prefersBatches }

    /// Keeps a prefetched answer right; nothing when the ledger doesn't prefetch.
    private mutating func noteOwner(_ address: String, _ person: PersonID) {
        if pending != nil { knownOwners[address] = person }
    }

    private mutating func forgetAccount(_ key: AccountKey) {
        if pending != nil { knownAccounts.removeValue(forKey: key) }
    }

    mutating func prefetch(emails: [String], accounts: [AccountKey]) throws {
        try sendPendingRows()
        knownOwners.removeAll(keepingCapacity: true)
        knownBots.removeAll(keepingCapacity: true)
        knownAccounts.removeAll(keepingCapacity: true)
        if let prefetchOwners {
            let emails = Array(Set(emails))
            for start in stride(from: 0, to: emails.count, by: StoreSQL.inListSize) {
                let slice = emails[start..<min(start + StoreSQL.inListSize, emails.count)]
                prefetchOwners.bind(StoreSQL.inListArguments(slice.map { SQLValue.text($0) }))
                for address in slice { knownOwners[address] = .some(nil) }
                try prefetchOwners.forEach { row in
                    let owner = PersonID(row.int64(1))
                    knownOwners[row.text(0)] = owner
                    knownBots[owner] = row.bool(2)
                }
            }
        }
        if let prefetchAccounts {
            let batch = Self.prefetchBatch
            let keys = Array(Set(accounts))
            for start in stride(from: 0, to: keys.count, by: batch) {
                let slice = keys[start..<min(start + batch, keys.count)]
                for index in 0..<batch {
                    let key = index < slice.count ? slice[slice.startIndex + index] : slice[slice.startIndex]
                    prefetchAccounts.bind(Int32(2 * index + 1), key.integration)
                    prefetchAccounts.bind(Int32(2 * index + 2), key.accountID)
                }
                for key in slice { knownAccounts[key] = .some(nil) }
                try prefetchAccounts.forEach { row in
                    let key = AccountKey(integration: row.text(0), accountID: row.text(1))
                    knownAccounts[key] = Self.account(key, row, from: 2)
                }
            }
        }
    }

    func owner(ofEmail address: String) throws -> PersonID? {
        if let known = knownOwners[address] { return known }
        try sendPendingRows()
        selectEmailOwner.bind(1, address)
        return try selectEmailOwner.int64().map(PersonID.init)
    }

    func account(_ key: AccountKey) throws -> AccountSnapshot? {
        if let known = knownAccounts[key] { return known }
        try sendPendingRows()
        selectAccount.bind(1, key.integration)
        selectAccount.bind(2, key.accountID)
        return try selectAccount.first { row in Self.account(key, row, from: 0) }
    }

    /// The account read from `row`'s columns `first`… (person, pinned, login, display name, email,
    /// status, bot).
    private static func account(_ key: AccountKey, _ row: Session.Row, from first: Int) -> AccountSnapshot {
        AccountSnapshot(
            key: key, person: PersonID(row.int64(first)), pinned: row.bool(first + 1),
            fields: AccountFields(
                login: row[first + 2], displayName: row[first + 3], email: row[first + 4],
                active: row.text(first + 5) != "inactive", isBot: row.bool(first + 6)))
    }

    func isBot(_ person: PersonID) throws -> Bool? {
        if let known = knownBots[person] { return known }
        try sendPendingRows()
        selectIsBot.bind(1, person.rawValue)
        return try selectIsBot.first { $0.bool(0) }
    }

    /// One audit row records the person and their first address (`subject`), rather than one for
    /// each: one statement fewer of the five a new person with an email cost.
    mutating func createPerson(name: String, primaryEmail: String?, isBot: Bool, line: Int) throws -> PersonID {
        if let pending, let newID = try db.nextID("person") {
            let id = PersonID(newID)
            pending.people.append([.integer(newID), .text(name), .boolean(isBot), .text(now), .text(now)])
            knownBots[id] = isBot
            if let primaryEmail {
                pending.emails.append([.text(primaryEmail), .integer(newID), .boolean(true)])
                knownOwners[primaryEmail] = id
            }
            try audit(line: line, action: "person.create", person: id, subject: primaryEmail, before: nil, after: name)
            return id
        }
        insertPerson.bind(1, name)
        insertPerson.bind(2, isBot)
        insertPerson.bind(3, now)
        insertPerson.bind(4, now)
        guard let newID = try insertPerson.runInsert() else { throw StoreError("A new person got no id") }
        let id = PersonID(newID)
        if let primaryEmail {
            insertOrPromotePrimary.bind(1, primaryEmail)
            insertOrPromotePrimary.bind(2, id.rawValue)
            try insertOrPromotePrimary.enqueue(expecting: 1) {
                "\(primaryEmail) belongs to another person; the plan should have caught it"
            }
            noteOwner(primaryEmail, id)
        }
        try audit(line: line, action: "person.create", person: id, subject: primaryEmail, before: nil, after: name)
        return id
    }

    mutating func apply(_ change: Change, to person: PersonID, line: Int) throws {
        let id = person.rawValue
        if let pending {
            // Brand-new rows wait for a bulk insert (the plan checked that the address and the
            // account are no one's); any other change first sends the rows it may depend on.
            switch change {
            case .addEmail(let address):
                pending.emails.append([.text(address), .integer(id), .boolean(false)])
                knownOwners[address] = person
                try audit(
                    line: line, action: "email.add", person: person, subject: address, before: nil, after: address)
                return
            case .linkAccount(let key, nil):
                try holdAccount(key, nil, pinned: true, action: "account.link", person: person, line: line)
                return
            case .createAccount(let key, let fields):
                try holdAccount(key, fields, pinned: false, action: "account.create", person: person, line: line)
                return
            default:
                try sendPendingRows()
            }
        }
        switch change {
        case .rename(let from, let to):
            updatePersonName.bind(1, to)
            updatePersonName.bind(2, now)
            updatePersonName.bind(3, id)
            try updatePersonName.enqueue()
            try audit(line: line, action: "person.rename", person: person, subject: nil, before: from, after: to)
        case .setPrimaryEmail(let address, let previous):
            if previous != nil {
                demotePrimary.bind(1, id)
                try demotePrimary.enqueue()
            }
            insertOrPromotePrimary.bind(1, address)
            insertOrPromotePrimary.bind(2, id)
            try insertOrPromotePrimary.enqueue(expecting: 1) {
                "\(address) belongs to another person than \(person); the plan should have caught it"
            }
            noteOwner(address, person)
            try audit(
                line: line, action: "email.primary", person: person, subject: address, before: previous, after: address)
        case .addEmail(let address):
            insertEmail.bind(1, address)
            insertEmail.bind(2, id)
            try insertEmail.enqueue()
            noteOwner(address, person)
            try audit(line: line, action: "email.add", person: person, subject: address, before: nil, after: address)
        case .linkAccount(let key, let from):
            forgetAccount(key)
            if let from {
                moveAccount.bind(1, id)
                moveAccount.bind(2, key.integration)
                moveAccount.bind(3, key.accountID)
                try moveAccount.enqueue()
                try audit(
                    line: line, action: "account.move", person: person, subject: key.description,
                    before: from.description, after: person.description)
            } else {
                insertAccount.bind(1, key.integration)
                insertAccount.bind(2, key.accountID)
                insertAccount.bind(3, id)
                try insertAccount.enqueue()
                try audit(
                    line: line, action: "account.link", person: person, subject: key.description, before: nil,
                    after: person.description)
            }
        case .createAccount(let key, let fields):
            forgetAccount(key)
            insertFullAccount.bind(1, key.integration)
            insertFullAccount.bind(2, key.accountID)
            bindFields(insertFullAccount, fields, from: 3)
            insertFullAccount.bind(8, id)
            try insertFullAccount.enqueue()
            try audit(
                line: line, action: "account.create", person: person, subject: key.description, before: nil,
                after: person.description)
        case .updateAccount(let key, let from, let to):
            forgetAccount(key)
            bindFields(updateAccountFields, to, from: 1)
            updateAccountFields.bind(6, key.integration)
            updateAccountFields.bind(7, key.accountID)
            try updateAccountFields.enqueue()
            try audit(
                line: line, action: "account.update", person: person, subject: key.description,
                before: from.map { Self.describe($0) }, after: Self.describe(to))
        case .relinkAccount(let key, let from):
            forgetAccount(key)
            relinkAccountStatement.bind(1, id)
            relinkAccountStatement.bind(2, key.integration)
            relinkAccountStatement.bind(3, key.accountID)
            try relinkAccountStatement.enqueue()
            try audit(
                line: line, action: "account.relink", person: person, subject: key.description,
                before: from.description, after: person.description)
        case .setAttribute(let key, let from, let to):
            if let to {
                upsertAttribute.bind(1, id)
                upsertAttribute.bind(2, key)
                upsertAttribute.bind(3, to)
                try upsertAttribute.enqueue()
            } else {
                deleteAttribute.bind(1, id)
                deleteAttribute.bind(2, key)
                try deleteAttribute.enqueue()
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

    /// Holds a new account for the bulk insert, with its audit row.
    private mutating func holdAccount(
        _ key: AccountKey, _ fields: AccountFields?, pinned: Bool, action: String, person: PersonID, line: Int
    ) throws {
        forgetAccount(key)
        pending?.accounts.append(PendingRows.account(key, fields, person: person.rawValue, pinned: pinned))
        try audit(
            line: line, action: action, person: person, subject: key.description, before: nil,
            after: person.description)
    }

    /// Sends the new people, addresses and accounts waiting in ``pending``, in that order (each
    /// may refer to the one before); audit rows wait on, as nothing reads them in the transaction.
    private func sendPendingRows() throws {
        guard let pending, pending.holdsRows else { return }
        try db.insert(into: "person", columns: PendingRows.personColumns, rows: pending.people)
        try db.insert(into: "email", columns: PendingRows.emailColumns, rows: pending.emails)
        try db.insert(into: "account", columns: PendingRows.accountColumns, rows: pending.accounts)
        pending.sent += pending.people.count + pending.emails.count + pending.accounts.count
        pending.people.removeAll(keepingCapacity: true)
        pending.emails.removeAll(keepingCapacity: true)
        pending.accounts.removeAll(keepingCapacity: true)
    }

    /// Sends the new rows of the batch just reconciled, so that the server stores them while the
    /// next batch is read and parsed.
    mutating func flush() throws {
        try sendPendingRows()
    }

    /// Sends every row still waiting, audit rows too.
    func sendAll() throws {
        try sendPendingRows()
        guard let pending else { return }
        try db.insert(into: "audit", columns: PendingRows.auditColumns, rows: pending.audit)
        pending.audit.removeAll(keepingCapacity: true)
    }

    /// Sends every row still waiting, and after a large file has the planner sample the tables
    /// it grew (the proposals pass reads them next): called once, before the transaction commits.
    func finish() throws {
        try sendAll()
        if let pending, pending.sent >= PendingRows.statisticsThreshold {
            try db.refreshStatistics(["person", "email", "account"])
        }
    }

    private func audit(
        line: Int, action: String, person: PersonID, subject: String?, before: String?, after: String?
    ) throws {
        if let pending {
            pending.audit.append([
                ingestID.map { .integer($0) } ?? .null, .integer(Int64(line)), .text(action), .integer(person.rawValue),
                subject.map { .text($0) } ?? .null, before.map { .text($0) } ?? .null,
                after.map { .text($0) } ?? .null, .text(now),
            ])
            if pending.audit.count >= PendingRows.auditLimit { try sendAll() }
            return
        }
        insertAudit.bind(1, ingestID)
        insertAudit.bind(2, Int64(line))
        insertAudit.bind(3, action)
        insertAudit.bind(4, person.rawValue)
        insertAudit.bind(5, subject)
        insertAudit.bind(6, before)
        insertAudit.bind(7, after)
        insertAudit.bind(8, now)
        try insertAudit.enqueue()
    }
}

/// New rows of one file's transaction waiting to be inserted in bulk, by table; a class so that
/// the ledger's lookups, which don't mutate it, can send them first.
final class PendingRows {
    static let personColumns = ["id", "name", "isBot", "createdAt", "updatedAt"]
    static let emailColumns = ["address", "personId", "isPrimary"]
    static let accountColumns = [
        "integration", "accountId", "login", "displayName", "email", "status", "isBot", "personId", "pinned",
    ]
    static let auditColumns = ["ingestId", "line", "action", "personId", "subject", "before", "after", "at"]
    /// Audit rows sent once this many wait, to bound memory on a large file.
    static let auditLimit = 4096

    var people: [[SQLValue]] = []
    var emails: [[SQLValue]] = []
    var accounts: [[SQLValue]] = []
    var audit: [[SQLValue]] = []
    /// How many people, addresses and accounts were sent so far.
    var sent = 0

    /// New rows from which the planner's statistics are refreshed at the end of the file.
    static let statisticsThreshold = 10_000

    var holdsRows: Bool { !people.isEmpty || !emails.isEmpty || !accounts.isEmpty }

    /// An account's row; an account known only from a users CSV has no fields yet.
    static func account(_ key: AccountKey, _ fields: AccountFields?, person: Int64, pinned: Bool) -> [SQLValue] {
        func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
        return [
            .text(key.integration), .text(key.accountID), text(fields?.login), text(fields?.displayName),
            text(fields?.email), .text(fields?.status ?? "active"), .boolean(fields?.isBot ?? false),
            .integer(person), .boolean(pinned),
        ]
    }
}
