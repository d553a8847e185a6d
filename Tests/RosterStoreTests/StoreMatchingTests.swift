import RosterCore
import RosterStore
import Testing

/// The matching half of the store — proposals, decisions, merges, undo, explanations and the
/// blocking-key index — on each engine.
@Suite("Proposals, merges and match keys in the store, on each engine")
struct StoreMatchingTests {
    let now = "2026-02-01T00:00:00Z"

    /// Jane with a GitHub account and an address, and a Jira Jane without one; returns both ids.
    func twoJanes(_ store: any RosterStore) throws -> (github: PersonID, jira: PersonID) {
        var ids: [PersonID] = []
        _ = try store.apply(file("janes", "exports.csv")) { ledger in
            let a = try ledger.createPerson(name: "Jane Doe", primaryEmail: "jane@example.com", isBot: false, line: 2)
            try ledger.apply(
                .createAccount(
                    AccountKey(integration: "github", accountID: "101"),
                    AccountFields(
                        login: "jdoe", displayName: "Jane Doe", email: "jane@example.com", active: true, isBot: false)),
                to: a, line: 2)
            try ledger.apply(.setAttribute(key: "team", from: nil, to: "Platform"), to: a, line: 2)
            let b = try ledger.createPerson(name: "Jane Doe", primaryEmail: nil, isBot: false, line: 3)
            try ledger.apply(
                .createAccount(
                    AccountKey(integration: "jira", accountID: "5b10"),
                    AccountFields(login: nil, displayName: "Jane Doe", email: nil, active: true, isBot: false)),
                to: b, line: 3)
            try ledger.apply(.setAttribute(key: "site", from: nil, to: "Berlin"), to: b, line: 3)
            ids = [a, b]
            return .apply(IngestSummary())
        }
        return (ids[0], ids[1])
    }

    func propose(_ store: any RosterStore, _ people: [PersonID]) throws -> ProposalID {
        let draft = ProposalDraft(
            people: people, survivor: people[0], confidence: 0.93, evidence: ["same name"], flags: [])
        return try #require(try store.syncProposals([draft], scope: nil, now: now).opened.first)
    }

    @Test(arguments: StoreEngine.allCases)
    func matchingReadsEveryPersonWithEmailsAndAccounts(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        var all: [MatchPerson] = []
        try store.forEachMatchPerson { all.append($0) }
        #expect(all.map(\.id) == [a, b])
        #expect(all[0].emails == ["jane@example.com"])
        #expect(all[0].accounts.map(\.login) == ["jdoe"])
        #expect(all[1].accounts.map(\.key.integration) == ["jira"])
        #expect(try store.matchPeople([b, a, PersonID(99)]) == [all[1], all[0]])
    }

    @Test(arguments: StoreEngine.allCases)
    func explainSaysWhetherANewPersonsAccountHadAnEmail(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        let github = try #require(try store.explain(.account(AccountKey(integration: "github", accountID: "101"))))
        #expect(github.person == a)
        #expect(github.accounts.first?.steps.first?.contains("no known person has its email (rule 2)") == true)
        let jira = try #require(try store.explain(.account(AccountKey(integration: "jira", accountID: "5b10"))))
        #expect(jira.person == b)
        #expect(jira.accounts.first?.steps.first?.contains("it has no email to link it by (rule 2)") == true)
    }

    @Test(arguments: StoreEngine.allCases)
    func acceptingMergesEverythingIntoTheSurvivorAndUnmergeRestoresIt(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        let before = try people(store)
        let proposal = try propose(store, [a, b])
        #expect(try store.proposal(proposal)?.draft.evidence == ["same name"])
        #expect(try store.openProposals(touching: [b]).map(\.id) == [proposal])

        let outcome = try store.accept(proposal, survivor: nil, decidedBy: "admin", now: now)
        #expect(outcome.survivor == a)
        #expect(outcome.merged == [b])
        #expect(outcome.notes.contains { $0.contains("site") })
        let merged = try people(store)
        #expect(merged.count == 1)
        #expect(merged[0].accounts == ["github": ["101"], "jira": ["5b10"]])
        #expect(merged[0].attributes == ["team": "Platform", "site": "Berlin"])
        #expect(try store.resolve(b) == a, "the merged id still resolves")
        #expect(try store.openProposals().isEmpty)
        #expect(try store.proposal(proposal)?.status == .accepted)

        let explained = try #require(try store.explain(.account(AccountKey(integration: "jira", accountID: "5b10"))))
        #expect(explained.person == a)
        #expect(
            explained.accounts.first { $0.key.integration == "jira" }?.steps.last?.contains("accepted merge") == true)
        #expect(try store.explain(.person(b))?.aliasOf == b)

        let undone = try store.unmerge(.proposal(proposal), now: now)
        #expect(undone.restored == [b])
        #expect(try people(store) == before, "exactly as before the merge")
        #expect(try store.rejectedPairs() == [PersonPair(a, b)], "an undone merge is not proposed again")
        #expect(throws: StoreError.self) { _ = try store.unmerge(.proposal(proposal), now: now) }
    }

    @Test(arguments: StoreEngine.allCases)
    func rejectingRemembersThePairAndClosesTheProposal(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        let proposal = try propose(store, [a, b])
        let rejected = try store.reject(proposal, decidedBy: "admin", now: now)
        #expect(rejected.status == .rejected)
        #expect(try store.rejectedPairs() == [PersonPair(a, b)])
        #expect(throws: StoreError.self) { _ = try store.accept(proposal, survivor: nil, decidedBy: "x", now: now) }
        #expect(try people(store).count == 2, "nothing merged")
        #expect(try store.peopleChanged(sinceAudit: 0).people.isSuperset(of: [a, b]))
    }

    @Test(arguments: StoreEngine.allCases)
    func anOpenProposalIsUpdatedKeptOrClosedBySync(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        let proposal = try propose(store, [a, b])
        let stronger = ProposalDraft(people: [a, b], survivor: a, confidence: 0.97, evidence: ["more"], flags: [])
        let sync = try store.syncProposals([stronger], scope: [a, b], now: now)
        #expect(sync.updated == [proposal])
        #expect(try store.proposal(proposal)?.draft.confidence == 0.97)
        let gone = try store.syncProposals([], scope: nil, now: now)
        #expect(gone.closed.map(\.0) == [proposal])
        #expect(try store.proposal(proposal)?.status == .closed)
    }

    @Test(arguments: StoreEngine.allCases)
    func theKeyIndexIsRebuiltUpdatedAndGuardedByItsMarker(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        let big = UInt64.max - 5  // stored as a negative integer: both engines must give it back
        try store.rebuildMatchKeys(
            [
                MatchKeyEntry(hash: 7, person: b), MatchKeyEntry(hash: 7, person: a),
                MatchKeyEntry(hash: big, person: a),
            ],
            pending: OutputMarker(audit: 0, fingerprint: "pending"))
        #expect(
            try store.matchKeys(of: [a, b]) == [
                a: [7, big].sorted(by: { Int64(bitPattern: $0) < Int64(bitPattern: $1) }), b: [7],
            ])
        #expect(try store.matchKeyHolders([7, big], atMost: { _ in 1 }) == [7: [a], big: [a]])

        let marker = OutputMarker(audit: 5, fingerprint: "rules")
        let stale = try store.recordMatchPass(
            [], scope: [a], keys: [a: [9]], marker: marker, expecting: OutputMarker(audit: 1, fingerprint: "other"),
            now: now)
        #expect(stale == nil, "a pass recorded against another marker is refused")
        let recorded = try store.recordMatchPass(
            [], scope: [a], keys: [a: [9]], marker: marker, expecting: OutputMarker(audit: 0, fingerprint: "pending"),
            now: now)
        #expect(recorded != nil)
        #expect(try store.matchKeys(of: [a]) == [a: [9]])
        #expect(try store.matchKeyHolders([7], atMost: { _ in 10 }) == [7: [b]])
        #expect(try store.outputMarker(OutputMarker.matchKeys) == marker)
    }

    @Test(arguments: StoreEngine.allCases)
    func aRebuildCloseToTheStoredIndexChangesOnlyWhatDiffers(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        // 400 keys each, signed and unsigned; then a rebuild that drops a few, adds a few (one
        // of them twice, one below and one above every stored key) and keeps the rest: few enough
        // changes to be made row by row.
        func entry(_ hash: Int, _ person: PersonID) -> MatchKeyEntry {
            MatchKeyEntry(hash: UInt64(hash) &* 0x9E37_79B9_7F4A_7C15, person: person)
        }
        let first = (1...400).flatMap { [entry($0, a), entry($0, b)] }
        try store.rebuildMatchKeys(first, pending: OutputMarker(audit: 0, fingerprint: "p"))
        let dropped: Set<MatchKeyEntry> = [entry(3, a), entry(200, b), entry(400, a)]
        let extra = [
            entry(401, a), entry(401, a), entry(402, b), MatchKeyEntry(hash: 1 << 63, person: b),
            MatchKeyEntry(hash: (1 << 63) - 1, person: a),
        ]
        let second = first.filter { !dropped.contains($0) } + extra
        try store.rebuildMatchKeys(second.shuffled(), pending: OutputMarker(audit: 0, fingerprint: "q"))
        let keys = try store.matchKeys(of: [a, b])
        for person in [a, b] {
            let expected = Set(second.filter { $0.person == person }.map(\.hash))
            #expect(Set(keys[person] ?? []).symmetricDifference(expected).isEmpty, "keys of \(person)")
            #expect(keys[person]?.count == expected.count, "keys of \(person)")
        }
        #expect(try store.matchKeyHolders([entry(3, a).hash], atMost: { _ in 10 }) == [entry(3, a).hash: [b]])
        #expect(try store.outputMarker(OutputMarker.matchKeys) == OutputMarker(audit: 0, fingerprint: "q"))
        // Rebuilt to nothing: more than an eighth differs, the whole index goes.
        try store.rebuildMatchKeys([], pending: OutputMarker(audit: 0, fingerprint: "r"))
        #expect(try store.matchKeys(of: [a, b]).isEmpty)
    }

    @Test(arguments: StoreEngine.allCases)
    func theStoreWorksOnAfterItsCachesAreReleased(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        try store.rebuildMatchKeys(
            [MatchKeyEntry(hash: 7, person: a)], pending: OutputMarker(audit: 0, fingerprint: "p"))
        // A full pass starts so: the reading connections closed, the writer's pages dropped.
        store.releaseMemory()
        #expect(try store.matchKeys(of: [a, b]) == [a: [7]])
        try store.rebuildMatchKeys(
            [MatchKeyEntry(hash: 9, person: b)], pending: OutputMarker(audit: 0, fingerprint: "q"))
        store.releaseMemory()
        #expect(try store.matchKeys(of: [a, b]) == [b: [9]])
        #expect(try store.outputMarker(OutputMarker.matchKeys) == OutputMarker(audit: 0, fingerprint: "q"))
    }

    @Test(arguments: StoreEngine.allCases)
    func aFullPassesKeysAreIndexedThroughThePeoplesIds(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        // As a pass hands them over: sorted as the index keeps them (signed hashes first), each
        // key naming its person by index into the pass's ids.
        let hashes: [UInt64] = [1 << 63, (1 << 63) + 5, 7, 7, 1 << 40]
        let keys = zip(hashes, [1, 0, 0, 1, 1]).map { Matcher.Key(hash: $0, index: UInt32($1)) }
        let entries = MatchKeyEntries(keys: keys, ids: [a, b])
        #expect(Array(entries).map(\.person) == [b, a, a, b, b])
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0 < $1 })
        try store.rebuildMatchKeys(entries, pending: OutputMarker(audit: 0, fingerprint: "p"))
        let stored = try store.matchKeys(of: [a, b])
        #expect(stored[a].map(Set.init) == Set<UInt64>([(1 << 63) + 5, 7]))
        #expect(stored[b].map(Set.init) == Set<UInt64>([1 << 63, 7, 1 << 40]))
        #expect(try store.matchKeyHolders([7], atMost: { _ in 10 }) == [7: [a, b]])
    }

    @Test(arguments: StoreEngine.allCases)
    func eachPersonsKeysAreListedWhateverTheGapsBetweenIds(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        // Ids in one range of the list writer, at the edge of the next, and far beyond (ranges
        // with nobody in them are skipped); duplicates go once.
        let people = [1, 2, 262_143, 262_144, 262_145, 5_000_000].map { PersonID(Int64($0)) }
        func hashes(_ person: PersonID) -> [UInt64] {
            (0..<5).map { UInt64(person.rawValue * 10 + $0) &* 0x9E37_79B9_7F4A_7C15 }
        }
        let entries = people.flatMap { person in hashes(person).map { MatchKeyEntry(hash: $0, person: person) } }
        try store.rebuildMatchKeys(entries + entries.prefix(7), pending: OutputMarker(audit: 0, fingerprint: "p"))
        let keys = try store.matchKeys(of: people + [PersonID(3)])
        #expect(keys.count == people.count)
        for person in people {
            #expect(keys[person] == hashes(person).sorted { Int64(bitPattern: $0) < Int64(bitPattern: $1) })
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func aLargeIndexIsRebuiltInBatchesWithDuplicatesIgnored(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let (a, b) = try twoJanes(store)
        // 300 keys each, written twice over: more than one batch, a remainder, and duplicates.
        let entries = (0..<300).flatMap { hash in
            [a, b].map { MatchKeyEntry(hash: UInt64(hash) &* 0x9E37_79B9_7F4A_7C15, person: $0) }
        }
        try store.rebuildMatchKeys(entries + entries, pending: OutputMarker(audit: 0, fingerprint: "p"))
        let keys = try store.matchKeys(of: [a, b])
        #expect(keys[a]?.count == 300)
        #expect(Set(keys[b] ?? []) == Set(entries.filter { $0.person == b }.map(\.hash)))
        // Holders of more blocks than one batch reads, each cut to its own limit; unknown blocks empty.
        let hashes = (0..<300).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        let unknown: [UInt64] = [1, 2]
        let firstTwo = [a, b].sorted()
        func limit(_ hash: UInt64) -> Int { hash % 2 == 0 ? 1 : 2 }
        let holders = try store.matchKeyHolders(hashes + unknown + hashes.prefix(3), atMost: limit)
        var expected: [UInt64: [PersonID]] = [1: [], 2: []]
        for hash in hashes { expected[hash] = Array(firstTwo.prefix(limit(hash))) }
        #expect(holders == expected)
    }
}
