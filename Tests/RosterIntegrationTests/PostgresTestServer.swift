import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real PostgreSQL server for the tests that run the binary, and a fresh database for each.
///
/// `ROSTER_TEST_POSTGRES_URL` names one when CI started it; otherwise the first test that needs
/// one starts a private server on a unix socket with `scripts/pg-test-server.sh` (Debian's
/// `postgresql` package), stopped when the test process exits.
enum PostgresTestServer {
    /// The URL of a new, empty database on the server.
    static func freshDatabase() throws -> String {
        let server = try shared.get()
        let name = "roster_it_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try run(["psql", "--no-psqlrc", "--quiet", "--dbname", server, "--command", "CREATE DATABASE \(name)"])
        return replacingDatabase(in: server, with: name)
    }

    /// A server of the test's own, for a test that stops and starts it: (URL of its `roster_test`
    /// database, its folder for ``down(_:)``, ``up(_:)`` and ``remove(_:)``).
    static func privateServer() throws -> (url: String, folder: String) {
        var template = Array("/tmp/roster-pgown-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Unavailable(description: "mkdtemp failed") }
        let folder = String(cString: made)
        let url = try run(["/bin/bash", script, "start", folder])
        return (url.trimmingCharacters(in: .whitespacesAndNewlines), folder)
    }

    /// Stops a private server, keeping its data.
    static func down(_ folder: String) throws { try run(["/bin/bash", script, "down", folder]) }

    /// Starts a private server again.
    static func up(_ folder: String) throws { try run(["/bin/bash", script, "start", folder]) }

    /// Stops a private server and removes its folder.
    static func remove(_ folder: String) { _ = try? run(["/bin/bash", script, "stop", folder]) }

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    private static let shared: Result<String, Unavailable> = {
        if let url = ProcessInfo.processInfo.environment["ROSTER_TEST_POSTGRES_URL"] { return .success(url) }
        var template = Array("/tmp/roster-pgit-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return .failure(Unavailable(description: "mkdtemp failed")) }
        let directory = String(cString: made)
        startedDirectory.withLock { $0 = directory }
        atexit {
            guard let directory = PostgresTestServer.startedDirectory.withLock({ $0 }) else { return }
            _ = system("'\(PostgresTestServer.script)' stop '\(directory)' >/dev/null 2>&1")
        }
        do {
            let url = try run(["/bin/bash", script, "start", directory])
            return .success(url.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            return .failure(
                Unavailable(
                    description:
                        "Can't start a test PostgreSQL server (\(error)). Install it with `apt-get install postgresql`, or set ROSTER_TEST_POSTGRES_URL."
                ))
        }
    }()

    private static let startedDirectory = Mutex<String?>(nil)

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/pg-test-server.sh").path
    }

    /// Runs a command, its output to files (a server it starts must not hold a pipe open).
    @discardableResult
    private static func run(_ arguments: [String]) throws -> String {
        let base = NSTemporaryDirectory() + "roster-pgit-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let errors = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            throw Unavailable(description: "\(arguments.joined(separator: " ")) failed: \(errors)")
        }
        return output
    }

    /// `url` with its database (the URL's path) replaced by `name`.
    static func replacingDatabase(in url: String, with name: String) -> String {
        guard let scheme = url.range(of: "://") else { return url + " dbname=\(name)" }
        let rest = url[scheme.upperBound...]
        let pathStart = rest.firstIndex(of: "/") ?? rest.endIndex
        let queryStart = rest[pathStart...].firstIndex(of: "?") ?? rest.endIndex
        return String(url[..<scheme.upperBound]) + rest[..<pathStart] + "/" + name + rest[queryStart...]
    }
}
