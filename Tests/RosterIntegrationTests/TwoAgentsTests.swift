import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two agents with their own drop folders on one PostgreSQL database, many files dropped on both
/// at once, the database restarted and one agent killed along the way: every file is applied
/// exactly once and the roster is what one agent builds from the same files.
///
/// `ROSTER_TWO_AGENT_FILES` sets the files per agent (default 40; the 500 for the long
/// run: `ROSTER_TWO_AGENT_FILES=500 swift test --filter TwoAgents`).
@Suite("Two agents, one PostgreSQL database, under trouble")
struct TwoAgentsTests {
    static var filesPerAgent: Int {
        ProcessInfo.processInfo.environment["ROSTER_TWO_AGENT_FILES"].flatMap(Int.init) ?? 40
    }

    /// File `index` of the set: ten people of an overlapping window, each always written the same
    /// way (same name, email, GitHub account), so the outcome can't depend on the order files apply.
    static func file(_ index: Int) -> String {
        let first = index * 6
        return "full_name,email,integration:github\n"
            + (first..<first + 10).map { "Person \($0),p\($0)@example.com,gh-\($0)\n" }.joined()
    }

    @Test func everyFileAppliesOnceAndTheRosterIsWhatOneAgentBuilds() async throws {
        let count = Self.filesPerAgent
        let server = try PostgresTestServer.privateServer()
        defer { PostgresTestServer.remove(server.folder) }
        let east = try WatchHarness()
        let west = try WatchHarness()
        // East takes files 0..<count; west the files count/2..<count/2+count: half of west's files
        // are byte for byte east's (the same export dropped on both hosts), half its own.
        let eastFiles = Array(0..<count)
        let westFiles = Array(count / 2..<count / 2 + count)
        let distinct = Set(eastFiles + westFiles)
        try east.start(["--store", server.url])
        try west.start(["--store", server.url])
        try await east.waitUntilWatching()
        try await west.waitUntilWatching()

        // Written beside the drop folders, then renamed in all at once.
        for (harness, files) in [(east, eastFiles), (west, westFiles)] {
            for index in files {
                try Self.file(index).write(toFile: "\(harness.root)/f\(index).csv", atomically: false, encoding: .utf8)
            }
        }
        // Each agent's last file is held back, to be dropped while the database is down.
        let held = [(east, eastFiles.last!), (west, westFiles.last!)]
        for (harness, files) in [(east, eastFiles.dropLast()), (west, westFiles.dropLast())] {
            for index in files { rename("\(harness.root)/f\(index).csv", "\(harness.watch)/f\(index).csv") }
        }
        func done(_ harness: WatchHarness) -> Int { harness.archived.count + harness.rejected.count }

        // The database goes down once a third is applied; files dropped then wait until it is back.
        try await east.eventually("a third of the files", timeout: .seconds(300)) {
            done(east) + done(west) >= 2 * count / 3
        }
        try PostgresTestServer.down(server.folder)
        for (harness, index) in held { rename("\(harness.root)/f\(index).csv", "\(harness.watch)/f\(index).csv") }
        try await east.eventually("an agent to find the database down", timeout: .seconds(120)) {
            (east.stderr + west.stderr).contains("Can't process the file; will try again")
        }
        try PostgresTestServer.up(server.folder)

        // One agent is killed outright once two thirds are in, and started again.
        try await east.eventually("two thirds of the files", timeout: .seconds(300)) {
            done(east) + done(west) >= 4 * count / 3
        }
        try await east.killHard()
        try east.start(["--store", server.url])

        try await east.eventually("every file taken", timeout: .seconds(600)) {
            done(east) == count && done(west) == count
        }
        #expect(east.rejected.isEmpty, "\(east.rejected)")
        #expect(west.rejected.isEmpty, "\(west.rejected)")
        // Taken is not yet exported: wait for the last file's people on both hosts, not only for
        // two exports that agree (both could still be the one before it).
        let people = distinct.max()! * 6 + 10
        try await west.eventually("both hosts' exports to agree on everyone", timeout: .seconds(120)) {
            Self.withoutIDs(east.export).count == people && east.export == west.export
        }

        // Each distinct content applied once, in the shared journal.
        let runner = try RosterRunner()
        defer { runner.cleanUp() }
        let status = try runner.run(["status", "--store", server.url, "--state", "status"])
        #expect(status.stdout.hasPrefix("Roster store: \(server.url)\n"), "\(status.stdout)")
        let applied = status.stdout.split(separator: "\n").first { $0.hasPrefix("Files applied:") }
        #expect(applied?.split(separator: " ").last.map(String.init) == "\(distinct.count)", "\(status.stdout)")

        // One agent alone, same files, SQLite: the same people and accounts, ids aside.
        for index in distinct.sorted() { try runner.write("f\(index).csv", Self.file(index)) }
        let single = try runner.run(["ingest", "--log-level", "warning"] + distinct.sorted().map { "f\($0).csv" })
        #expect(single.status == 0, "\(single.stderr)")
        let reference = try runner.read("state/exports/users.csv")
        #expect(Self.withoutIDs(east.export) == Self.withoutIDs(reference))
        #expect(Self.withoutIDs(east.export).count == people)

        #expect(try await east.stop() == 0)
        #expect(try await west.stop() == 0)
    }

    /// The export's rows without their id column, sorted: who has which emails and accounts.
    static func withoutIDs(_ export: String) -> [String] {
        export.split(separator: "\n").dropFirst().map { line in
            String(line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).last ?? "")
        }.sorted()
    }
}
