import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The systemd notify protocol, with a datagram socket in the test standing in for systemd.
@Suite struct WatchNotifyTests {
    /// A bound `AF_UNIX` datagram socket.
    final class FakeSystemd {
        let path: String
        let fd: Int32

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { throw HarnessError("bind failed") }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            unlink(path)
        }

        /// Receives datagrams into `messages` until `done` holds of them; fails after a minute.
        func collect(_ messages: inout [String], until done: ([String]) -> Bool) throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while !done(messages) {
                if ContinuousClock.now > deadline { throw HarnessError("missing datagrams; got \(messages)") }
                if let message = receive() { messages.append(message) }
            }
        }

        /// The next datagram, or nil after the receive timeout.
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            return String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }

    @Test func readyStatusWatchdogAndStoppingAreSent() async throws {
        let agent = try WatchHarness()
        let systemd = try FakeSystemd(path: "\(agent.root)/notify.sock")
        try agent.start(environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "200000"])
        var messages: [String] = []
        try systemd.collect(&messages) { $0.contains("READY=1") }
        try agent.drop("users.csv", WatchHarness.users(0..<2))
        try systemd.collect(&messages) { list in
            list.contains { $0.hasPrefix("STATUS=") && $0.contains("users.csv") }
                && list.filter { $0 == "WATCHDOG=1" }.count >= 2
        }
        #expect(messages.contains { $0.hasPrefix("STATUS=") && $0.contains("backlog") })
        let status = try await agent.stop()
        #expect(status == 0)
        try systemd.collect(&messages) { $0.contains("STOPPING=1") }
        let ready = try #require(messages.firstIndex(of: "READY=1"))
        let stopping = try #require(messages.firstIndex(of: "STOPPING=1"))
        #expect(ready < stopping)
    }

    @Test func anAbstractSocketNameIsUsed() async throws {
        let agent = try WatchHarness()
        // Bind an abstract socket: a leading NUL byte in sun_path.
        let name = "roster-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = [UInt8(0)] + Array(name.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try agent.start(environment: ["NOTIFY_SOCKET": "@\(name)"])
        var received: [String] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while !received.contains("READY=1"), ContinuousClock.now < deadline {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { received.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
        }
        #expect(received.contains("READY=1"))
        #expect(try await agent.stop() == 0)
    }

    @Test func statusSaysWhileTheStoreIsUnavailableAndFilesWait() async throws {
        let server = try PostgresTestServer.privateServer()
        defer { PostgresTestServer.remove(server.folder) }
        let agent = try WatchHarness()
        let systemd = try FakeSystemd(path: "\(agent.root)/notify.sock")
        try agent.start(["--store", server.url], environment: ["NOTIFY_SOCKET": systemd.path])
        var messages: [String] = []
        try systemd.collect(&messages) { $0.contains("READY=1") }
        try PostgresTestServer.down(server.folder)
        try agent.drop("users.csv", WatchHarness.users(0..<2))
        try systemd.collect(&messages) { list in
            list.contains { $0.hasPrefix("STATUS=") && $0.contains("store unavailable, 1 file(s) waiting") }
        }
        #expect(agent.archived.isEmpty)
        try PostgresTestServer.up(server.folder)
        try await agent.eventually("the file applied once the store is back") { agent.archived == ["users.csv"] }
        let back = messages.count
        try systemd.collect(&messages) { list in
            list[back...].contains { $0.hasPrefix("STATUS=") && $0.contains("users.csv") }
        }
        #expect(!(messages.last { $0.hasPrefix("STATUS=") } ?? "").contains("unavailable"))
        #expect(try await agent.stop() == 0)
    }
}
