import Foundation
import Logging
import RosterAgent
import RosterCore
import RosterStore
import Testing

/// A users CSV taken before a merge still names the merged person's id.
@Suite("Users CSV rows that name a merged person's id")
struct MergedIdTests {
    let root: String
    let state: StateLayout
    let store: SQLiteStore
    let pipeline: Pipeline

    init() throws {
        let fixture = try PipelineFixture("roster-merged-id")
        (root, state, store, pipeline) = (fixture.root, fixture.state, fixture.store, fixture.pipeline)
    }

    func ingest(_ name: String, _ text: String) throws -> FileOutcome {
        let path = root + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try pipeline.ingest(path: path, disposition: .move)
    }

    /// Jane (U-000001) and her Jira twin (U-000002), merged into U-000001.
    func mergeTwins() throws -> (survivor: PersonID, merged: PersonID) {
        _ = try ingest("github.csv", "account_id,login,name,email\n101,janedoe,Jane Doe,jane.doe@example.com\n")
        _ = try ingest("jira.csv", "account_id,display_name,email,active\nj-1,Jane Doe,,true\n")
        let drafts = Matcher().proposals(
            try store.matchPeople([PersonID(1), PersonID(2)]).map { MatchProfile($0, placeholderPatterns: []) })
        _ = try store.syncProposals(drafts, scope: nil, now: "2026-01-01T00:00:00Z")
        let proposal = try #require(try store.openProposals().first)
        let outcome = try store.accept(
            proposal.id, survivor: PersonID(1), decidedBy: "test", now: "2026-01-01T00:00:00Z")
        #expect(outcome.merged == [PersonID(2)])
        return (PersonID(1), PersonID(2))
    }

    func person(_ id: PersonID) throws -> ExportedPerson? {
        var found: ExportedPerson?
        try store.forEachPerson { if $0.id == id { found = $0 } }
        return found
    }

    @Test func aRowWithAMergedIdAppliesToTheSurvivor() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (survivor, merged) = try mergeTwins()
        let outcome = try ingest("users.csv", "id,full_name,email\n\(merged),Jane A. Doe,jane.doe@example.com\n")
        guard case .applied(let summary) = outcome.status else {
            Issue.record("expected applied: \(outcome.line)")
            return
        }
        #expect(summary.peopleUpdated == 1)
        #expect(summary.details.contains { $0.contains("\(merged) was merged into \(survivor)") })
        #expect(try person(survivor)?.name == "Jane A. Doe")
        #expect(try person(merged) == nil)
    }

    @Test func theMergedIdAndTheSurvivorInOneFileAreOnePersonGivenTwice() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (survivor, merged) = try mergeTwins()
        let outcome = try ingest(
            "users.csv",
            "id,full_name,email\n\(survivor),Jane Doe,jane.doe@example.com\n\(merged),Jane A. Doe,jane.doe@example.com\n"
        )
        #expect(outcome.isRejected)
        let errors = try String(
            contentsOfFile: try #require(outcome.errorsFile), encoding: .utf8)
        #expect(errors.contains("\(merged) (merged into \(survivor)) is already given on line 2"))
        #expect(try person(survivor)?.name == "Jane Doe")
    }
}
