import RosterCore
import Testing

/// A ``RosterLedger`` over dictionaries, strict about what reconciliation asks of it.
///
/// Each change is checked against the current state (a rename names the current name, an account
/// move names its current person, an attribute change names the current value), so a plan made
/// from stale snapshots fails the test.
struct InMemoryLedger: RosterLedger {
    struct Applied: Equatable, CustomStringConvertible {
        var change: Change
        var person: PersonID
        var line: Int

        var description: String { "line \(line): \(person) \(change)" }
    }

    struct Mismatch: Error, CustomStringConvertible {
        var description: String
    }

    var people: [PersonID: PersonSnapshot] = [:]
    var accounts: [AccountKey: AccountSnapshot] = [:]
    var nextID: Int64 = 1
    /// Every change applied, in order; creations are listed as ``created``.
    var applied: [Applied] = []
    var created: [(id: PersonID, line: Int)] = []
    /// Whether the ledger asks to be told lookups ahead, as a server store does.
    var prefetching = false
    private var told = Set<String>()

    var prefersPrefetch: Bool { prefetching }

    mutating func prefetch(emails: [String], accounts: [AccountKey]) throws {
        told = Set(emails + accounts.map(\.description))
    }

    /// Adds a person as if an earlier file had.
    @discardableResult
    mutating func seed(
        _ name: String, _ email: String?, others: [String] = [], attributes: [String: String] = [:]
    ) -> PersonID {
        let id = PersonID(nextID)
        nextID += 1
        people[id] = PersonSnapshot(
            id: id, name: name, primaryEmail: email, otherEmails: others, attributes: attributes)
        return id
    }

    /// Adds an account as if an earlier file had.
    mutating func seedAccount(_ integration: String, _ accountID: String, of person: PersonID, pinned: Bool = false) {
        let key = AccountKey(integration: integration, accountID: accountID)
        accounts[key] = AccountSnapshot(key: key, person: person, pinned: pinned)
    }

    func person(_ id: PersonID) throws -> PersonSnapshot? {
        people[id]
    }

    func owner(ofEmail address: String) throws -> PersonID? {
        if prefetching, !told.contains(address) { throw Mismatch(description: "\(address) looked up untold") }
        return people.values.first { $0.primaryEmail == address || $0.otherEmails.contains(address) }?.id
    }

    func account(_ key: AccountKey) throws -> AccountSnapshot? {
        if prefetching, !told.contains(key.description) { throw Mismatch(description: "\(key) looked up untold") }
        return accounts[key]
    }

    func person(withEmail address: String) -> PersonSnapshot? {
        people.values.first { $0.primaryEmail == address || $0.otherEmails.contains(address) }
    }

    mutating func createPerson(name: String, primaryEmail: String?, isBot: Bool, line: Int) throws -> PersonID {
        if let primaryEmail, let owner = try owner(ofEmail: primaryEmail) {
            throw Mismatch(description: "\(primaryEmail) already belongs to \(owner)")
        }
        let id = seed(name, primaryEmail)
        people[id]?.isBot = isBot
        created.append((id, line))
        return id
    }

    mutating func apply(_ change: Change, to id: PersonID, line: Int) throws {
        guard var person = people[id] else { throw Mismatch(description: "no person \(id)") }
        switch change {
        case .rename(let from, let to):
            guard from == person.name else {
                throw Mismatch(description: "rename from \(from), name is \(person.name)")
            }
            person.name = to
        case .setPrimaryEmail(let address, let previous):
            guard previous == person.primaryEmail else {
                throw Mismatch(description: "previous \(previous ?? "nil"), primary is \(person.primaryEmail ?? "nil")")
            }
            if let owner = try owner(ofEmail: address), owner != id {
                throw Mismatch(description: "\(address) belongs to \(owner)")
            }
            person.otherEmails.removeAll { $0 == address }
            if let previous, previous != address { person.otherEmails.append(previous) }
            person.primaryEmail = address
        case .addEmail(let address):
            if let owner = try owner(ofEmail: address) {
                throw Mismatch(description: "\(address) already belongs to \(owner)")
            }
            person.otherEmails.append(address)
        case .linkAccount(let key, let from):
            guard accounts[key]?.person == from else {
                throw Mismatch(description: "\(key) is with \(accounts[key].map { "\($0.person)" } ?? "nobody")")
            }
            accounts[key] = AccountSnapshot(key: key, person: id, pinned: true, fields: accounts[key]?.fields)
        case .createAccount(let key, let fields):
            guard accounts[key] == nil else { throw Mismatch(description: "\(key) exists already") }
            accounts[key] = AccountSnapshot(key: key, person: id, pinned: false, fields: fields)
        case .updateAccount(let key, let from, let to):
            guard let account = accounts[key], account.fields == from else {
                throw Mismatch(description: "\(key) is not as the update expects")
            }
            accounts[key]?.fields = to
        case .relinkAccount(let key, let from):
            guard let account = accounts[key], account.person == from, !account.pinned else {
                throw Mismatch(description: "\(key) can't be relinked from \(from)")
            }
            accounts[key]?.person = id
        case .setAttribute(let key, let from, let to):
            guard person.attributes[key] == from else {
                throw Mismatch(description: "\(key) is \(person.attributes[key] ?? "nil"), not \(from ?? "nil")")
            }
            person.attributes[key] = to
        }
        people[id] = person
        applied.append(Applied(change: change, person: id, line: line))
    }
}

/// What one users CSV did to a ledger.
struct IngestResult {
    var summary: IngestSummary
    var problems: [Problem]
    var headerAccepted: Bool
}

/// Feeds a users CSV to a ``UsersCSVReconciler`` over `ledger`, as the agent does.
func ingestUsersCSV(
    _ text: String, into ledger: inout InMemoryLedger, config: RosterConfig = RosterConfig()
) throws -> IngestResult {
    try ingestUsersCSV(Array(text.utf8), into: &ledger, config: config)
}

func ingestUsersCSV(
    _ bytes: [UInt8], into ledger: inout InMemoryLedger, config: RosterConfig = RosterConfig()
) throws -> IngestResult {
    let reader = CSVReader(source: BytesSource(bytes))
    var reconciler = UsersCSVReconciler(config: config)
    var problems: [Problem] = []
    let header = try #require(try reader.next())
    let accepted = reconciler.header(header) { problems.append($0) }
    if accepted {
        while let record = try reader.next() {
            try reconciler.row(record, ledger: &ledger) { problems.append($0) }
        }
        try reconciler.finish(ledger: ledger) { problems.append($0) }
    }
    return IngestResult(summary: reconciler.summary, problems: problems, headerAccepted: accepted)
}
