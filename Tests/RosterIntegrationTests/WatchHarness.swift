import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the real `roster watch` on temporary `watch/` and `state/` folders.
final class WatchHarness {
    let root: String
    var watch: String { "\(root)/watch" }
    var state: String { "\(root)/state" }
    var stderrPath: String { "\(root)/stderr.log" }
    private(set) var process: Process?

    init() throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("roster-watch-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw HarnessError("mkdtemp failed") }
        root = String(cString: made)
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The `roster` executable built beside the test bundle.
    static var executable: String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let beside = exe.appendingPathComponent("roster").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.appendingPathComponent(".build/debug/roster").path
    }

    /// Starts the agent; `arguments` come after `watch --watch … --state …`.
    func start(_ arguments: [String] = [], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["watch", "--watch", watch, "--state", state] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.merge(environment) { $1 }
        process.environment = env
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    /// Runs another `roster` command on the same state folder, beside the agent; its output.
    func command(_ arguments: [String]) throws -> String {
        try RosterRunner(in: URL(fileURLWithPath: root)).run(arguments + ["--state", state]).stdout
    }

    /// Sends SIGTERM and returns the exit status.
    func stop() async throws -> Int32 {
        guard let process else { throw HarnessError("not started") }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning {
            if ContinuousClock.now > deadline { throw HarnessError("the agent did not stop after SIGTERM") }
            try await Task.sleep(for: .milliseconds(20))
        }
        self.process = nil
        return process.terminationStatus
    }

    func signal(_ number: Int32) {
        if let process { kill(process.processIdentifier, number) }
    }

    func killHard() async throws {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        self.process = nil
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func names(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    var archived: [String] { names(in: "\(state)/archive") }
    var rejected: [String] { names(in: "\(state)/rejected") }
    var export: String { (try? String(contentsOfFile: "\(state)/exports/users.csv", encoding: .utf8)) ?? "" }
    var exportRows: [Substring] { export.split(separator: "\n").dropFirst().map { $0 } }

    /// Writes `text` straight into the drop folder (open, write, close).
    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(watch)/\(name)", atomically: false, encoding: .utf8)
    }

    /// Writes `text` under a dot-name in the drop folder and renames it into place.
    func drop(_ name: String, _ text: String) throws {
        let staging = "\(watch)/.\(name).staging"
        try text.write(toFile: staging, atomically: false, encoding: .utf8)
        guard rename(staging, "\(watch)/\(name)") == 0 else { throw HarnessError("rename failed") }
    }

    /// Waits until `condition` holds, polling; fails the test after `timeout`.
    func eventually(
        _ what: String, timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try !condition() {
            if ContinuousClock.now > deadline {
                Issue.record(
                    "Timed out waiting for \(what). stderr:\n\(stderr.suffix(3000))", sourceLocation: sourceLocation)
                throw HarnessError("timed out waiting for \(what)")
            }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Waits for the agent to be ready: the watch is set and the folder scanned.
    func waitUntilWatching() async throws {
        try await eventually("the agent to start watching") { stderr.contains("Watching the drop folder") }
    }

    static func users(_ range: Range<Int>, prefix: String = "person") -> String {
        "full_name,email\n" + range.map { "Person \($0),\(prefix)\($0)@example.com\n" }.joined()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
