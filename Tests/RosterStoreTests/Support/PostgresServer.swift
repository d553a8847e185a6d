import Foundation
import Synchronization
import Testing

@testable import RosterStore

/// A real PostgreSQL server for the store tests, and a fresh database on it for each test.
///
/// CI may start one server and name it in `ROSTER_TEST_POSTGRES_URL`; otherwise the first test
/// that needs one starts a private server with `scripts/pg-test-server.sh` (from Debian's
/// `postgresql` package), shared by every test of the process and stopped when it exits. Each
/// test gets its own database, so tests run in parallel without seeing each other's rows.
enum PostgresServer {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// The URL of a new, empty database.
    static func freshDatabase() throws -> String {
        let server = try shared.get()
        let name = "roster_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try server.admin.executeOutsideTransaction("CREATE DATABASE \(name)")
        return url(server.url, database: name)
    }

    /// The URL of the server's own `roster_test` database; tests shouldn't write into it.
    static func serverURL() throws -> String {
        try shared.get().url
    }

    private struct Server: Sendable {
        let url: String
        let admin: PostgresDatabase
    }

    /// Started once, on first use; a failure is kept and reported to every test that asks.
    private static let shared: Result<Server, Unavailable> = {
        do {
            let url = try ProcessInfo.processInfo.environment["ROSTER_TEST_POSTGRES_URL"] ?? start()
            return .success(Server(url: url, admin: try PostgresDatabase(url: url, poolSize: 2)))
        } catch let error as Unavailable {
            return .failure(error)
        } catch {
            return .failure(Unavailable(description: "Can't use the test PostgreSQL server: \(error)"))
        }
    }()

    /// The folder of the server this process started, for the exit handler to stop it.
    private static let startedDirectory = Mutex<String?>(nil)

    private static func start() throws -> String {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = repository.appendingPathComponent("scripts/pg-test-server.sh").path
        // Short and under /tmp: a unix socket path must fit in 107 bytes, and the server runs as
        // the `postgres` user when the tests run as root, so every parent must be searchable.
        var template = Array("/tmp/roster-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Unavailable(description: "Can't create a folder for the test PostgreSQL server in /tmp.")
        }
        let directory = String(cString: made)
        scriptPathStorage.withLock { $0 = script }
        startedDirectory.withLock { $0 = directory }
        atexit {
            guard let directory = PostgresServer.startedDirectory.withLock({ $0 }) else { return }
            _ = system("'\(PostgresServer.scriptPath)' stop '\(directory)' >/dev/null 2>&1")
        }

        // Files, not pipes: the server started by the script inherits the pipes' other descriptors
        // and would keep them open, so reading them to the end would never return.
        let output = directory + ".url"
        let errors = directory + ".log"
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: errors)
        }
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "start", directory]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try process.run()
        process.waitUntilExit()
        let url = try String(contentsOfFile: output, encoding: .utf8)
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw Unavailable(
                description: "Can't start a test PostgreSQL server with \(script) (exit status "
                    + "\(process.terminationStatus)): \(message) "
                    + "Install the server with `apt-get install postgresql`, or set ROSTER_TEST_POSTGRES_URL "
                    + "to a server the tests may create databases on.")
        }
        return url.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let scriptPathStorage = Mutex<String>("")
    private static var scriptPath: String { scriptPathStorage.withLock { $0 } }

    /// `url` naming `database` instead: the path of a `postgresql://` URL, or a `dbname=` added
    /// to a `key=value` string (the last one wins).
    static func url(_ url: String, database: String) -> String {
        guard let scheme = url.range(of: "://") else { return url + " dbname=\(database)" }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let query = rest[authorityEnd...].firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        return String(url[..<authorityEnd]) + "/" + database + query
    }
}
