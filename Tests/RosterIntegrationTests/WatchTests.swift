import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `roster watch` on real folders: files dropped in every usual way are applied exactly once.
@Suite(.serialized) struct WatchTests {
    @Test func aFileWrittenAndClosedInTheFolderIsApplied() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        try agent.write("users.csv", WatchHarness.users(0..<3))
        try await agent.eventually("the file to be archived") { agent.archived == ["users.csv"] }
        try await agent.eventually("the export") { agent.exportRows.count == 3 }
        #expect(agent.names(in: agent.watch).isEmpty)
        #expect(try await agent.stop() == 0)
    }

    /// A command run beside the agent (`roster status`, `explain`, …) closes its own connection
    /// when it ends. Had the agent lost its locks on the database file, that command would take
    /// itself for the last user of the store, and fold in and delete the write-ahead log the agent
    /// still writes to: what the agent applied afterwards would be seen by no other process and
    /// lost at its next start.
    @Test func whatTheAgentAppliesAfterACommandRanBesideItStaysInTheStore() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        try agent.drop("first.csv", WatchHarness.users(0..<2))
        try await agent.eventually("the first file") { agent.exportRows.count == 2 }
        #expect(try agent.command(["status"]).contains("Files applied:         1"))
        try agent.drop("second.csv", WatchHarness.users(2..<5))
        try await agent.eventually("the second file") { agent.exportRows.count == 5 }
        #expect(try agent.command(["status"]).contains("Files applied:         2"), "seen by another process")
        #expect(try await agent.stop() == 0)
        #expect(try agent.command(["status"]).contains("People:                5"), "kept after the agent stopped")
    }

    @Test func aFileRenamedIntoTheFolderIsApplied() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        try agent.drop("users.csv", WatchHarness.users(0..<2))
        try await agent.eventually("the export") { agent.exportRows.count == 2 }
        #expect(agent.archived == ["users.csv"])
        #expect(try await agent.stop() == 0)
    }

    @Test func aFilePresentBeforeStartIsApplied() async throws {
        let agent = try WatchHarness()
        try FileManager.default.createDirectory(atPath: agent.watch, withIntermediateDirectories: true)
        try agent.write("early.csv", WatchHarness.users(0..<4))
        try agent.start()
        try await agent.eventually("the export") { agent.exportRows.count == 4 }
        #expect(agent.archived == ["early.csv"])
        #expect(try await agent.stop() == 0)
    }

    @Test func aBurstOfAThousandFilesIsAppliedOnce() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        for index in 0..<1000 {
            try agent.drop("burst-\(index).csv", WatchHarness.users(index..<(index + 1)))
        }
        try await agent.eventually("all files to be archived", timeout: .seconds(120)) {
            agent.archived.count >= 1000
        }
        try await agent.eventually("the export") { agent.exportRows.count == 1000 }
        #expect(agent.archived.count == 1000)
        #expect(agent.rejected.isEmpty)
        #expect(Set(agent.exportRows).count == 1000)
        #expect(try await agent.stop() == 0)
    }

    @Test func aFileWrittenSlowlyInPiecesIsTakenOnceComplete() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        let text = WatchHarness.users(0..<40)
        let fd = open("\(agent.watch)/slow.csv", O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        let bytes = Array(text.utf8)
        for chunk in stride(from: 0, to: bytes.count, by: bytes.count / 8 + 1) {
            let piece = Array(bytes[chunk..<min(chunk + bytes.count / 8 + 1, bytes.count)])
            _ = piece.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            try await Task.sleep(for: .milliseconds(150))
        }
        close(fd)
        try await agent.eventually("the export") { agent.exportRows.count == 40 }
        #expect(agent.archived == ["slow.csv"])
        let kept = try String(contentsOfFile: "\(agent.state)/archive/slow.csv", encoding: .utf8)
        #expect(kept == text)
        #expect(try await agent.stop() == 0)
    }

    @Test func editorNoiseIsIgnored() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        for noise in ["4913", "x.csv~", ".x.csv.swp"] {
            try agent.write(noise, WatchHarness.users(0..<1, prefix: "noise"))
        }
        try agent.drop("x.csv", WatchHarness.users(0..<1))
        try await agent.eventually("the real file") { agent.archived == ["x.csv"] }
        #expect(agent.names(in: agent.watch) == [".x.csv.swp", "4913", "x.csv~"])
        #expect(agent.rejected.isEmpty)
        #expect(try await agent.stop() == 0)
    }

    @Test func aSymlinkAFIFOAndADirectoryAreRefusedWithoutHarm() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        let outside = "\(agent.root)/outside.csv"
        let outsideText = WatchHarness.users(0..<5, prefix: "outside")
        try outsideText.write(toFile: outside, atomically: false, encoding: .utf8)
        #expect(symlink(outside, "\(agent.watch)/link.csv") == 0)
        #expect(mkfifo("\(agent.watch)/fifo.csv", 0o644) == 0)
        #expect(mkdir("\(agent.watch)/x.csv", 0o755) == 0)
        // A directory named x.csv receiving a file: nothing recurses into it.
        try agent.write("x.csv/inner.csv", WatchHarness.users(0..<1, prefix: "inner"))
        try agent.drop("good.csv", WatchHarness.users(0..<1))
        try await agent.eventually("the good file") { agent.archived == ["good.csv"] }
        try await agent.eventually("the symlink to be refused") { !agent.names(in: agent.watch).contains("link.csv") }
        #expect(agent.rejected.contains("link.csv"))
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == outsideText)
        #expect(agent.names(in: agent.watch) == ["fifo.csv", "x.csv"])
        try await agent.eventually("the export") { agent.exportRows.count == 1 }
        #expect(agent.stderr.contains("not a regular file"))
        #expect(try await agent.stop() == 0)
    }

    @Test func aRejectedFileFixedAndDroppedAgainIsApplied() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        try agent.drop("fix.csv", "full_name,email\nJane,not-an-email\n")
        try await agent.eventually("the rejection") { agent.rejected.contains("fix.csv.errors.csv") }
        try agent.drop("fix.csv", "full_name,email\nJane,jane@example.com\n")
        try await agent.eventually("the fixed file") { agent.archived == ["fix.csv"] }
        try await agent.eventually("the export") { agent.exportRows.count == 1 }
        #expect(try await agent.stop() == 0)
    }

    @Test func killedDuringALargeIngestTheFileIsAppliedOnceAfterRestart() async throws {
        let agent = try WatchHarness()
        try agent.start(["--log-level", "debug"])
        try await agent.waitUntilWatching()
        let rows = 60_000
        try agent.drop("large.csv", WatchHarness.users(0..<rows))
        try await agent.eventually("the ingest to start") { agent.stderr.contains("Taking file") }
        try await Task.sleep(for: .milliseconds(150))
        try await agent.killHard()
        try agent.start()
        try await agent.eventually("the file to be archived", timeout: .seconds(120)) {
            agent.archived == ["large.csv"]
        }
        try await agent.eventually("the export") { agent.exportRows.count == rows }
        #expect(agent.names(in: agent.watch).isEmpty)
        #expect(Set(agent.exportRows).count == rows)
        #expect(try await agent.stop() == 0)
        // The store agrees with the export after yet another restart.
        try agent.start()
        try await agent.waitUntilWatching()
        #expect(try await agent.stop() == 0)
        #expect(agent.exportRows.count == rows)
    }

    @Test func aReCreatedDropFolderIsWatchedAgain() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        try FileManager.default.removeItem(atPath: agent.watch)
        try await agent.eventually("the folder to be missed") { agent.stderr.contains("waiting for it to come back") }
        try FileManager.default.createDirectory(atPath: agent.watch, withIntermediateDirectories: false)
        try await agent.eventually("the rescan") { agent.stderr.contains("re-created") }
        try agent.drop("again.csv", WatchHarness.users(0..<2))
        try await agent.eventually("the export") { agent.exportRows.count == 2 }
        #expect(agent.archived == ["again.csv"])
        #expect(try await agent.stop() == 0)
    }

    @Test func sigtermStopsWithStatusZero() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        #expect(try await agent.stop() == 0)
        #expect(agent.stderr.contains("Stopped watching"))
    }

    @Test func sighupWithABrokenConfigKeepsTheOldOne() async throws {
        let agent = try WatchHarness()
        let config = "\(agent.root)/roster.toml"
        try "[watch]\nsettle_ms = 10\n".write(toFile: config, atomically: true, encoding: .utf8)
        try agent.start(["--config", config])
        try await agent.waitUntilWatching()
        try "[watch]\nsettle_ms = \"never\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        agent.signal(SIGHUP)
        try await agent.eventually("the bad config to be reported") {
            agent.stderr.contains("Can't reload the configuration")
        }
        #expect(agent.stderr.contains("settle_ms"))
        try agent.drop("after.csv", WatchHarness.users(0..<2))
        try await agent.eventually("the export") { agent.exportRows.count == 2 }
        #expect(try await agent.stop() == 0)
    }

    @Test func anUnwritableDropFolderIsAClearError() async throws {
        let agent = try WatchHarness()
        try "not a folder".write(toFile: agent.watch, atomically: false, encoding: .utf8)
        try agent.start()
        let process = try #require(agent.process)
        process.waitUntilExit()
        #expect(process.terminationStatus == 70)
        #expect(agent.stderr.contains("it is not a directory"))
    }

    @Test func aDeletedStateFolderStopsTheAgentWithAClearError() async throws {
        let agent = try WatchHarness()
        try agent.start()
        try await agent.waitUntilWatching()
        try agent.drop("users.csv", WatchHarness.users(0..<2))
        try await agent.eventually("the export") { agent.exportRows.count == 2 }
        // Moved away whole, as a removal looks to the agent, without racing its writes.
        #expect(rename(agent.state, agent.root + "/state.removed") == 0)
        let process = try #require(agent.process)
        try await agent.eventually("the agent to stop") { !process.isRunning }
        #expect(process.terminationStatus == 70)
        #expect(agent.stderr.contains("was deleted while the agent had it open"))
    }
}
