import Foundation
import Logging
import PropertyBased
import RosterAgent
import RosterCore
import RosterStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A pipeline on a fresh temporary state folder, with a drop folder beside it.
struct ScratchPipeline {
    let root: String
    let drop: String
    let state: StateLayout
    let pipeline: Pipeline

    init(maxFileSize: Int = 1 << 20) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("roster-rel-\(UUID().uuidString)").path
        drop = root + "/watch"
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        state = StateLayout(root: root + "/state")
        try state.prepare()
        pipeline = Pipeline(
            state: state, config: RosterConfig(), store: try SQLiteStore(path: state.database),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), maxFileSize: maxFileSize)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    func put(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = drop + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    func export() throws -> String {
        try pipeline.refreshOutputs()
        return try String(contentsOfFile: state.usersExport, encoding: .utf8)
    }
}

/// Runs `mount` with `arguments`; false when mounting is not possible here (not root, no mount
/// namespace), so that the test that needs it can skip.
func mount(_ arguments: [String]) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/mount")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

func unmount(_ path: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/umount")
    process.arguments = [path]
    process.standardError = FileHandle.nullDevice
    try? process.run()
    process.waitUntilExit()
}

@Suite("Reliability of the pipeline: hostile files, read-only folders, idempotence")
struct ReliabilityPipelineTests {
    @Test func aReadOnlyDropFolderKeepsTheInputAndNeverArchivesItTwice() throws {
        let scratch = try ScratchPipeline()
        defer { scratch.remove() }
        let path = try scratch.put("users.csv", Array("full_name,email\nRo Person,ro@example.com\n".utf8))
        guard mount(["--bind", scratch.drop, scratch.drop]) else {
            print("skipped: bind mounts are not available")
            return
        }
        defer { unmount(scratch.drop) }
        guard mount(["-o", "remount,ro,bind", scratch.drop]) else {
            print("skipped: read-only remounts are not available")
            return
        }

        // Applied, but it can't leave the drop folder: that is an error to retry, not a success.
        // (The bind mount is another file system to link(): the archive copy is made by copying, and
        // taken back when the input can't be removed.)
        #expect(throws: FileError.self) { try scratch.pipeline.ingest(path: path, disposition: .move) }
        #expect(FileManager.default.fileExists(atPath: path))
        // Retries never pile up copies of the same input.
        for _ in 0..<3 {
            #expect(throws: FileError.self) { try scratch.pipeline.ingest(path: path, disposition: .move) }
        }
        #expect(scratch.names(scratch.state.archive).count <= 1)
        #expect(try scratch.export().components(separatedBy: "ro@example.com").count == 2)

        // Once the folder is writable again the file leaves, applied once.
        unmount(scratch.drop)
        let outcome = try scratch.pipeline.ingest(path: path, disposition: .move)
        guard case .alreadyApplied = outcome.status else {
            Issue.record("expected already applied: \(outcome.line)")
            return
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(scratch.names(scratch.state.archive) == ["users.csv"])
    }

    @Test func aFIFOIsRefusedWhereItIsWithoutBlocking() throws {
        let scratch = try ScratchPipeline()
        defer { scratch.remove() }
        let path = scratch.drop + "/pipe.csv"
        #expect(mkfifo(path, 0o644) == 0)
        let outcome = try scratch.pipeline.ingest(path: path, disposition: .move)
        guard case .rejected(let reason, _) = outcome.status else {
            Issue.record("expected rejected: \(outcome.line)")
            return
        }
        #expect(reason.contains("not a regular file"))
        #expect(outcome.keptAt == nil)
        #expect(scratch.names(scratch.state.rejected).isEmpty)
        #expect(scratch.names(scratch.drop) == ["pipe.csv"])
    }

    @Test func aDirectoryIsRefusedWhereItIs() throws {
        let scratch = try ScratchPipeline()
        defer { scratch.remove() }
        let path = scratch.drop + "/x.csv"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let outcome = try scratch.pipeline.ingest(path: path, disposition: .move)
        #expect(outcome.isRejected)
        #expect(outcome.keptAt == nil)
        #expect(scratch.names(scratch.drop) == ["x.csv"])
    }

    @Test(.enabled(if: geteuid() != 0, "root reads files without read permission"))
    func aFileWithoutReadPermissionIsRefusedWhereItIs() throws {
        let scratch = try ScratchPipeline()
        defer { scratch.remove() }
        let path = try scratch.put("locked.csv", Array("full_name,email\nL,l@example.com\n".utf8))
        chmod(path, 0)
        let outcome = try scratch.pipeline.ingest(path: path, disposition: .move)
        guard case .rejected(let reason, _) = outcome.status else {
            Issue.record("expected rejected: \(outcome.line)")
            return
        }
        #expect(reason.contains("permission denied"))
        #expect(outcome.keptAt == nil)
        #expect(scratch.names(scratch.drop) == ["locked.csv"])
    }

    @Test func aFileOverTheSizeCapIsRefusedWithTheLimitAndTheFix() throws {
        let scratch = try ScratchPipeline(maxFileSize: 1_000)
        defer { scratch.remove() }
        let path = try scratch.put("big.csv", Array(repeating: UInt8(ascii: "x"), count: 1_001))
        let outcome = try scratch.pipeline.ingest(path: path, disposition: .move)
        guard case .rejected(let reason, _) = outcome.status else {
            Issue.record("expected rejected: \(outcome.line)")
            return
        }
        #expect(reason.contains("over the limit of 1000"))
        #expect(reason.contains("max_file_size"))
        #expect(try scratch.export() == "id,full_name,email,other_emails\n")
    }

    @Test func theStoreIsNotReadableByOtherUsersWhateverTheUmask() throws {
        let scratch = try ScratchPipeline()
        defer { scratch.remove() }
        _ = try scratch.pipeline.ingest(
            path: try scratch.put("u.csv", Array("full_name,email\nU,u@example.com\n".utf8)), disposition: .move)
        for file in ["roster.sqlite", "roster.sqlite-wal", "roster.sqlite-shm"] {
            var info = stat()
            #expect(stat(scratch.state.root + "/" + file, &info) == 0)
            #expect(info.st_mode & 0o007 == 0, "\(file): \(String(info.st_mode, radix: 8))")
        }
    }

    // MARK: - Idempotence

    /// Names that stress the CSV layer and the formula guard; some are invalid (control characters,
    /// blank), which makes the whole file a refusal.
    static let namePieces = [
        "Jane", "Doe", " ", ",", "\"", "'", "=", "+", "-", "@", "é", "e\u{301}", "日本", "😀", "\n", "\r\n", ";",
        "\u{202E}", "\t",
    ]

    static let table = Gen.int(in: 0...(namePieces.count - 1)).array(of: 0...4)
        .map { indices in indices.map { namePieces[$0] }.joined() }
        .array(of: 1...6)

    @Test func ingestIsIdempotentAndTheExportReadsBackUnchanged() async throws {
        await propertyCheck(count: 40, input: Self.table) { names in
            let scratch = try ScratchPipeline()
            defer { scratch.remove() }
            var rows: [[String]] = [["full_name", "email"]]
            for (index, name) in names.enumerated() { rows.append([name, "p\(index)@example.com"]) }
            let bytes = Array(rows.map { CSVWriter.line($0) + "\n" }.joined().utf8)

            let first = try scratch.pipeline.ingest(path: try scratch.put("a.csv", bytes), disposition: .move)
            let exportAfterFirst = try scratch.export()
            // The same bytes again, under another name, change nothing.
            let second = try scratch.pipeline.ingest(path: try scratch.put("b.csv", bytes), disposition: .move)
            #expect(try scratch.export() == exportAfterFirst)
            switch first.status {
            case .applied:
                guard case .alreadyApplied = second.status else {
                    Issue.record("applied twice: \(second.line)")
                    return
                }
            case .rejected:
                #expect(second.isRejected)
                #expect(exportAfterFirst == "id,full_name,email,other_emails\n")
                return
            case .alreadyApplied:
                Issue.record("a fresh store found the file applied")
                return
            }
            // The export, dropped back in, changes nothing, and exporting again gives the same bytes.
            let again = try scratch.pipeline.ingest(
                path: try scratch.put("users-export.csv", Array(exportAfterFirst.utf8)), disposition: .move)
            switch again.status {
            case .applied(let summary):
                #expect(!summary.changed, "re-ingesting the export changed the store: \(again.line)")
            case .alreadyApplied:
                break
            case .rejected(let reason, _):
                Issue.record("the export was rejected: \(reason)")
            }
            #expect(try scratch.export() == exportAfterFirst)
        }
    }
}
