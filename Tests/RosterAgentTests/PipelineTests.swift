import Foundation
import GRDB
import Logging
import RosterAgent
import RosterCore
import RosterStore
import Testing

@Suite("The ingest pipeline on real folders and a real SQLite file")
struct PipelineTests {
    let root: String
    let state: StateLayout
    let pipeline: Pipeline

    init() throws {
        root =
            FileManager.default.temporaryDirectory.appendingPathComponent("roster-pipeline-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        state = StateLayout(root: root + "/state")
        try state.prepare()
        let store = try SQLiteStore(path: state.database)
        let fixed = Date(timeIntervalSince1970: 1_800_000_000)
        pipeline = Pipeline(
            state: state, config: RosterConfig(), store: store,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: { fixed },
            maxFileSize: 1_000)
    }

    func drop(_ name: String, _ text: String) throws -> String {
        let path = root + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func movedFilesLeaveTheDropFolderAndAreKept() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = try drop("users.csv", "full_name,email\nJane,jane@example.com\n")
        let outcome = try pipeline.ingest(path: path, disposition: .move)
        guard case .applied(let summary) = outcome.status else {
            Issue.record("not applied: \(outcome.line)")
            return
        }
        #expect(summary.peopleCreated == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(outcome.keptAt == state.archive + "/users.csv")
        let report = try String(contentsOfFile: try #require(outcome.reportFile), encoding: .utf8)
        #expect(outcome.reportFile?.hasSuffix("/20270115T080000Z-users.csv.txt") == true)
        #expect(report.contains("Outcome:    applied"))
        #expect(report.contains("line 2: created U-000001 \"Jane\" <jane@example.com>"))
    }

    @Test func alreadyAppliedContentIsArchivedWithoutChanges() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try pipeline.ingest(path: try drop("a.csv", "full_name,email\nJane,jane@example.com\n"), disposition: .move)
        let second = try pipeline.ingest(
            path: try drop("b.csv", "full_name,email\nJane,jane@example.com\n"), disposition: .move)
        guard case .alreadyApplied(let entry) = second.status else {
            Issue.record("expected already applied: \(second.line)")
            return
        }
        #expect(entry.fileName == "a.csv")
        #expect(second.keptAt == state.archive + "/b.csv")
    }

    @Test func rejectedFilesKeepTheirBytesAndGetAnErrorsFile() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = "full_name,email\nJane,not-an-email\n"
        let outcome = try pipeline.ingest(path: try drop("bad.csv", text), disposition: .move)
        #expect(outcome.isRejected)
        let kept = try #require(outcome.keptAt)
        #expect(try String(contentsOfFile: kept, encoding: .utf8) == text)
        let errors = try String(contentsOfFile: try #require(outcome.errorsFile), encoding: .utf8)
        #expect(errors.hasPrefix("line,column,value,problem,fix\n2,email,not-an-email,the email has no '@'"))
        // The temporary errors file is gone.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: state.rejected).sorted() == [
                "bad.csv", "bad.csv.errors.csv",
            ])
    }

    @Test(arguments: [
        ("empty.csv", "", "the file is empty"),
        ("other.csv", "colour,size\nred,1\n", "the header matches no known kind of file"),
        ("big.csv", String(repeating: "x", count: 2_000), "over the limit of 1000"),
    ])
    func unusableFilesAreRefusedWithAReason(name: String, text: String, reason: String) throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let outcome = try pipeline.ingest(path: try drop(name, text), disposition: .move)
        guard case .rejected(let why, _) = outcome.status else {
            Issue.record("expected rejected: \(outcome.line)")
            return
        }
        #expect(why.contains(reason))
        #expect(outcome.keptAt == state.rejected + "/" + name)
    }

    @Test func aSymbolicLinkIsNotFollowed() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = try drop("outside.txt", "full_name,email\nJane,jane@example.com\n")
        let link = root + "/link.csv"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let outcome = try pipeline.ingest(path: link, disposition: .move)
        guard case .rejected(let why, _) = outcome.status else {
            Issue.record("expected rejected: \(outcome.line)")
            return
        }
        #expect(why.contains("symbolic link"))
        #expect(FileManager.default.fileExists(atPath: target))
    }

    @Test func theExportIsWrittenAtomicallyFromTheStore() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try pipeline.ingest(
            path: try drop("u.csv", "full_name,email\nB,b@example.com\nA,a@example.com\n"), disposition: .move)
        try pipeline.refreshOutputs()
        let export = try String(contentsOfFile: state.usersExport, encoding: .utf8)
        #expect(export == "id,full_name,email,other_emails\nU-000001,B,b@example.com,\nU-000002,A,a@example.com,\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: state.exports).sorted() == [
                "accounts.csv", "users.csv",
            ])
        let mode = try FileManager.default.attributesOfItem(atPath: state.usersExport)[.posixPermissions] as? Int
        #expect(mode.map { $0 & 0o007 } == 0, "exports are not world-readable")
    }
}

@Suite("Leftovers of a killed writer")
struct StaleTemporaryTests {
    @Test func temporariesOfDeadProcessesAreRemovedAtStartAndOthersKept() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("roster-stale-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let state = StateLayout(root: root)
        try state.prepare()
        // A pid that can't be alive: above the kernel's pid_max.
        let dead = "99999999"
        let alive = String(getpid())
        let files = [
            "\(state.exports)/.users.csv.tmp-\(dead)", "\(state.archive)/.x.csv.incoming-\(dead)",
            "\(state.rejected)/.errors-\(dead)-42.tmp", "\(state.exports)/.users.csv.tmp-\(alive)",
            "\(state.exports)/.hidden-by-someone",
        ]
        for file in files { #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8))) }
        try state.prepare()
        #expect(files.map { FileManager.default.fileExists(atPath: $0) } == [false, false, false, true, true])
    }
}
