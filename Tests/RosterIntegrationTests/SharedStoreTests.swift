import Foundation
import Testing

/// Two agents, each with its own drop and state folders, on one store: what one applies or
/// decides shows in the other's exports and proposal files.
@Suite("Two agents on one store")
struct SharedStoreTests {
    @Test(arguments: SharedStoreEngine.allCases)
    func whatOneAgentAppliesOrDecidesShowsInTheOthersFolders(engine: SharedStoreEngine) async throws {
        let east = try WatchHarness()
        let west = try WatchHarness()
        let store = try engine.storeURL(beside: east.root)
        try east.start(["--store", store])
        try west.start(["--store", store])
        try await east.waitUntilWatching()
        try await west.waitUntilWatching()

        // People dropped on one host appear in the other host's export.
        try east.drop("users.csv", WatchHarness.users(0..<5))
        try await west.eventually("the other agent's export to follow") { west.exportRows.count == 5 }
        #expect(west.archived.isEmpty, "the file was taken by the agent it was dropped on")

        // Twins dropped on the west host: the east host writes the proposal too.
        try west.drop("github.csv", ProposalsCommandTests.github)
        try await west.eventually("github applied") { west.archived.count == 1 }
        try west.drop("jira.csv", ProposalsCommandTests.jira)
        let proposal = "P-000001.yaml"
        try await east.eventually("the proposal in the east folder") {
            east.names(in: "\(east.state)/proposals").contains(proposal)
        }
        // A third host joining now gets the files of the proposals opened before it came.
        let late = try WatchHarness()
        try late.start(["--store", store])
        try await late.eventually("the late host's proposal file") {
            late.names(in: "\(late.state)/proposals").contains(proposal)
        }
        #expect(try await late.stop() == 0)

        // Accepted by editing the file on the east host: the west host files its copy as decided.
        let path = "\(east.state)/proposals/\(proposal)"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "decision: pending", with: "decision: accept")
            .write(toFile: path, atomically: true, encoding: .utf8)
        try await west.eventually("the west copy filed as decided") {
            !west.names(in: "\(west.state)/proposals").contains(proposal)
                && west.names(in: "\(west.state)/proposals/decided").contains(proposal)
        }
        let decided = try String(contentsOfFile: "\(west.state)/proposals/decided/\(proposal)", encoding: .utf8)
        #expect(decided.contains("decision: accepted"), "\(decided)")
        try await west.eventually("both exports equal") { west.export == east.export && !east.export.isEmpty }
        #expect(try await east.stop() == 0)
        #expect(try await west.stop() == 0)
    }
}

/// The engines a shared store can be on in these tests.
enum SharedStoreEngine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A new, empty store: an SQLite file outside the state folders, or a new database on the
    /// test PostgreSQL server.
    func storeURL(beside root: String) throws -> String {
        switch self {
        case .sqlite: "sqlite:\(root)/shared.sqlite"
        case .postgres: try PostgresTestServer.freshDatabase()
        }
    }
}
