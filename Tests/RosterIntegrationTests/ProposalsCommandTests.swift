import Foundation
import Testing

@Suite("merge proposals: files, decisions, unmerge and explain")
struct ProposalsCommandTests {
    static let github = """
        account_id,login,name,email
        101,janedoe,Jane Doe,jane.doe@gmail.com
        102,bsmith,Bob Smith,bob@smith.example.org

        """
    static let jira = """
        account_id,display_name,email,active
        j-1,Jane Doe,,true
        j-2,Carol King,,true

        """

    /// A roster with one Jira account without email whose GitHub twin has one.
    func twins() throws -> RosterRunner {
        let roster = try RosterRunner()
        try roster.write("github.csv", Self.github)
        try roster.write("jira.csv", Self.jira)
        let result = try roster.run(["ingest", "github.csv", "jira.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        return roster
    }

    func personOf(_ roster: RosterRunner, _ account: String) throws -> String {
        let lines = try roster.read("state/exports/accounts.csv").split(separator: "\n")
        let parts = account.split(separator: ":")
        let line = try #require(lines.first { $0.hasPrefix("\(parts[0]),\(parts[1]),") })
        return String(line.split(separator: ",", omittingEmptySubsequences: false)[5])
    }

    @Test func aJiraAccountWithoutEmailIsProposedWithItsGitHubTwin() throws {
        let roster = try twins()
        defer { roster.cleanUp() }
        #expect(roster.list("state/proposals") == ["P-000001.yaml", "decided"])
        let file = try roster.read("state/proposals/P-000001.yaml")
        #expect(file.hasPrefix("# Merge proposal P-000001. Set decision to accept or reject, and save."))
        #expect(file.contains("decision: pending"))
        #expect(file.contains("survivor: U-000001"))
        #expect(file.contains("\"jira:j-1\""))
        #expect(file.contains("same name after normalisation: \\\"jane doe\\\""))
        let list = try roster.run(["proposals", "list"])
        #expect(list.stdout.contains("P-000001"))
        let json = try roster.run(["proposals", "list", "--json"])
        #expect(json.stdout.contains("\"jira:j-1\""))
        #expect(try roster.run(["proposals", "show", "P-000001"]).stdout == file)
    }

    @Test func acceptingByEditingTheFileMerges() throws {
        let roster = try twins()
        defer { roster.cleanUp() }
        let file = try roster.read("state/proposals/P-000001.yaml")
        try roster.write(
            "state/proposals/P-000001.yaml",
            file.replacingOccurrences(of: "decision: pending", with: "decision: accept"))
        let refresh = try roster.run(["proposals", "refresh"])
        #expect(refresh.status == 0, "\(refresh.stderr)")
        #expect(refresh.stdout.contains("P-000001: merged U-000003 into U-000001"))
        #expect(!roster.exists("state/proposals/P-000001.yaml"))
        let decided = try roster.read("state/proposals/decided/P-000001.yaml")
        #expect(decided.contains("decision: accept"))
        #expect(decided.contains("outcome: \"accepted by file"))
        #expect(try personOf(roster, "jira:j-1") == "U-000001")
        let explain = try roster.run(["explain", "U-000003"])
        // The table's `integration:account` taken literally: told which integrations there are.
        let literal = try roster.run(["explain", "integration:jira:j-1"])
        #expect(literal.status == 1)
        #expect(literal.stderr.contains("There is no integration 'integration'; the roster has github, jira."))
        #expect(explain.stdout.contains("U-000003 was merged into U-000001"))
        #expect(explain.stdout.contains("by an accepted merge (proposal P-000001)"))
        #expect(explain.stdout.contains("github.csv line 2"))
    }

    @Test func rejectedPeopleAreNotProposedAgainAfterAnotherIngest() throws {
        let roster = try twins()
        defer { roster.cleanUp() }
        let reject = try roster.run(["proposals", "reject", "P-000001"])
        #expect(reject.status == 0, "\(reject.stderr)")
        #expect(roster.exists("state/proposals/decided/P-000001.yaml"))
        try roster.write("jira.csv", Self.jira.replacingOccurrences(of: "true", with: "false"))
        #expect(try roster.run(["ingest", "jira.csv"]).status == 0)
        #expect(try roster.run(["proposals", "list"]).stdout.contains("No open proposals."))
        #expect(try personOf(roster, "jira:j-1") != personOf(roster, "github:101"))
    }

    @Test func unmergeRestoresThePeopleAfterALaterIngest() throws {
        let roster = try twins()
        defer { roster.cleanUp() }
        let accept = try roster.run(["proposals", "accept", "P-000001"])
        #expect(accept.status == 0, "\(accept.stderr)")
        #expect(try personOf(roster, "jira:j-1") == "U-000001")
        try roster.write(
            "slack.csv", "id,username,real_name,display_name,email\nS1,jane.doe,Jane Doe,Jane,jane.doe@gmail.com\n")
        #expect(try roster.run(["ingest", "slack.csv"]).status == 0)
        #expect(try personOf(roster, "jira:j-1") == "U-000001", "a later ingest does not undo a decided merge")

        let unmerge = try roster.run(["unmerge", "P-000001"])
        #expect(unmerge.status == 0, "\(unmerge.stderr)")
        #expect(unmerge.stdout.contains("Restored U-000003 from U-000001"))
        #expect(try personOf(roster, "jira:j-1") == "U-000003")
        #expect(try personOf(roster, "github:101") == "U-000001")
        #expect(try personOf(roster, "slack:S1") == "U-000001")
        #expect(try roster.run(["proposals", "list"]).stdout.contains("No open proposals."))
    }

    @Test func aMalformedDecisionLeavesEverythingAsItWas() throws {
        let roster = try twins()
        defer { roster.cleanUp() }
        let broken = try roster.read("state/proposals/P-000001.yaml")
            .replacingOccurrences(of: "decision: pending", with: "decision: maybe")
        try roster.write("state/proposals/P-000001.yaml", broken)
        #expect(try roster.run(["proposals", "refresh"]).status == 0)
        #expect(try roster.read("state/proposals/P-000001.yaml") == broken)
        #expect(try roster.read("state/proposals/P-000001.note.txt").contains("`decision: maybe` is not one of"))
        #expect(try roster.run(["proposals", "list"]).stdout.contains("P-000001"))

        try roster.write("state/proposals/P-000001.yaml", "decision: [accept\n")
        #expect(try roster.run(["proposals", "refresh"]).status == 0)
        #expect(try roster.read("state/proposals/P-000001.note.txt").contains("not valid YAML"))
        #expect(try personOf(roster, "jira:j-1") != personOf(roster, "github:101"))
    }

    @Test func aSnowballIsFlagged() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        var csv = "integration,account_id,login,display_name,email\n"
        for index in 1...7 { csv += "tool\(index),a\(index),,Sam Lee,sam\(index)@gmail.com\n" }
        try roster.write("accounts.csv", csv)
        #expect(try roster.run(["ingest", "accounts.csv"]).status == 0)
        let list = try roster.run(["proposals", "list", "--json"])
        #expect(list.stdout.contains("snowball"))
        let all = try roster.run(["proposals", "accept", "--all"])
        #expect(all.status == 0)
        #expect(all.stdout.isEmpty, "flagged proposals are accepted only by id")
    }

    @Test func aBotIsNeverProposedWithAHuman() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.write("github.csv", "account_id,login,name,email\n9,ci-helper,ci-helper[bot],\n")
        try roster.write("jira.csv", "account_id,display_name,email,active\nj-9,ci-helper bot,,true\n")
        #expect(try roster.run(["ingest", "github.csv", "jira.csv"]).status == 0)
        #expect(try roster.run(["proposals", "list"]).stdout.contains("No open proposals."))
    }
}
