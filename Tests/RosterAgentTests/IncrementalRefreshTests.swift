import Foundation
import GRDB
import Logging
import RosterAgent
import RosterCore
import RosterStore
import Testing

@Suite("The incremental proposals refresh: the same proposals as a full pass")
struct IncrementalRefreshTests {
    let root: String
    let state: StateLayout
    let store: SQLiteStore
    let pipeline: Pipeline
    let desk: ProposalDesk

    init() throws {
        let fixture = try PipelineFixture("roster-incremental", inMemory: true)
        (root, state, store, pipeline) = (fixture.root, fixture.state, fixture.store, fixture.pipeline)
        desk = fixture.desk
    }

    /// Ingests a generic accounts CSV (named so that no other kind is recognised in it).
    ///
    /// - Parameter mustApply: Record an issue when the file is refused.
    func ingest(_ name: String, _ rows: [String], mustApply: Bool = true) throws {
        let path = root + "/" + name
        let text = "integration,account_id,login,display_name,email\n" + rows.map { $0 + "\n" }.joined()
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try pipeline.ingest(path: path, disposition: .move)
        if mustApply, case .applied = outcome.status {} else if mustApply { Issue.record("refused: \(outcome.line)") }
    }

    /// What a full pass over the store proposes now, sorted by people.
    func fullPass(_ matcher: Matcher = Matcher()) throws -> [ProposalDraft] {
        var profiles: [MatchProfile] = []
        try store.forEachMatchPerson { profiles.append(MatchProfile($0, placeholderPatterns: desk.placeholders)) }
        return matcher.proposals(profiles, rejected: try store.rejectedPairs()).sorted { $0.peopleKey < $1.peopleKey }
    }

    /// The open proposals as recorded, sorted by people.
    func recorded() throws -> [ProposalDraft] {
        try store.openProposals().map(\.draft).sorted { $0.peopleKey < $1.peopleKey }
    }

    func person(_ account: String) throws -> PersonID {
        let parts = account.split(separator: ":")
        let explanation = try #require(
            try store.explain(.account(AccountKey(integration: String(parts[0]), accountID: String(parts[1])))))
        return explanation.person
    }

    /// Jane's GitHub account and her Jira twin without email, proposed together; the proposal and
    /// its file.
    func janeTwins() throws -> (proposal: StoredProposal, file: String) {
        try ingest("first.csv", ["github,101,janedoe,Jane Doe,jane.doe@gmail.com", "jira,j-1,,Jane Doe,"])
        try desk.refresh()
        let proposal = try #require(try store.openProposals().first)
        return (proposal, desk.folder + "/\(proposal.id).yaml")
    }

    /// Two Jane Does (a confident pair) and a Janet Doe who resembles them: the pair is proposed
    /// alone and, less confidently, with Janet.
    func janesAndJanet() throws -> (pair: StoredProposal, three: StoredProposal) {
        try ingest(
            "first.csv",
            [
                "github,101,janedoe,Jane Doe,jane.doe@gmail.com", "jira,j-1,,Jane Doe,",
                "slack,s-1,janet,Janet Doe,janet@example.net",
            ])
        try desk.refresh()
        let open = try store.openProposals()
        return (
            try #require(open.first { $0.draft.people.count == 2 }),
            try #require(open.first { $0.draft.people.count == 3 })
        )
    }

    func openFiles() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: desk.folder).filter { $0.hasSuffix(".yaml") })
    }

    // MARK: - The property

    /// A deterministic generator, so that a failing sequence can be replayed from its seed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One random account row: few names, accounts and addresses, so that people collide, accounts
    /// are updated and move, and small blocks grow past the limit and shrink back.
    static func row(_ random: inout SplitMix, account: Int) -> String {
        let given = ["Jane", "Janet", "John", "Jon", "William", "Bill", "Ann"]
        let family = ["Doe", "Smith", "Smyth", "Lee"]
        let first = given.randomElement(using: &random)!
        let last = family.randomElement(using: &random)!
        let integration = ["github", "jira", "slack"].randomElement(using: &random)!
        let login: String
        switch Int.random(in: 0..<4, using: &random) {
        case 0: login = (first + last).lowercased()
        case 1: login = (first.prefix(1) + last).lowercased()
        case 2: login = "\(first.lowercased())\(Int.random(in: 1..<4, using: &random))"
        default: login = ""
        }
        let email: String
        switch Int.random(in: 0..<5, using: &random) {
        case 0: email = "\(first.lowercased()).\(last.lowercased())@corp.example.org"
        case 1: email = "\(first.lowercased())\(Int.random(in: 1..<4, using: &random))@gmail.com"
        case 2 where integration == "github": email = "\(account)+\(login)@users.noreply.github.com"
        default: email = ""
        }
        return "\(integration),a\(account),\(login),\(first) \(last),\(email)"
    }

    @Test(
        "after ingests, merges, rejections and unmerges, each incremental refresh records what a full pass would",
        arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64], [3, 100])
    func incrementalEqualsFull(seed: UInt64, blockLimit: Int) throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        var desk = self.desk
        desk.matcher.blockLimit = blockLimit
        var random = SplitMix(state: seed)
        var accepted: [ProposalID] = []
        var refreshes = 0
        for step in 0..<30 {
            let open = try store.openProposals()
            let operation = open.isEmpty && step > 0 ? 0 : Int.random(in: 0..<10, using: &random)
            switch operation {
            case 0..<5:
                var accounts = Set<Int>()
                let count = Int.random(in: 1...4, using: &random)
                while accounts.count < count { accounts.insert(Int.random(in: 0..<24, using: &random)) }
                try ingest(
                    "step-\(step).csv", accounts.sorted().map { Self.row(&random, account: $0) }, mustApply: false)
            case 5..<7:
                guard let proposal = open.randomElement(using: &random) else { continue }
                try desk.accept(proposal.id, by: "test")
                accepted.append(proposal.id)
            case 7..<9:
                guard let proposal = open.randomElement(using: &random) else { continue }
                try desk.reject(proposal.id, by: "test")
            default:
                guard let index = accepted.indices.randomElement(using: &random) else { continue }
                _ = try? store.unmerge(.proposal(accepted.remove(at: index)), now: Timestamp.now())
            }
            let result = try desk.refresh()
            #expect(result.full == (refreshes == 0), "seed \(seed) step \(step)")
            refreshes += 1
            #expect(try recorded() == fullPass(desk.matcher), "seed \(seed) step \(step)")
            #expect(try openFiles() == Set(store.openProposals().map { "\($0.id).yaml" }), "seed \(seed) step \(step)")
        }
    }

    // MARK: - Cases

    @Test func aNewJiraAccountWithoutEmailIsProposedWithItsGitHubTwin() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ingest(
            "first.csv",
            ["github,101,janedoe,Jane Doe,jane.doe@gmail.com", "github,102,bsmith,Bob Smith,bob@smith.example.org"])
        #expect(try desk.refresh().full)
        #expect(try store.openProposals().isEmpty)

        try ingest("second.csv", ["jira,j-1,,Jane Doe,"])
        let result = try desk.refresh()
        #expect(!result.full)
        #expect(result.changed == 1)
        #expect(result.people == 2, "the new person and its twin, not Bob")
        let proposal = try #require(try store.openProposals().first)
        #expect(result.sync.opened == [proposal.id])
        #expect(try Set(proposal.draft.people) == [person("github:101"), person("jira:j-1")])
        #expect(try openFiles() == ["\(proposal.id).yaml"])
    }

    @Test func anAccountLinkedToAProposedPersonShowsInTheFileThoughTheProposalIsTheSame() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (proposal, file) = try janeTwins()
        #expect(try !String(contentsOfFile: file, encoding: .utf8).contains("s-1"))

        // Her Slack account joins her by email: the same pair, the same evidence, one more account.
        try ingest("second.csv", ["slack,s-1,janedoe,Jane Doe,jane.doe@gmail.com"])
        let result = try desk.refresh()
        #expect(!result.full)
        #expect(result.sync.unchanged == [proposal.id], "the proposal itself did not change")
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("s-1"))

        // The same through a full pass (asked for here; also after new rules or an upgrade).
        try ingest("third.csv", ["pagerduty,pd-1,,Jane Doe,jane.doe@gmail.com"])
        let full = try desk.refresh(full: true)
        #expect(full.full && full.sync.unchanged == [proposal.id])
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("pd-1"))
    }

    @Test func aFullPassStoppedHalfWayLeavesTheNextOneToMendTheFilesOfChangedPeople() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (proposal, file) = try janeTwins()
        try ingest("second.csv", ["slack,s-1,janedoe,Jane Doe,jane.doe@gmail.com"])

        // Stopped once it has begun rebuilding the index: the checkpoint to stop at is found by
        // trying one after another (those before it stop the pass before it changes anything).
        var rebuilding = false
        for stopAt in 1...100 where !rebuilding {
            var asked = 0
            do {
                try desk.refresh(
                    full: true,
                    checkpoint: {
                        asked += 1
                        return asked < stopAt
                    })
                Issue.record("the pass ended before it could be stopped")
                return
            } catch is MatchingStopped {}
            rebuilding = try store.outputMarker(OutputMarker.matchKeys)?.fingerprint.hasPrefix("rebuilding") == true
        }
        #expect(rebuilding)
        #expect(try !String(contentsOfFile: file, encoding: .utf8).contains("s-1"))

        let next = try desk.refresh()
        #expect(next.full && next.sync.unchanged == [proposal.id])
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("s-1"))
    }

    @Test func anUnreadableEditOfAProposalMadeMootIsLeftAsTheAdminSavedIt() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (pair, three) = try janesAndJanet()
        let file = desk.folder + "/\(pair.id).yaml"
        let edited = try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: "decision: pending", with: "decision: maybe")
        try Data(edited.utf8).write(to: URL(fileURLWithPath: file))

        try desk.accept(three.id, by: "test")
        let result = try desk.refresh()
        #expect(result.sync.closed.map(\.id) == [pair.id])
        #expect(try String(contentsOfFile: file, encoding: .utf8) == edited)
        #expect(FileManager.default.fileExists(atPath: desk.folder + "/\(pair.id).note.txt"))
    }

    @Test func aMergeElsewhereClosesAProposalAsMoot() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (pair, three) = try janesAndJanet()

        try desk.accept(three.id, by: "test")
        let result = try desk.refresh()
        #expect(!result.full)
        let closed = try #require(try store.proposal(pair.id))
        #expect(closed.status == .closed)
        #expect(closed.outcome?.hasPrefix("moot: ") == true)
        #expect(result.sync.closed.map(\.id) == [pair.id])
        let file = try String(contentsOfFile: "\(desk.decidedFolder)/\(pair.id).yaml", encoding: .utf8)
        #expect(file.contains("moot: "))
        #expect(try openFiles().isEmpty)
        #expect(try recorded() == fullPass())
    }

    @Test func aRejectedPairNeverComesBack() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ingest("first.csv", ["github,101,janedoe,Jane Doe,jane.doe@gmail.com"])
        try desk.refresh()
        try ingest("second.csv", ["jira,j-1,,Jane Doe,"])
        try desk.refresh()
        let proposal = try #require(try store.openProposals().first)
        try desk.reject(proposal.id, by: "test")
        #expect(!(try desk.refresh().full))
        #expect(try store.openProposals().isEmpty)

        // New evidence for both (a login that spells the name, the same display name on a new
        // account): still never proposed together, incrementally or in full.
        try ingest("third.csv", ["jira,j-1,janedoe,Jane Doe,", "slack,s-1,jdoe,Jane Doe,"])
        #expect(!(try desk.refresh().full))
        let pair = PersonPair(try person("github:101"), try person("jira:j-1"))
        func together() throws -> Bool {
            try store.openProposals().contains { Set($0.draft.people).isSuperset(of: [pair.low, pair.high]) }
        }
        #expect(try !together())
        #expect(try recorded() == fullPass())
        #expect(try desk.refresh(full: true).full)
        #expect(try !together())
    }

    @Test func aBlockGrowingPastTheLimitDropsThePairsOfTheUnchangedPeopleInIt() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        var desk = self.desk
        desk.matcher.blockLimit = 2
        try ingest("first.csv", ["github,101,jd,Jane Doe,jane.doe@gmail.com", "jira,j-1,,Jane Doe,"])
        try desk.refresh()
        let pair = try #require(try store.openProposals().first)

        // A third Jane Doe: every key they share now has three holders, too common to compare on.
        try ingest("second.csv", ["slack,s-1,,Jane Doe,"])
        let result = try desk.refresh()
        #expect(!result.full)
        #expect(try store.proposal(pair.id)?.status == .closed)
        #expect(try recorded() == fullPass(desk.matcher))
        #expect(try recorded().isEmpty)
    }

    // MARK: - When a full pass happens

    @Test func otherRulesOrAnUnrecordedIndexMeanAFullPass() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ingest("first.csv", ["github,101,janedoe,Jane Doe,jane.doe@gmail.com", "jira,j-1,,Jane Doe,"])
        #expect(try desk.refresh().full, "no index yet")
        #expect(!(try desk.refresh().full))

        var other = desk
        other.matcher.blockLimit = 50
        #expect(try other.refresh().full, "a different block limit")
        #expect(try desk.refresh().full, "and back")

        // An index rebuilt but never recorded against (a pass stopped or crashed after it): not trusted.
        try store.rebuildMatchKeys([], pending: OutputMarker(audit: 0, fingerprint: "rebuilding"))
        #expect(try desk.refresh().full)
        #expect(try recorded() == fullPass())
        #expect(!(try desk.refresh().full))
    }

    @Test func aPassIsNotRecordedOverAnotherOne() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ingest("first.csv", ["github,101,janedoe,Jane Doe,jane.doe@gmail.com", "jira,j-1,,Jane Doe,"])
        try desk.refresh()
        let marker = try #require(try store.outputMarker(OutputMarker.matchKeys))
        let stale = OutputMarker(audit: marker.audit - 1, fingerprint: marker.fingerprint)
        let sync = try store.recordMatchPass(
            [], scope: [PersonID(1), PersonID(2)], keys: [PersonID(1): []], marker: stale, expecting: stale,
            now: Timestamp.now())
        #expect(sync == nil)
        #expect(try store.openProposals().count == 1, "nothing closed")
        #expect(try store.matchKeys(of: [PersonID(1)])[PersonID(1)]?.isEmpty == false, "no key removed")
        #expect(try store.outputMarker(OutputMarker.matchKeys) == marker)
    }
}
