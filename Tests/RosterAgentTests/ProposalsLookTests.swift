import Testing

@testable import RosterAgent

/// How often the agent looks at the proposal files for edited decisions.
@Suite struct ProposalsLookTests {
    let second: UInt64 = 1_000_000_000

    @Test func aSmallFolderIsLookedAtEveryTick() {
        // A millisecond's listing: due again long before the next two-second tick.
        let now = 50 * second
        #expect(WatchLoop.nextLook(at: now, listing: second / 1000) < now + 2 * second)
    }

    @Test func aLargeFolderIsLookedAtLessOften() {
        // A 0.4 s listing: due again 7.6 s later, so looking takes a twentieth of the time.
        let now = 50 * second
        let due = WatchLoop.nextLook(at: now, listing: 4 * second / 10)
        #expect(due == now + 76 * second / 10)
        #expect(WatchLoop.nextLook(at: now, listing: UInt64.max / 2) == .max, "no overflow back to the past")
    }
}
