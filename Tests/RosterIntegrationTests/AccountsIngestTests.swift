import Foundation
import Testing

/// One row of `accounts.csv`.
struct ExportedAccountRow: Equatable {
    var login: String
    var name: String
    var email: String
    var person: String
    var status: String
    var bot: String
}

extension RosterRunner {
    /// Copies a fixture from `Fixtures/accounts/`.
    @discardableResult
    func accountsFixture(_ name: String, as target: String? = nil) throws -> String {
        try fixture("accounts/\(name)", as: target ?? name)
    }

    /// `state/exports/accounts.csv` by `integration:account_id`.
    func accounts() throws -> [String: ExportedAccountRow] {
        var result: [String: ExportedAccountRow] = [:]
        let lines = try read("state/exports/accounts.csv").split(separator: "\n").map(String.init)
        #expect(lines.first == "integration,account_id,login,display_name,email,person_id,status,bot")
        for line in lines.dropFirst() {
            let cells = parseCSVLine(line)
            result["\(cells[0]):\(cells[1])"] = ExportedAccountRow(
                login: cells[2], name: cells[3], email: cells[4], person: cells[5], status: cells[6], bot: cells[7])
        }
        return result
    }
}

/// Splits one CSV line (quotes, doubled quotes; no line breaks inside), for reading exports in tests.
func parseCSVLine(_ line: String) -> [String] {
    var cells: [String] = []
    var current = ""
    var quoted = false
    var iterator = Array(line).makeIterator()
    var pending: Character? = nil
    while let c = pending ?? iterator.next() {
        pending = nil
        if quoted {
            if c == "\"" {
                if let next = iterator.next() {
                    if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                } else {
                    quoted = false
                }
            } else {
                current.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            cells.append(current)
            current = ""
        } else {
            current.append(c)
        }
    }
    cells.append(current)
    return cells
}

@Suite("Integration exports: every built-in shape, linked by email")
struct AccountsIngestTests {
    @Test func everyBuiltInShapeIsRecognisedAndLinkedByEmail() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.accountsFixture("roster-sources.toml", as: "roster.toml")
        let files = [
            "github-users.csv", "gitlab-users.json", "jira-users.json", "slack-users.json", "pagerduty-users.json",
            "harness-code.csv",
        ]
        for file in files { try roster.accountsFixture(file) }
        let result = try roster.run(["ingest"] + files)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for file in files { #expect(result.stdout.contains("\(file): applied"), "\(result.stdout)") }

        let accounts = try roster.accounts()
        #expect(accounts.count == 17)
        let jane = try #require(accounts["github:1001"]).person
        for key in ["jira-prod:5b10a2844c20165700ede21g", "slack:U01", "harness-code:hc-1"] {
            #expect(accounts[key]?.person == jane, "\(key) joins Jane by email")
        }
        // A noreply address is a login, not an email: its account gets a person of its own, without email.
        let noreply = try #require(accounts["github:1002"])
        #expect(noreply.person != jane)
        #expect(noreply.email == "1002+jdoe-home@users.noreply.github.com")
        // A bot with a human's email stays apart.
        #expect(accounts["github:1003"]?.bot == "true")
        #expect(accounts["github:1003"]?.person != jane)
        // A placeholder address links nobody.
        #expect(accounts["github:1004"]?.person != jane)
        // Deactivated accounts are kept and marked.
        #expect(accounts["gitlab:12"]?.status == "inactive")
        #expect(accounts["jira-prod:5b10a2844c20165700ede22h"]?.status == "inactive")
        #expect(accounts["slack:U02"]?.status == "inactive")
        #expect(accounts["harness-code:hc-2"]?.status == "inactive")
        // Bots by every sign each tool uses.
        for key in ["gitlab:13", "jira-prod:557058:automation", "slack:USLACKBOT"] {
            #expect(accounts[key]?.bot == "true", "\(key) is a bot")
        }
        #expect(accounts["jira-prod:557058:automation"]?.person != accounts["gitlab:11"]?.person)
        #expect(accounts["pagerduty:PXPGF42"]?.person == accounts["gitlab:11"]?.person)

        let users = try roster.read("state/exports/users.csv")
        #expect(
            users.hasPrefix(
                "id,full_name,email,other_emails,integration:github,integration:gitlab,integration:harness-code,integration:jira-prod,integration:pagerduty,integration:slack\n"
            ))
        #expect(users.contains("\(jane),Jane Doe,jane.doe@acme.io,,1001,,hc-1,5b10a2844c20165700ede21g,,U01\n"))

        let reports = roster.list("state/reports")
        let gitlab = try roster.read(
            "state/reports/" + (try #require(reports.first { $0.hasSuffix("gitlab-users.json.txt") })))
        #expect(gitlab.contains("Kind:       GitLab accounts JSON (the JSON is an array of GitLab users"))
        let status = try roster.run(["status"])
        #expect(status.stdout.contains("jira-prod: 3"))
    }

    @Test func aConfiguredSourceMapsTheColumnsOfAnyCSV() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.accountsFixture("roster-sources.toml", as: "roster.toml")
        try roster.accountsFixture("harness-code.csv")
        try roster.accountsFixture("people-export.csv")
        let result = try roster.run(["ingest", "harness-code.csv", "people-export.csv"])
        #expect(result.status == 0, "\(result.stdout)")
        let accounts = try roster.accounts()
        #expect(accounts["bamboohr:x-1"]?.person == accounts["harness-code:hc-1"]?.person)
        #expect(accounts["bamboohr:x-1"]?.login == "jdoe")
        #expect(accounts["bamboohr:x-2"]?.status == "inactive")
    }

    @Test func aReExportMovesAnAccountWhoseEmailChangedUnlessAHumanPinnedIt() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.write(
            "people.csv", "full_name,email,integration:github\nBob Brown,bob@acme.io,\nCarol King,carol@acme.io,2\n")
        try roster.write(
            "github-1.csv", "account_id,login,name,email\n1,alice,Alice,alice@acme.io\n2,carol,Carol,carol@acme.io\n")
        #expect(try roster.run(["ingest", "people.csv", "github-1.csv"]).status == 0)
        let before = try roster.accounts()

        try roster.write(
            "github-2.csv", "account_id,login,name,email\n1,alice,Alice,bob@acme.io\n2,carol,Carol,bob@acme.io\n")
        let result = try roster.run(["ingest", "github-2.csv"])
        #expect(result.stdout.contains("2 updated, 1 moved"), "\(result.stdout)")
        let after = try roster.accounts()
        let bob = "U-000001"
        #expect(before["github:1"]?.person != bob)
        #expect(after["github:1"]?.person == bob)
        #expect(after["github:1"]?.email == "bob@acme.io")
        #expect(after["github:2"]?.person == "U-000002", "a users CSV placed it with Carol")

        let report = try roster.read(
            "state/reports/" + (try #require(roster.list("state/reports").last { $0.contains("github-2") })))
        #expect(report.contains("github:1 moved from"))
        #expect(
            report.contains(
                "github:2 now has the email of \(bob) but stays with U-000002, where a human edit placed it"))
    }

    @Test func reImportingTheAccountsExportChangesNothing() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        for file in ["github-users.csv", "gitlab-users.json", "slack-users.json"] { try roster.accountsFixture(file) }
        #expect(try roster.run(["ingest", "github-users.csv", "gitlab-users.json", "slack-users.json"]).status == 0)
        let first = try roster.read("state/exports/accounts.csv")
        #expect(try roster.run(["export", "--format", "accounts", "--out", "accounts-copy.csv"]).status == 0)
        #expect(try roster.read("accounts-copy.csv") == first)

        let again = try roster.run(["ingest", "accounts-copy.csv"])
        #expect(again.stdout.contains("accounts: 0 added, 0 updated, 0 moved, 10 unchanged"), "\(again.stdout)")
        #expect(try roster.read("state/exports/accounts.csv") == first)
    }

    @Test func brokenExportsAreRejectedWithWhereAndWhy() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.accountsFixture("broken.json")
        try roster.accountsFixture("duplicate-ids.csv")
        try roster.write("mystery.csv", "colour,size\nred,1\n")
        let result = try roster.run(["ingest", "broken.json", "duplicate-ids.csv", "mystery.csv"])
        #expect(result.status == 1)

        let json = try roster.read("state/rejected/broken.json.errors.csv")
        #expect(json.contains("3,column "), "the line and column of the JSON error: \(json)")
        #expect(json.contains("the JSON does not parse"))

        let duplicates = try roster.read("state/rejected/duplicate-ids.csv.errors.csv")
        #expect(duplicates.contains("3,,7,the account id 7 is already listed (line 2)"))
        #expect(duplicates.contains("4,account_id,,the account id is empty"))

        let mystery = try roster.read("state/rejected/mystery.csv.errors.csv")
        #expect(mystery.contains("the header matches no known kind of file"))
        #expect(mystery.contains("GitHub users CSV: login, id or account_id"))
        #expect(try roster.run(["status"]).stdout.contains("People:                0"))
    }

    /// The real-world-derived identity set in `../shared/data/identity-dev` (see its README).
    @Test func theIdentityDevelopmentSetLinksEveryRealEmailOnce() throws {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../shared/data/identity-dev")
        let github = shared.appendingPathComponent("github.csv").standardized.path
        try #require(FileManager.default.fileExists(atPath: github), "needs ../shared beside the repository")
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        let files = ["github.csv", "jira.csv", "slack.csv"].map { shared.appendingPathComponent($0).standardized.path }
        let result = try roster.run(["ingest"] + files)
        #expect(result.status == 0, "\(result.stdout)")

        let accounts = try roster.accounts()
        let expected = try files.map {
            try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n").count - 1
        }
        #expect(accounts.count == expected.reduce(0, +), "every account is present once")

        // Accounts that share a real normalised email have the same person.
        var personByEmail: [String: String] = [:]
        for (key, account) in accounts {
            let email = account.email.trimmingCharacters(in: .whitespaces).lowercased()
            guard email.contains("@"), !email.hasSuffix("users.noreply.github.com"), !email.hasPrefix("noreply@"),
                !email.contains("localhost"), !email.hasSuffix(".local"), !email.contains("example.")
            else { continue }
            if let person = personByEmail[email] {
                #expect(person == account.person, "\(key) shares \(email) with another person")
            } else {
                personByEmail[email] = account.person
            }
        }
        // No two people share an email.
        var seen: [String: String] = [:]
        for line in try roster.read("state/exports/users.csv").split(separator: "\n").dropFirst() {
            let cells = parseCSVLine(String(line))
            let emails = ([cells[2]] + cells[3].split(separator: ";").map(String.init)).filter { !$0.isEmpty }
            for email in emails {
                #expect(seen[email] == nil, "\(email) belongs to \(seen[email] ?? "") and \(cells[0])")
                seen[email] = cells[0]
            }
        }
    }
}
