import GRDB
import RosterCore
import Testing

@testable import RosterStore

func file(_ sha: String, _ name: String = "users.csv") -> IngestFile {
    IngestFile(sha256: sha, fileName: name, kind: "users-csv", startedAt: "2026-01-01T00:00:00Z")
}

func people(_ store: any RosterStore) throws -> [ExportedPerson] {
    var all: [ExportedPerson] = []
    try store.forEachPerson { all.append($0) }
    return all
}

@Suite("Store, on each engine: transactions, journal, ledger and export reads")
struct StoreTests {

    @Test(arguments: StoreEngine.allCases)
    func anAppliedFileCommitsItsChangesAndItsJournalRow(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let result = try store.apply(file("aaa")) { ledger in
            let jane = try ledger.createPerson(name: "Jane Doe", line: 2)
            try ledger.apply(.setPrimaryEmail("jane@example.com", previous: nil), to: jane, line: 2)
            try ledger.apply(.addEmail("jd@example.org"), to: jane, line: 2)
            try ledger.apply(
                .linkAccount(AccountKey(integration: "github", accountID: "jdoe"), from: nil), to: jane, line: 2)
            try ledger.apply(.setAttribute(key: "team", from: nil, to: "Platform"), to: jane, line: 2)
            return .apply(IngestSummary())
        }
        guard case .applied = result else {
            Issue.record("expected applied, got \(result)")
            return
        }
        let all = try people(store)
        #expect(
            all == [
                ExportedPerson(
                    id: PersonID(1), name: "Jane Doe", primaryEmail: "jane@example.com",
                    otherEmails: ["jd@example.org"],
                    accounts: ["github": ["jdoe"]], attributes: ["team": "Platform"])
            ])
        #expect(try store.appliedIngest(sha256: "aaa")?.fileName == "users.csv")
        let audit = try texts(store, "SELECT action FROM audit ORDER BY id")
        #expect(audit == ["person.create", "email.primary", "email.add", "account.link", "attribute.set"])
    }

    @Test(arguments: StoreEngine.allCases)
    func theSameContentIsAppliedOnlyOnce(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        _ = try store.apply(file("aaa")) { ledger in
            _ = try ledger.createPerson(name: "A", line: 2)
            return .apply(IngestSummary())
        }
        var called = false
        let again = try store.apply(file("aaa", "copy.csv")) { _ in
            called = true
            return .apply(IngestSummary())
        }
        #expect(!called)
        guard case .alreadyApplied(let entry) = again else {
            Issue.record("expected already applied, got \(again)")
            return
        }
        #expect(entry.fileName == "users.csv")
        #expect(try people(store).count == 1)
    }

    @Test(arguments: StoreEngine.allCases)
    func aRejectedFileLeavesNothingBehind(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let result = try store.apply(file("bbb")) { ledger in
            let id = try ledger.createPerson(name: "Ghost", line: 2)
            try ledger.apply(.setPrimaryEmail("ghost@example.com", previous: nil), to: id, line: 2)
            return .reject(IngestSummary())
        }
        #expect(result == .rejected)
        #expect(try people(store).isEmpty)
        #expect(try store.appliedIngest(sha256: "bbb") == nil)
        let rows = try integer(store, "SELECT count(*) FROM audit")
        #expect(rows == 0)
    }

    @Test(arguments: StoreEngine.allCases)
    func anErrorInsideTheTransactionRollsBack(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try store.apply(file("ccc")) { ledger in
                _ = try ledger.createPerson(name: "Half", line: 2)
                throw Boom()
            }
        }
        #expect(try people(store).isEmpty)
        #expect(try store.appliedIngest(sha256: "ccc") == nil)
    }

    /// What the ledger told ahead (prefetched) stays right as the file's own rows change it, and
    /// rows held back for a bulk insert are there for every later lookup and at commit.
    @Test(arguments: StoreEngine.allCases)
    func lookupsToldAheadFollowTheRowsThatChangeThem(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let old = AccountKey(integration: "github", accountID: "old")
        let new = AccountKey(integration: "github", accountID: "new")
        let fields = AccountFields(login: "jd", displayName: "J D", email: nil, active: true, isBot: false)
        _ = try store.apply(file("p1")) { ledger in
            let bot = try ledger.createPerson(name: "Bot", primaryEmail: "bot@example.com", isBot: true, line: 2)
            try ledger.apply(.createAccount(old, fields), to: bot, line: 2)
            return .apply(IngestSummary())
        }
        let result = try store.apply(file("p2")) { ledger in
            try ledger.prefetch(
                emails: ["bot@example.com", "jane@example.com", "other@example.com"], accounts: [old, new])
            #expect(try ledger.owner(ofEmail: "bot@example.com") == PersonID(1))
            #expect(try ledger.isBot(PersonID(1)) == true)
            #expect(try ledger.owner(ofEmail: "jane@example.com") == nil)
            #expect(try ledger.account(old)?.fields == fields)
            #expect(try ledger.account(new) == nil)
            let jane = try ledger.createPerson(name: "Jane", primaryEmail: "jane@example.com", isBot: false, line: 3)
            try ledger.apply(.addEmail("other@example.com"), to: jane, line: 3)
            try ledger.apply(.createAccount(new, fields), to: jane, line: 3)
            try ledger.apply(.linkAccount(old, from: PersonID(1)), to: jane, line: 3)
            #expect(try ledger.owner(ofEmail: "jane@example.com") == jane)
            #expect(try ledger.owner(ofEmail: "other@example.com") == jane)
            #expect(try ledger.isBot(jane) == false)
            #expect(try ledger.account(new)?.person == jane)
            #expect(try ledger.account(old)?.person == jane)
            #expect(try ledger.account(old)?.pinned == true)
            #expect(try ledger.person(jane)?.otherEmails == ["other@example.com"])
            // The next batch is told ahead after those rows: it sees them.
            try ledger.prefetch(emails: ["jane@example.com", "other@example.com"], accounts: [new])
            #expect(try ledger.owner(ofEmail: "other@example.com") == jane)
            #expect(try ledger.account(new)?.fields == fields)
            return .apply(IngestSummary())
        }
        guard case .applied = result else {
            Issue.record("expected applied, got \(result)")
            return
        }
        let all = try people(store)
        #expect(all.map(\.name) == ["Bot", "Jane"])
        #expect(all.last?.otherEmails == ["other@example.com"])
        #expect(all.last?.accounts == ["github": ["new", "old"]])
        let audit = try texts(store, "SELECT action FROM audit WHERE ingestId = 2 ORDER BY id")
        #expect(audit == ["person.create", "email.add", "account.create", "account.move"])
    }

    @Test(arguments: StoreEngine.allCases)
    func oneEmailBelongsToOnePersonEvenIfPlanningMissesIt(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        #expect(throws: StoreError.self) {
            _ = try store.apply(file("ddd")) { ledger in
                let a = try ledger.createPerson(name: "A", line: 2)
                let b = try ledger.createPerson(name: "B", line: 3)
                try ledger.apply(.setPrimaryEmail("same@example.com", previous: nil), to: a, line: 2)
                try ledger.apply(.setPrimaryEmail("same@example.com", previous: nil), to: b, line: 3)
                return .apply(IngestSummary())
            }
        }
        #expect(try people(store).isEmpty)
        #expect(throws: (any Error).self) {
            _ = try store.apply(file("ddd")) { ledger in
                let a = try ledger.createPerson(name: "A", line: 2)
                let b = try ledger.createPerson(name: "B", line: 3)
                try ledger.apply(.addEmail("same@example.com"), to: a, line: 2)
                try ledger.apply(.addEmail("same@example.com"), to: b, line: 3)
                return .apply(IngestSummary())
            }
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func changingThePrimaryEmailKeepsTheOldOneAsAnother(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        _ = try store.apply(file("e1")) { ledger in
            let id = try ledger.createPerson(name: "Jane", line: 2)
            try ledger.apply(.setPrimaryEmail("old@example.com", previous: nil), to: id, line: 2)
            return .apply(IngestSummary())
        }
        _ = try store.apply(file("e2")) { ledger in
            let id = PersonID(1)
            #expect(try ledger.owner(ofEmail: "old@example.com") == id)
            try ledger.apply(.setPrimaryEmail("new@example.com", previous: "old@example.com"), to: id, line: 2)
            let snapshot = try #require(try ledger.person(id))
            #expect(snapshot.primaryEmail == "new@example.com")
            #expect(snapshot.otherEmails == ["old@example.com"])
            return .apply(IngestSummary())
        }
        #expect(try people(store).first?.primaryEmail == "new@example.com")
    }

    @Test(arguments: StoreEngine.allCases)
    func accountsMoveBetweenPeopleAndArePinned(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let key = AccountKey(integration: "jira", accountID: "5b10")
        _ = try store.apply(file("m1")) { ledger in
            let a = try ledger.createPerson(name: "A", line: 2)
            let b = try ledger.createPerson(name: "B", line: 3)
            try ledger.apply(.linkAccount(key, from: nil), to: a, line: 2)
            try ledger.apply(.linkAccount(key, from: a), to: b, line: 3)
            let account = try #require(try ledger.account(key))
            #expect(account.person == b)
            #expect(account.pinned)
            return .apply(IngestSummary())
        }
        let all = try people(store)
        #expect(all.map(\.accounts) == [[:], ["jira": ["5b10"]]])
    }

    @Test(arguments: StoreEngine.allCases)
    func statusCountsPeopleAccountsAndFiles(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        _ = try store.apply(file("s1")) { ledger in
            let a = try ledger.createPerson(name: "A", line: 2)
            try ledger.apply(.setPrimaryEmail("a@example.com", previous: nil), to: a, line: 2)
            _ = try ledger.createPerson(name: "No Email", line: 3)
            try ledger.apply(.linkAccount(AccountKey(integration: "github", accountID: "a"), from: nil), to: a, line: 2)
            return .apply(IngestSummary())
        }
        try store.recordRejection(file("s2", "bad.csv"), summary: IngestSummary())
        let status = try store.status()
        #expect(status.people == 2)
        #expect(status.peopleWithoutEmail == 1)
        #expect(status.accountsByIntegration.map(\.integration) == ["github"])
        #expect(status.filesApplied == 1)
        #expect(status.filesRejected == 1)
        #expect(status.lastIngest?.fileName == "bad.csv")
        #expect(try store.integrations() == ["github"])
    }

    @Test(arguments: StoreEngine.allCases)
    func attributeDefinitionsAreStoredAndUndeclaredOnesKept(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        try store.syncAttributeDefinitions([
            AttributeDefinition(key: "team", type: .enumeration(["A", "B"])),
            AttributeDefinition(key: "site", type: .string),
        ])
        try store.syncAttributeDefinitions([AttributeDefinition(key: "team", type: .enumeration(["A", "B"]))])
        #expect(try texts(store, "SELECT key FROM attributeDefinition ORDER BY key") == ["site", "team"])
        #expect(
            try texts(store, "SELECT CASE WHEN declared THEN 'yes' ELSE 'no' END FROM attributeDefinition ORDER BY key")
                == ["no", "yes"])
        #expect(try texts(store, "SELECT enumValues FROM attributeDefinition WHERE key = 'team'") == ["A\nB"])
    }
}

@Suite("Output markers")
struct OutputMarkerTests {
    @Test("a marker is kept per output, replaced and forgotten", arguments: StoreEngine.allCases)
    func markers(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        #expect(try store.outputMarker("org-units") == nil)
        #expect(try store.latestAudit() == 0)
        try store.setOutputMarker("org-units", to: OutputMarker(audit: 7, fingerprint: "a"))
        try store.setOutputMarker("match-keys", to: OutputMarker(audit: 3, fingerprint: "b"))
        try store.setOutputMarker("org-units", to: OutputMarker(audit: 9, fingerprint: "c"))
        #expect(try store.outputMarker("org-units") == OutputMarker(audit: 9, fingerprint: "c"))
        #expect(try store.outputMarker("match-keys") == OutputMarker(audit: 3, fingerprint: "b"))
        try store.setOutputMarker("org-units", to: nil)
        #expect(try store.outputMarker("org-units") == nil)
    }
}

@Suite("Audit indexes")
struct AuditIndexTests {
    @Test("an account's history is found through the account-only subject index")
    func accountHistoryUsesThePartialIndex() throws {
        let store = try SQLiteStore(writer: DatabaseQueue())
        let plan = try store.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT a.action FROM audit a
                    WHERE a.subject = ? AND \(StoreSQL.accountRows("a")) ORDER BY a.id
                    """, arguments: ["github:1"]
            ).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("audit_account") }, "plan: \(plan)")
        let indexes = try store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit'")
        }
        #expect(!indexes.contains("audit_subject"))
    }
}

/// Creates people with one email and a team each (and no accounts), returning their ids.
func people(_ store: any RosterStore, _ names: [String]) throws -> [PersonID] {
    var ids: [PersonID] = []
    _ = try store.apply(
        IngestFile(sha256: "p", fileName: "users.csv", kind: "users-csv", startedAt: "2026-01-01T00:00:00Z")
    ) { ledger in
        for (line, name) in names.enumerated() {
            let id = try ledger.createPerson(name: name, line: line + 2)
            try ledger.apply(.setPrimaryEmail("\(name.lowercased())@example.com", previous: nil), to: id, line: 2)
            try ledger.apply(.setAttribute(key: "team", from: nil, to: "T\(line)"), to: id, line: 2)
            ids.append(id)
        }
        return .apply(IngestSummary())
    }
    return ids
}

@Suite("Org unit memberships in the store, on each engine")
struct OrgUnitMembersStoreTests {
    @Test(arguments: StoreEngine.allCases)
    func membershipsAreReplacedInFullOrPerPersonWithTheirCountsAndTheMarker(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b, c) = (PersonID(1), PersonID(2), PersonID(3))
        try store.saveOrgUnitMembers(
            .all([OrgUnitMembers(unit: "x", members: [a, b]), OrgUnitMembers(unit: "y", members: [])]),
            marker: OutputMarker(audit: 4, fingerprint: "f"))
        #expect(try store.orgUnitMembers("x") == [a, b])
        #expect(
            try store.orgUnitFiles()
                == [
                    "x": OrgUnitFileState(members: 2, pending: false),
                    "y": OrgUnitFileState(members: 0, pending: false),
                ])
        #expect(try store.outputMarker(OutputMarker.orgUnitsName) == OutputMarker(audit: 4, fingerprint: "f"))
        #expect(
            try engine.indexes(store, table: "orgUnitMember").contains("orgunitmember_person"),
            "the person index, dropped for the bulk insert, is back")

        try store.markOrgUnitFilesPending(["y"])
        #expect(try store.orgUnitFiles()["y"]?.pending == true)
        // b leaves x for y, c joins both, a is untouched.
        try store.saveOrgUnitMembers(
            .people([b: ["y"], c: ["x", "y"]]), marker: OutputMarker(audit: 9, fingerprint: "f"))
        #expect(try store.orgUnitMembers("x") == [a, c])
        #expect(try store.orgUnitMembers("y") == [b, c])
        #expect(try store.orgUnitMemberships(of: [a, b, c, PersonID(7)]) == [a: ["x"], b: ["y"], c: ["x", "y"]])
        #expect(
            try store.orgUnitFiles()
                == [
                    "x": OrgUnitFileState(members: 2, pending: false),
                    "y": OrgUnitFileState(members: 2, pending: false),
                ])
        #expect(try store.outputMarker(OutputMarker.orgUnitsName)?.audit == 9)

        try store.saveOrgUnitMembers(
            .all([OrgUnitMembers(unit: "z", members: [c])]), marker: OutputMarker(audit: 10, fingerprint: "g"))
        #expect(try store.orgUnitFiles() == ["z": OrgUnitFileState(members: 1, pending: false)])
        #expect(try store.orgUnitMembers("x").isEmpty)
    }

    @Test(arguments: StoreEngine.allCases)
    func peopleAMergeOrUnmergeTakesEmailsFromAreNamedAsChanged(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let ids = try people(store, ["Ann", "Bob"])
        let before = try store.latestAudit()
        let sync = try store.syncProposals(
            [ProposalDraft(people: ids, survivor: ids[0], confidence: 0.9, evidence: [], flags: [])], scope: nil,
            now: "2026-01-02T00:00:00Z")
        _ = try store.accept(
            try #require(sync.opened.first), survivor: nil, decidedBy: "t", now: "2026-01-02T00:00:00Z")
        let (changed, _) = try store.peopleChanged(sinceAudit: before)
        #expect(changed == Set(ids), "Bob had no accounts, and is named as merged away all the same")
        #expect(try store.exportedPeople([ids[1], ids[0]]).map(\.id) == [ids[0]], "Bob is gone")
        #expect(try store.exportedPeople([ids[0]]).first?.otherEmails == ["bob@example.com"])

        let undone = try store.latestAudit()
        _ = try store.unmerge(.person(ids[1]), now: "2026-01-03T00:00:00Z")
        #expect(try store.peopleChanged(sinceAudit: undone).people.contains(ids[0]), "the survivor the emails left")
    }

    @Test(arguments: StoreEngine.allCases)
    func exportedPeopleAreTheUsersExportsRecords(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let ids = try people(store, ["Ann", "Bob", "Cy"])
        let all = try people(store)
        #expect(try store.exportedPeople([ids[2], ids[0], ids[2], PersonID(99)]) == [all[0], all[2]])
    }
}
