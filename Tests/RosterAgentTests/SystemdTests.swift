import Foundation
import RosterAgent
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct SystemdTests {
    @Test func journaldIsDetectedWhenJournalStreamNamesStandardError() {
        var info = stat()
        #expect(fstat(2, &info) == 0)
        let matching = "\(info.st_dev):\(info.st_ino)"
        #expect(JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": matching]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "1:\(info.st_ino &+ 1)"]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: [:]))
    }

    @Test func theNotifierIsANoOpWithoutASocket() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(!notifier.send(["READY=1"]))
        #expect(notifier.watchdogInterval == nil)
    }

    @Test func theWatchdogIntervalIsHalfOfWatchdogUsec() {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "\(getpid())"])
        #expect(notifier.watchdogInterval == .seconds(2))
        let other = SystemdNotifier(environment: ["WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "1"])
        #expect(other.watchdogInterval == nil)
    }
}
