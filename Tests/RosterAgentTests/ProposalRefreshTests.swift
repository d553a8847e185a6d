import Foundation
import Logging
import RosterAgent
import RosterCore
import RosterStore
import Testing

@Suite("The merge proposals refresh: interruption and edited files")
struct ProposalRefreshTests {
    let root: String
    let state: StateLayout
    let store: SQLiteStore
    let pipeline: Pipeline
    let desk: ProposalDesk

    init() throws {
        let fixture = try PipelineFixture("roster-refresh")
        (root, state, store, pipeline) = (fixture.root, fixture.state, fixture.store, fixture.pipeline)
        desk = fixture.desk
    }

    func ingest(_ name: String, _ text: String) throws {
        let path = root + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try pipeline.ingest(path: path, disposition: .move)
        guard case .applied = outcome.status else {
            Issue.record("expected applied: \(outcome.line)")
            return
        }
    }

    /// The open proposals' files, by name.
    func files() throws -> [String: String] {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: desk.folder) where name.hasSuffix(".yaml") {
            files[name] = try String(contentsOfFile: desk.folder + "/" + name, encoding: .utf8)
        }
        return files
    }

    @Test func aStoppedPassLeavesTheProposalsAsTheyWereAndTheNextOneCompletesIt() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ingest("github.csv", "account_id,login,name,email\n101,janedoe,Jane Doe,jane.doe@gmail.com\n")
        try ingest("jira.csv", "account_id,display_name,email,active\nj-1,Jane Doe,,true\n")
        try desk.refresh()
        let before = try store.openProposals()
        let filesBefore = try files()
        #expect(before.count == 1)
        #expect(filesBefore.count == 1)

        try ingest(
            "github-2.csv", "account_id,login,name,email\n102,bsmith,Bob Smith,bob.smith@gmail.com\n")
        try ingest("jira-2.csv", "account_id,display_name,email,active\nj-2,Bob Smith,,true\n")
        for stopAfter in [0, 1, 2] {
            var calls = 0
            #expect(throws: MatchingStopped.self) {
                try desk.refresh {
                    calls += 1
                    return calls <= stopAfter
                }
            }
            #expect(try store.openProposals() == before, "nothing recorded by a stopped pass")
            #expect(try files() == filesBefore, "no file written by a stopped pass")
        }

        let result = try desk.refresh()
        #expect(result.sync.opened.count == 1)
        // Only Bob's people changed: Jane's proposal is outside the pass and stays as it was.
        #expect(!result.full)
        #expect(try store.openProposals().filter { before.map(\.id).contains($0.id) } == before)
        #expect(try files().count == 2)
    }

    @Test func anEditedFileIsReadAndAnUnchangedOneIsNotReadAgain() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ingest("github.csv", "account_id,login,name,email\n101,janedoe,Jane Doe,jane.doe@gmail.com\n")
        try ingest("jira.csv", "account_id,display_name,email,active\nj-1,Jane Doe,,true\n")
        try desk.refresh()
        let id = try #require(try store.openProposals().first?.id)
        let path = "\(desk.folder)/\(id).yaml"
        let written = try String(contentsOfFile: path, encoding: .utf8)

        // Nothing edited: nothing to read, nothing decided.
        #expect(try desk.applyFileDecisions().decided.isEmpty)
        #expect(try desk.applyFileDecisions().malformed.isEmpty)

        // An edit (new size, time and inode) is read and applied.
        try Data(written.replacingOccurrences(of: "decision: pending", with: "decision: accept").utf8)
            .write(to: URL(fileURLWithPath: path), options: .atomic)
        let decided = try desk.applyFileDecisions().decided
        #expect(decided.count == 1)
        #expect(try store.openProposals().isEmpty)
        #expect(FileManager.default.fileExists(atPath: "\(desk.decidedFolder)/\(id).yaml"))
    }

    @Test func aLostStampsFileOnlyMeansReadingEveryFileOnce() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ingest("github.csv", "account_id,login,name,email\n101,janedoe,Jane Doe,jane.doe@gmail.com\n")
        try ingest("jira.csv", "account_id,display_name,email,active\nj-1,Jane Doe,,true\n")
        try desk.refresh()
        let id = try #require(try store.openProposals().first?.id)
        let path = "\(desk.folder)/\(id).yaml"
        let written = try String(contentsOfFile: path, encoding: .utf8)
        try Data(written.replacingOccurrences(of: "decision: pending", with: "decision: reject").utf8)
            .write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.removeItem(atPath: desk.stampsPath)
        #expect(try desk.applyFileDecisions().decided == ["\(id): rejected"])
    }

    /// Jane's and Bob's twins, each proposed, their files written.
    func janeAndBob() throws -> (jane: ProposalID, bob: ProposalID) {
        try ingest(
            "github.csv",
            "account_id,login,name,email\n101,janedoe,Jane Doe,jane.doe@gmail.com\n102,bsmith,Bob Smith,bob.smith@gmail.com\n"
        )
        try ingest("jira.csv", "account_id,display_name,email,active\nj-1,Jane Doe,,true\nj-2,Bob Smith,,true\n")
        try pipeline.refreshOutputs()
        // The GitHub file made Jane U-000001 and Bob U-000002.
        let open = try store.openProposals()
        #expect(open.count == 2)
        let jane = try #require(open.first { $0.draft.people.contains(PersonID(1)) })
        let bob = try #require(open.first { $0.draft.people.contains(PersonID(2)) })
        return (jane.id, bob.id)
    }

    func edit(_ id: ProposalID, to decision: String) throws {
        let path = "\(desk.folder)/\(id).yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "decision: pending", with: "decision: \(decision)").utf8)
            .write(to: URL(fileURLWithPath: path))
    }

    /// The refresh after an ingest looks only at the files it would rewrite or close; an edit
    /// there is applied before the pass, on the proposal the admin saw, and never overwritten.
    @Test func anEditedFileThatTheRefreshAfterAnIngestWouldRewriteIsAppliedFirst() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (jane, _) = try janeAndBob()
        let people = try #require(try store.proposal(jane)).draft.people
        try edit(jane, to: "reject")
        // Jane's GitHub account gets another display name: her person changed, her proposal is in
        // the pass.
        try ingest("github-2.csv", "account_id,login,name,email\n101,janedoe,Jane Q. Doe,jane.doe@gmail.com\n")
        try pipeline.refreshOutputs()
        #expect(try store.proposal(jane)?.status == .rejected)
        #expect(FileManager.default.fileExists(atPath: "\(desk.decidedFolder)/\(jane).yaml"))
        #expect(try store.openProposals().allSatisfy { Set($0.draft.people) != Set(people) }, "not proposed again")
    }

    /// A merge accepted that way is in the exports the same refresh leaves, though they were
    /// written before its proposals pass.
    @Test func aMergeAcceptedByTheRefreshAfterAnIngestIsInItsExports() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (jane, _) = try janeAndBob()
        let people = try #require(try store.proposal(jane)).draft.people
        #expect(people.count == 2)
        try edit(jane, to: "accept")
        try ingest("github-2.csv", "account_id,login,name,email\n101,janedoe,Jane Q. Doe,jane.doe@gmail.com\n")
        try pipeline.refreshOutputs()
        #expect(try store.proposal(jane)?.status == .accepted)
        let ids = try String(contentsOfFile: state.usersExport, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { String($0.prefix { $0 != "," }) }
        #expect(ids.filter { id in people.contains { $0.description == id } }.count == 1, "\(ids)")
    }

    /// An edit to a file the refresh after an ingest does not touch waits for a look at every file
    /// (the agent's look at the folder, `roster proposals refresh`), and is not lost meanwhile.
    @Test func anEditElsewhereWaitsForALookAtEveryFile() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (jane, bob) = try janeAndBob()
        let ids = Set(try #require(try store.proposal(jane)).draft.people)
        #expect(try store.proposal(bob).map { Set($0.draft.people).isDisjoint(with: ids) } == true)
        try edit(bob, to: "reject")
        try ingest("github-2.csv", "account_id,login,name,email\n101,janedoe,Jane Q. Doe,jane.doe@gmail.com\n")
        try pipeline.refreshOutputs()
        #expect(try store.proposal(bob)?.status == .open)
        let file = try String(contentsOfFile: "\(desk.folder)/\(bob).yaml", encoding: .utf8)
        #expect(file.contains("decision: reject"), "the edit is still there")
        let result = try desk.refresh()
        #expect(result.decided == ["\(bob): rejected"])
        #expect(try store.proposal(bob)?.status == .rejected)
    }
}
