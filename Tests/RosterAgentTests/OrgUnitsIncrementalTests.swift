import Foundation
import GRDB
import Logging
import RosterAgent
import RosterCore
import RosterStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Org units kept incrementally: the same files as a full evaluation, from the changed people only")
struct OrgUnitsIncrementalTests {
    static let config = """
        [[attributes]]
        key = "team"

        [[attributes]]
        key = "level"
        type = "number"

        [[org_units]]
        name = "payments"
        [[org_units.filters]]
        field = "team"
        operator = "equals"
        value = "Payments"

        [[org_units]]
        name = "payments-senior"
        parent = "payments"
        include = ["ivy@example.com"]
        [[org_units.filters]]
        field = "level"
        operator = "between"
        values = ["5", "9"]

        [[org_units]]
        name = "platform-or-jira"
        [[org_units.filters]]
        field = "team"
        operator = "starts_with"
        value = "plat"
        [[org_units.filters]]
        group = 2
        field = "integration"
        operator = "equals"
        value = "jira"

        [[org_units]]
        name = "corp"
        exclude = ["zed@corp.example.com"]
        [[org_units.filters]]
        field = "email"
        operator = "contains"
        value = "@corp.example.com"

        [[org_units]]
        name = "nobody"
        """

    /// A state folder, a real SQLite store and a pipeline over them.
    final class Fixture {
        let root: String
        let state: StateLayout
        let config: RosterConfig
        let store: SQLiteStore
        let pipeline: Pipeline
        private var drops = 0

        init(config text: String = OrgUnitsIncrementalTests.config) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("roster-oui-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            state = StateLayout(root: root + "/state")
            try state.prepare()
            config = try ConfigLoader.parse(text)
            store = try SQLiteStore(path: state.database)
            pipeline = Pipeline(
                state: state, config: config, store: store,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }

        deinit {
            try? FileManager.default.removeItem(atPath: root)
        }

        /// Applies a users CSV (or an accounts file named after its integration).
        func drop(_ text: String, name: String = "users.csv") throws {
            drops += 1
            let path = "\(root)/\(drops)-\(name)"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let outcome = try pipeline.ingest(path: path, disposition: .move)
            guard case .applied = outcome.status else {
                Issue.record("not applied: \(outcome.line)")
                return
            }
        }

        @discardableResult
        func refresh(config: RosterConfig? = nil, store: (any RosterStore)? = nil, state: StateLayout? = nil) throws
            -> OrgUnitsExport.Refresh
        {
            try OrgUnitsExport.refresh(
                store: store ?? self.store, config: config ?? self.config, state: state ?? self.state)
        }

        /// Every file of the org units' exports, by name.
        func files(_ layout: StateLayout? = nil) throws -> [String: String] {
            let layout = layout ?? state
            var files = ["org-units.csv": try String(contentsOfFile: layout.orgUnitsIndex, encoding: .utf8)]
            for name in try FileManager.default.contentsOfDirectory(atPath: layout.orgUnitsFolder) {
                files[name] = try String(contentsOfFile: "\(layout.orgUnitsFolder)/\(name)", encoding: .utf8)
            }
            return files
        }

        func file(_ unit: String) throws -> String {
            try String(contentsOfFile: "\(state.orgUnitsFolder)/\(unit).csv", encoding: .utf8)
        }

        /// Checks that the files and the stored memberships are what a full evaluation gives: a
        /// full refresh into a second state folder must write the same bytes and store the same.
        func expectSameAsFull(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let incremental = try files()
            let storedMembers = try config.orgUnits.map { try store.orgUnitMembers($0.name) }
            let storedFiles = try store.orgUnitFiles()
            let reference = StateLayout(root: "\(root)/reference-\(UUID().uuidString)")
            try reference.prepare()
            try store.setOutputMarker(OutputMarker.orgUnitsName, to: nil)
            let full = try OrgUnitsExport.refresh(store: store, config: config, state: reference)
            #expect(full.mode == .full(reason: "no memberships are stored yet"), sourceLocation: sourceLocation)
            #expect(incremental == (try files(reference)), sourceLocation: sourceLocation)
            #expect(
                storedMembers == (try config.orgUnits.map { try store.orgUnitMembers($0.name) }),
                sourceLocation: sourceLocation)
            #expect(storedFiles == (try store.orgUnitFiles()), sourceLocation: sourceLocation)
            try FileManager.default.removeItem(atPath: reference.root)
        }

        func path(_ unit: String) -> String {
            "\(state.orgUnitsFolder)/\(unit).csv"
        }

        /// The inode of a file: a new one means it was replaced.
        func inode(_ path: String) -> UInt64 {
            var info = stat()
            return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
        }
    }

    static let people = """
        full_name,email,team,level
        Ann,ann@example.com,Payments,7
        Bob,bob@example.com,Payments,2
        Cy,cy@corp.example.com,Platform,5
        Dee,dee@example.com,Mobile,6
        Zed,zed@corp.example.com,Platform,1
        Ivy,ivy@example.com,Payments,1

        """

    @Test func changesAreBroughtInIncrementallyAndGiveTheSameFilesAsAFullEvaluation() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        let first = try fixture.refresh()
        #expect(first.mode == .full(reason: "no memberships are stored yet"))
        #expect(first.people == 6)
        #expect(
            try fixture.file("payments-senior")
                == "id,full_name,email,level\nU-000001,Ann,ann@example.com,7\nU-000006,Ivy,ivy@example.com,1\n"
        )
        try fixture.expectSameAsFull()

        // A rename: Ann's record changes in both units she is in; no membership changes.
        try fixture.drop("id,full_name,email\nU-000001,Ann Smith,ann@example.com\n")
        var refresh = try fixture.refresh()
        #expect(refresh.mode == .incremental)
        #expect(refresh.people == 1)
        #expect(refresh.written == [fixture.path("payments"), fixture.path("payments-senior")])
        #expect(try fixture.file("payments").contains("U-000001,Ann Smith,ann@example.com"))
        try fixture.expectSameAsFull()

        // A new primary email: Cy leaves corp; Dee's other email joins her to corp.
        try fixture.drop(
            "id,full_name,email,other_emails\nU-000003,Cy,cy@example.com,\nU-000004,Dee,dee@example.com,dee@corp.example.com\n"
        )
        refresh = try fixture.refresh()
        #expect(refresh.mode == .incremental)
        #expect(
            try fixture.file("corp")
                == "id,full_name,email\nU-000003,Cy,cy@example.com\nU-000004,Dee,dee@example.com\n",
            "Cy keeps the corp address as another email, so she stays, under her new primary")
        try fixture.expectSameAsFull()

        // An attribute edit: Bob leaves payments for platform; Ann drops below senior, Ivy stays by the include list.
        try fixture.drop(
            "full_name,email,team,level\nBob,bob@example.com,Platform,2\nAnn Smith,ann@example.com,Payments,3\n")
        refresh = try fixture.refresh()
        #expect(refresh.mode == .incremental)
        #expect(!(try fixture.file("payments")).contains("Bob"))
        #expect(try fixture.file("platform-or-jira").contains("U-000002,Bob"))
        #expect(
            try fixture.file("payments-senior")
                == "id,full_name,email,level\nU-000006,Ivy,ivy@example.com,1\n")
        try fixture.expectSameAsFull()

        // Leaving a parent: Ivy leaves payments, so the child unit too, include list or not.
        try fixture.drop("full_name,email,team\nIvy,ivy@example.com,Mobile\n")
        refresh = try fixture.refresh()
        #expect(try fixture.file("payments-senior") == "id,full_name,email,level\n")
        try fixture.expectSameAsFull()

        // New people, one of them joining by an integration (a second filter group).
        try fixture.drop("full_name,email,team,level\nEve,eve@example.com,Payments,8\nFay,fay@corp.example.com,,\n")
        try fixture.drop("integration,account_id,login,display_name,email\njira,J1,gus,Gus,gus@example.com\n")
        refresh = try fixture.refresh()
        #expect(refresh.mode == .incremental)
        #expect(refresh.people == 3)
        let platform = try fixture.file("platform-or-jira")
        #expect(platform.contains("U-000009,Gus,"), "\(platform)")
        try fixture.expectSameAsFull()
    }

    @Test func peopleMergedAwayLeaveEveryUnit() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        try fixture.refresh()
        // Bob (only emails, no accounts) is merged into Ann.
        let sync = try fixture.store.syncProposals(
            [
                ProposalDraft(
                    people: [PersonID(1), PersonID(2)], survivor: PersonID(1), confidence: 0.9, evidence: [], flags: [])
            ],
            scope: nil, now: "2026-01-01T00:00:00Z")
        _ = try fixture.store.accept(
            try #require(sync.opened.first), survivor: nil, decidedBy: "test", now: "2026-01-01T00:00:00Z")
        let refresh = try fixture.refresh()
        #expect(refresh.mode == .incremental)
        #expect(!(try fixture.file("payments")).contains("U-000002"))
        #expect(!(try String(contentsOfFile: fixture.state.orgUnitsIndex, encoding: .utf8)).contains("U-000002"))
        #expect(try fixture.store.orgUnitMemberships(of: [PersonID(2)]).isEmpty)
        try fixture.expectSameAsFull()

        // Undone: Bob comes back, Ann loses his address.
        _ = try fixture.store.unmerge(.person(PersonID(2)), now: "2026-01-02T00:00:00Z")
        try fixture.refresh()
        #expect(try fixture.file("payments").contains("U-000002,Bob"))
        try fixture.expectSameAsFull()
    }

    @Test func aChangeToTheUnitsOrAMissingFileRebuildsEverything() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        try fixture.refresh()
        let idle = try fixture.refresh()
        #expect(idle.mode == .incremental && idle.people == 0 && idle.written.isEmpty)

        var changed = fixture.config
        changed.orgUnits[0].groups[0][0].values = ["Platform"]
        let rebuilt = try fixture.refresh(config: changed)
        #expect(rebuilt.mode == .full(reason: "the org units or their attributes changed"))
        #expect(try fixture.file("payments").contains("Cy"))

        try FileManager.default.removeItem(atPath: fixture.path("corp"))
        let repaired = try fixture.refresh(config: changed)
        #expect(repaired.mode == .full(reason: "a member file is missing"))
        #expect(repaired.written == [fixture.path("corp")])
    }

    @Test func twoStateFoldersOnOneStoreEachGetEveryChange() throws {
        // Two agents on a shared store: each writes its own member files from the one set of
        // stored memberships.
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        let other = StateLayout(root: "\(fixture.root)/other")
        try other.prepare()
        try fixture.refresh()
        #expect(try fixture.refresh(state: other).mode == .full(reason: "a member file is missing"))
        // A rename the first agent brings into its files, which moves the stored marker on.
        try fixture.drop("id,full_name,email\nU-000001,Ann Smith,ann@example.com\n")
        #expect(try fixture.refresh().mode == .incremental)
        let refresh = try fixture.refresh(state: other)
        #expect(
            refresh.mode
                == .full(reason: "the stored memberships are not those of these files (another agent on the store)"))
        #expect(try fixture.files(other) == (try fixture.files()))
        #expect(try fixture.file("payments").contains("U-000001,Ann Smith"))
        // The other, caught up, goes on incrementally; now the first is behind.
        try fixture.drop("id,full_name,email\nU-000002,Bob Roe,bob@example.com\n")
        #expect(try fixture.refresh(state: other).mode == .incremental)
        #expect(try fixture.refresh().mode != .incremental)
        #expect(try fixture.files(other) == (try fixture.files()))
        try fixture.expectSameAsFull()
    }

    @Test func aFileThatNoLongerHoldsWhatWasWrittenIsRebuilt() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        try fixture.refresh()
        // Someone deletes Bob's record by hand; then Ann changes.
        let payments = try fixture.file("payments")
        try Data(payments.replacingOccurrences(of: "U-000002,Bob,bob@example.com,Payments\n", with: "").utf8)
            .write(to: URL(fileURLWithPath: fixture.path("payments")))
        try fixture.drop("full_name,email,team\nAnn,ann@example.com,Platform\n")
        let refresh = try fixture.refresh()
        #expect(refresh.mode == .full(reason: "a member file does not hold what was written"))
        #expect(try fixture.file("payments").contains("U-000002,Bob"))
        try fixture.expectSameAsFull()
    }

    @Test func onlyTheFilesWhoseContentChangesAreReplaced() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        try fixture.refresh()
        let paths = fixture.config.orgUnits.map { fixture.path($0.name) } + [fixture.state.orgUnitsIndex]
        let before = Dictionary(uniqueKeysWithValues: paths.map { ($0, fixture.inode($0)) })
        // Dee changes team but no unit reads it for her: her level is shown nowhere she is a member.
        try fixture.drop("full_name,email,team\nDee,dee@example.com,Design\n")
        var refresh = try fixture.refresh()
        #expect(refresh.mode == .incremental)
        #expect(refresh.written.isEmpty)
        // Cy moves from platform to payments: those two and the index change; corp shows no team, so stays.
        try fixture.drop("full_name,email,team,level\nCy,cy@corp.example.com,Payments,1\n")
        refresh = try fixture.refresh()
        #expect(
            refresh.written == [
                fixture.path("payments"), fixture.path("platform-or-jira"), fixture.state.orgUnitsIndex,
            ])
        for path in paths {
            #expect((fixture.inode(path) != before[path]) == refresh.written.contains(path), "\(path)")
        }
        try fixture.expectSameAsFull()
    }

    @Test func aStopBetweenTheFilesAndTheMembershipsIsRepairedByTheNextRefresh() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        try fixture.refresh()
        let marker = try #require(try fixture.store.outputMarker(OutputMarker.orgUnitsName))

        // Dee joins payments; the files are written, then the process stops before saving.
        try fixture.drop("full_name,email,team\nDee,dee@example.com,Payments\n")
        #expect(throws: Stopped.self) { try fixture.refresh(store: StoppingStore(fixture.store)) }
        #expect(try fixture.file("payments").contains("U-000004,Dee"), "the files went first")
        #expect(try fixture.store.outputMarker(OutputMarker.orgUnitsName) == marker, "the marker did not move")
        #expect(try fixture.store.orgUnitFiles()["payments"]?.pending == true)

        // Before the next refresh Dee leaves payments again: the pending file must lose her,
        // although neither the stored memberships nor the new evaluation put her there.
        try fixture.drop("full_name,email,team\nDee,dee@example.com,Mobile\n")
        let refresh = try fixture.refresh()
        #expect(refresh.mode == .incremental)
        #expect(!(try fixture.file("payments")).contains("Dee"))
        #expect(try fixture.store.orgUnitFiles().values.allSatisfy { !$0.pending })
        try fixture.expectSameAsFull()
    }

    @Test func theMarkerNeverGetsAheadOfTheFiles() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        try fixture.refresh()
        let marker = try #require(try fixture.store.outputMarker(OutputMarker.orgUnitsName))
        // A unit's file can't be replaced (a folder stands in its place).
        try FileManager.default.removeItem(atPath: fixture.path("payments"))
        try FileManager.default.createDirectory(
            atPath: fixture.path("payments") + "/blocker", withIntermediateDirectories: true)
        try fixture.drop("full_name,email,team\nDee,dee@example.com,Payments\n")
        #expect(throws: (any Error).self) { try fixture.refresh() }
        let after = try fixture.store.outputMarker(OutputMarker.orgUnitsName)
        #expect(after == nil || after == marker)

        try FileManager.default.removeItem(atPath: fixture.path("payments"))
        #expect(try fixture.refresh().mode == .full(reason: "no memberships are stored yet"))
        #expect(try fixture.file("payments").contains("U-000004,Dee"))
        try fixture.expectSameAsFull()
    }

    @Test func aCommandSeesStoredMembersOnlyWhileTheyAreCurrent() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        #expect(try OrgUnitsExport.storedMembers(store: fixture.store, config: fixture.config) == nil)
        try fixture.refresh()
        let stored = try #require(try OrgUnitsExport.storedMembers(store: fixture.store, config: fixture.config))
        #expect(stored[0] == [PersonID(1), PersonID(2), PersonID(6)])
        #expect(
            try OrgUnitsExport.storedCounts(store: fixture.store, config: fixture.config) == stored.map(\.count))
        try fixture.drop("full_name,email,team\nDee,dee@example.com,Payments\n")
        #expect(try OrgUnitsExport.storedMembers(store: fixture.store, config: fixture.config) == nil)
        var changed = fixture.config
        changed.orgUnits.removeLast()
        try fixture.refresh()
        #expect(try OrgUnitsExport.storedMembers(store: fixture.store, config: changed) == nil)
    }
}

/// What a process killed at the wrong moment looks like to its caller.
struct Stopped: Error {}

/// A store that stops before saving memberships, as if the process were killed just before.
struct StoppingStore: RosterStore {
    let base: SQLiteStore

    init(_ base: SQLiteStore) {
        self.base = base
    }

    func saveOrgUnitMembers(_ change: OrgUnitMembersChange, marker: OutputMarker) throws { throw Stopped() }

    func appliedIngest(sha256: String) throws -> JournalEntry? { try base.appliedIngest(sha256: sha256) }
    func apply(_ file: IngestFile, _ body: (inout any RosterLedger) throws -> FileVerdict) throws -> ApplyResult {
        try base.apply(file, body)
    }
    func recordRejection(_ file: IngestFile, summary: IngestSummary) throws {
        try base.recordRejection(file, summary: summary)
    }
    func syncAttributeDefinitions(_ attributes: [AttributeDefinition]) throws {
        try base.syncAttributeDefinitions(attributes)
    }
    func forEachPerson(_ each: (ExportedPerson) throws -> Void) throws { try base.forEachPerson(each) }
    func forEachAccount(_ each: (ExportedAccount) throws -> Void) throws { try base.forEachAccount(each) }
    func integrations() throws -> [String] { try base.integrations() }
    func status() throws -> StoreStatus { try base.status() }
    func outputMarker(_ name: String) throws -> OutputMarker? { try base.outputMarker(name) }
    func setOutputMarker(_ name: String, to marker: OutputMarker?) throws { try base.setOutputMarker(name, to: marker) }
    func latestAudit() throws -> Int64 { try base.latestAudit() }
    func exportedPeople(_ ids: [PersonID]) throws -> [ExportedPerson] { try base.exportedPeople(ids) }
    func exportChanges(sinceAudit audit: Int64, atMost limit: Int) throws -> ExportChanges? {
        try base.exportChanges(sinceAudit: audit, atMost: limit)
    }
    func orgUnitMemberships(of ids: [PersonID]) throws -> [PersonID: Set<String>] {
        try base.orgUnitMemberships(of: ids)
    }
    func orgUnitMembers(_ unit: String) throws -> [PersonID] { try base.orgUnitMembers(unit) }
    func orgUnitFiles() throws -> [String: OrgUnitFileState] { try base.orgUnitFiles() }
    func markOrgUnitFilesPending(_ units: [String]) throws { try base.markOrgUnitFilesPending(units) }
    func forEachMatchPerson(_ each: (MatchPerson) throws -> Void) throws { try base.forEachMatchPerson(each) }
    func matchPeople(_ ids: [PersonID]) throws -> [MatchPerson] { try base.matchPeople(ids) }
    func proposals(_ ids: [ProposalID]) throws -> [StoredProposal] { try base.proposals(ids) }
    func peopleChanged(sinceAudit: Int64) throws -> (people: Set<PersonID>, latestAudit: Int64) {
        try base.peopleChanged(sinceAudit: sinceAudit)
    }
    func rejectedPairs() throws -> Set<PersonPair> { try base.rejectedPairs() }
    func matchKeys(of people: [PersonID]) throws -> [PersonID: [UInt64]] { try base.matchKeys(of: people) }
    func matchKeyHolders(_ hashes: [UInt64], atMost limit: (UInt64) -> Int) throws -> [UInt64: [PersonID]] {
        try base.matchKeyHolders(hashes, atMost: limit)
    }
    func rebuildMatchKeys(_ keys: MatchKeyEntries, pending: OutputMarker) throws {
        try base.rebuildMatchKeys(keys, pending: pending)
    }
    func openProposals(touching people: Set<PersonID>) throws -> [StoredProposal] {
        try base.openProposals(touching: people)
    }
    func recordMatchPass(
        _ drafts: [ProposalDraft], scope: Set<PersonID>?, keys: [PersonID: [UInt64]], marker: OutputMarker,
        expecting expected: OutputMarker?, now: String
    ) throws -> ProposalSync? {
        try base.recordMatchPass(drafts, scope: scope, keys: keys, marker: marker, expecting: expected, now: now)
    }
    func syncProposals(_ drafts: [ProposalDraft], scope: Set<PersonID>?, now: String) throws -> ProposalSync {
        try base.syncProposals(drafts, scope: scope, now: now)
    }
    func openProposals() throws -> [StoredProposal] { try base.openProposals() }
    func proposal(_ id: ProposalID) throws -> StoredProposal? { try base.proposal(id) }
    func accept(_ id: ProposalID, survivor: PersonID?, decidedBy: String, now: String) throws -> MergeOutcome {
        try base.accept(id, survivor: survivor, decidedBy: decidedBy, now: now)
    }
    func reject(_ id: ProposalID, decidedBy: String, now: String) throws -> StoredProposal {
        try base.reject(id, decidedBy: decidedBy, now: now)
    }
    func unmerge(_ target: UnmergeTarget, now: String) throws -> UnmergeOutcome { try base.unmerge(target, now: now) }
    func resolve(_ id: PersonID) throws -> PersonID? { try base.resolve(id) }
    func explain(_ subject: ExplainSubject) throws -> Explanation? { try base.explain(subject) }
}
