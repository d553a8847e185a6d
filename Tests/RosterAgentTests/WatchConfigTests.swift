import RosterAgent
import RosterCore
import Testing

@Suite struct WatchConfigTests {
    @Test func theWatchTableIsRead() throws {
        let config = try ConfigLoader.parse(
            """
            [watch]
            settle_ms = 40
            poll_seconds = 2.5
            rescan_seconds = 30
            max_file_size = 1000
            ignore = ["*.bak"]
            default_ignores = false
            """)
        #expect(config.watch.settleMilliseconds == 40)
        #expect(config.watch.pollSeconds == 2.5)
        #expect(config.watch.rescanSeconds == 30)
        #expect(config.watch.maxFileSize == 1000)
        #expect(config.watch.ignorePatterns == ["*.bak"])
    }

    @Test func withoutATableTheDefaultsServe() throws {
        let config = try ConfigLoader.parse("")
        #expect(config.watch == WatchSettings())
        #expect(config.watch.ignorePatterns.contains("4913"))
    }

    @Test func anUnknownKeyIsNamedWithTheClosestKnownOne() {
        #expect {
            try ConfigLoader.parse("[watch]\nsettle_msec = 10\n")
        } throws: { error in
            let text = "\(error)"
            return text.contains("roster.toml:2") && text.contains("did you mean 'settle_ms'")
        }
    }

    @Test func aBadValueIsNamedWithItsLine() {
        #expect {
            try ConfigLoader.parse("[folders]\nwatch = \"in\"\n\n[watch]\nsettle_ms = \"soon\"\n")
        } throws: { error in
            "\(error)".contains("roster.toml:5: watch.settle_ms")
        }
    }
}
