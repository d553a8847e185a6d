import RosterAgent
import Testing

@Suite struct SettleTrackerTests {
    static let ms: UInt64 = 1_000_000

    func signature(size: Int64 = 10, modified: Int64 = 0) -> FileSignature {
        FileSignature(device: 1, inode: 2, size: size, modified: modified, isRegular: true, isSymlink: false)
    }

    func tracker(trustModificationTimes: Bool = false) -> SettleTracker {
        SettleTracker(
            settleNanoseconds: 25 * Self.ms, scanQuietNanoseconds: 1000 * Self.ms,
            trustModificationTimes: trustModificationTimes)
    }

    @Test func aFileAnnouncedByAnEventSettlesAfterTheWindow() {
        var tracker = tracker()
        let sig = signature()
        tracker.note("a.csv", signature: sig, origin: .event, now: 0)
        let early = tracker.settled(now: 10 * Self.ms, wallNow: 0) { _ in sig }
        #expect(early.names.isEmpty)
        #expect(early.nextCheck == 25 * Self.ms)
        let late = tracker.settled(now: 25 * Self.ms, wallNow: 0) { _ in sig }
        #expect(late.names == ["a.csv"])
    }

    @Test func aGrowingFileStartsItsWindowAgain() {
        var tracker = tracker()
        tracker.note("a.csv", signature: signature(size: 10), origin: .event, now: 0)
        let grown = tracker.settled(now: 30 * Self.ms, wallNow: 0) { _ in signature(size: 20) }
        #expect(grown.names.isEmpty)
        #expect(grown.nextCheck == 55 * Self.ms)
        let done = tracker.settled(now: 55 * Self.ms, wallNow: 0) { _ in signature(size: 20) }
        #expect(done.names == ["a.csv"])
    }

    @Test func aFileFoundByAScanWaitsLongerUnlessItIsOld() {
        var tracker = tracker(trustModificationTimes: true)
        let now: Int64 = 1_000_000 * Int64(Self.ms)
        let fresh = signature(modified: now - 5 * Int64(Self.ms))
        let old = FileSignature(
            device: 1, inode: 3, size: 5, modified: now - 60_000 * Int64(Self.ms), isRegular: true, isSymlink: false)
        tracker.note("fresh.csv", signature: fresh, origin: .scan, now: 0)
        tracker.note("old.csv", signature: old, origin: .scan, now: 0)
        let first = tracker.settled(now: 30 * Self.ms, wallNow: now) { $0 == "old.csv" ? old : fresh }
        #expect(first.names == ["old.csv"])
        let second = tracker.settled(now: 1000 * Self.ms, wallNow: now) { $0 == "old.csv" ? old : fresh }
        #expect(second.names == ["fresh.csv", "old.csv"])
    }

    @Test func filesSettleInArrivalOrderAndGoneFilesAreForgotten() {
        var tracker = tracker()
        for name in ["c.csv", "a.csv", "b.csv"] {
            tracker.note(name, signature: signature(), origin: .event, now: 0)
        }
        let result = tracker.settled(now: 100 * Self.ms, wallNow: 0) { $0 == "a.csv" ? nil : signature() }
        #expect(result.names == ["c.csv", "b.csv"])
        #expect(tracker.count == 2)
    }

    @Test func aDuplicateEventDoesNotAddTheFileTwice() {
        var tracker = tracker()
        tracker.note("a.csv", signature: signature(), origin: .event, now: 0)
        tracker.note("a.csv", signature: signature(), origin: .event, now: 10 * Self.ms)
        #expect(tracker.count == 1)
        #expect(tracker.settled(now: 25 * Self.ms, wallNow: 0) { _ in signature() }.names == ["a.csv"])
    }

    @Test func aPostponedFileWaits() {
        var tracker = tracker()
        tracker.note("a.csv", signature: signature(), origin: .event, now: 0)
        tracker.postpone("a.csv", until: 500 * Self.ms)
        #expect(tracker.settled(now: 100 * Self.ms, wallNow: 0) { _ in signature() }.names.isEmpty)
        #expect(tracker.settled(now: 500 * Self.ms, wallNow: 0) { _ in signature() }.names == ["a.csv"])
    }
}

@Suite struct IgnoreRulesTests {
    let rules = IgnoreRules(
        patterns: ["*.bak"] + ["4913", ".*", "*~", "*.swp", "*.swx", "*.tmp", "*.part", "*.crdownload", "~$*"])

    @Test(arguments: [
        "4913", "x.csv~", ".x.csv.swp", ".x.csv.swx", "x.swp", "download.part", "a.crdownload", "~$book.xlsx",
        ".hidden.csv", "data.tmp", "old.bak",
    ])
    func editorAndDownloadNoiseIsIgnored(name: String) {
        #expect(rules.ignores(name))
    }

    @Test(arguments: ["users.csv", "4913.csv", "x.csv.backup", "github-export.csv", "a~b.csv"])
    func inputsAreNotIgnored(name: String) {
        #expect(!rules.ignores(name))
    }
}
