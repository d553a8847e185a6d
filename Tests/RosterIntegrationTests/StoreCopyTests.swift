import Foundation
import Testing

@Suite("roster store copy")
struct StoreCopyTests {
    @Test(arguments: SharedStoreEngine.allCases)
    func aRosterCopiedAndBackGivesTheSameExportsAndHistory(engine: SharedStoreEngine) throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.write("github.csv", ProposalsCommandTests.github)
        try roster.write("jira.csv", ProposalsCommandTests.jira)
        #expect(try roster.run(["ingest", "github.csv", "jira.csv"]).status == 0)
        #expect(try roster.run(["proposals", "accept", "P-000001"]).status == 0)
        let users = try roster.read("state/exports/users.csv")
        let explained = try roster.run(["explain", "jira:j-1"]).stdout

        let other = try engine.storeURL(beside: roster.folder.path)
        let there = try roster.run(["store", "copy", "--from", "state/roster.sqlite", "--to", other])
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stdout.contains("both sides checked equal"))
        #expect(there.stdout.contains("audit: "))
        let refused = try roster.run(["store", "copy", "--from", "state/roster.sqlite", "--to", other])
        #expect(refused.status == 70)
        #expect(refused.stderr.contains("not empty"))

        // The copy serves as the store: same export, same history, and ids continue after the copied ones.
        #expect(try roster.run(["export", "--store", other, "--state", "copied", "--out", "copied.csv"]).status == 0)
        #expect(try roster.read("copied.csv") == users)
        #expect(try roster.run(["explain", "--store", other, "--state", "copied", "jira:j-1"]).stdout == explained)
        try roster.write("more.csv", "full_name,email\nNew Person,new@example.com\n")
        #expect(try roster.run(["ingest", "--store", other, "--state", "copied", "more.csv"]).status == 0)
        #expect(try roster.read("copied/exports/users.csv").contains("U-000005,New Person,new@example.com"))
        // A change to someone already in the copied blocking-key index: their stored keys came
        // along, so the refresh replaces them instead of adding them again.
        try roster.write("renamed.csv", "full_name,email\nRobert Smith,bob@smith.example.org\n")
        let renamed = try roster.run(["ingest", "--store", other, "--state", "copied", "renamed.csv"])
        #expect(renamed.status == 0, "\(renamed.stderr)")
        #expect(try roster.read("copied/exports/users.csv").contains(",Robert Smith,bob@smith.example.org"))

        // And back into a new SQLite file: the same roster again.
        let back = try roster.run(["store", "copy", "--from", other, "--to", "back.sqlite"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(
            try roster.run(["export", "--store", "back.sqlite", "--state", "back", "--out", "back.csv"]).status == 0)
        #expect(try roster.read("back.csv").contains("U-000005,New Person,new@example.com"))
    }

    @Test func aMissingSourceOrAPasswordInTheURLIsRefusedWithoutTouchingAnything() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        let missing = try roster.run(["store", "copy", "--from", "nothere.sqlite", "--to", "x.sqlite"])
        #expect(missing.status == 66)
        #expect(!roster.exists("x.sqlite"))
        let secret = try roster.run(["store", "copy", "--from", "a.sqlite", "--to", "postgresql://u:pw@h/db"])
        #expect(secret.status == 64)
        #expect(secret.stderr.contains("PGPASSWORD"))
        #expect(!secret.stderr.contains("pw@"))
    }
}
