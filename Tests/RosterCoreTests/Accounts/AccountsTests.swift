import RosterCore
import Testing

@Suite struct EmailEvidenceTests {
    @Test(arguments: [
        ("Jane.Doe@Acme.io", EmailEvidence.address("jane.doe@acme.io")),
        ("12345+jdoe@users.noreply.github.com", .githubLogin("jdoe")),
        ("jdoe@users.noreply.github.com", .githubLogin("jdoe")),
        ("noreply@github.com", .placeholder),
        ("root@build-host.local", .placeholder),
        ("me@localhost", .placeholder),
        ("(none)", .placeholder),
        ("someone@example.com", .placeholder),
        ("not an email", .invalid),
        ("", .none),
    ])
    func classifies(raw: String, expected: EmailEvidence) {
        #expect(EmailEvidence.classify(raw) == expected)
    }

    @Test func configuredPlaceholdersLinkNobody() {
        #expect(EmailEvidence.classify("build@acme.io", placeholders: ["build@*"]) == .placeholder)
        #expect(EmailEvidence.classify("builder@acme.io", placeholders: ["build@*"]) == .address("builder@acme.io"))
    }

    @Test(arguments: [
        ("jira-prod*", "jira-prod-2024.json", true), ("*.csv", "x.CSV", true), ("a?c", "abc", true),
        ("a?c", "ac", false), ("github-*", "gitlab-users.csv", false), ("*", "", true),
    ])
    func globsMatchCaseInsensitively(pattern: String, text: String, matches: Bool) {
        #expect(Glob.matches(pattern, text) == matches)
    }
}

@Suite struct AccountRecognitionTests {
    @Test(arguments: [
        (["account_id", "login", "name", "email"], "github-csv"),
        (["id", "username", "name", "state", "email"], "gitlab-csv"),
        (["account_id", "display_name", "email", "active"], "jira-csv"),
        (["Account ID", "Display Name", "Email Address", "User status"], "jira-csv"),
        (["id", "username", "real_name", "display_name", "email"], "slack-csv"),
        (["username", "email", "status", "userid", "fullname", "displayname"], "slack-csv"),
        (["id", "name", "email", "role"], "pagerduty-csv"),
        (["integration", "account_id", "login", "display_name", "email", "active"], "generic-csv"),
    ])
    func recognisesEachBuiltInCSV(header: [String], kind: String) throws {
        let recognition = FileKind.recognise(csvHeader: header, fileName: "export.csv", config: RosterConfig())
        guard case .kind(let found, _, _) = recognition else {
            Issue.record("not recognised: \(header)")
            return
        }
        #expect(found.name == kind)
    }

    @Test func aUsersCSVWinsWhenEveryColumnIsKnownAndAccountsOtherwise() {
        let config = RosterConfig(attributes: [AttributeDefinition(key: "role")])
        // With `role` declared, id,name,email,role is a users CSV …
        guard
            case .kind(.usersCSV, _, _) = FileKind.recognise(
                csvHeader: ["id", "name", "email", "role"], fileName: "people.csv", config: config)
        else {
            Issue.record("expected a users CSV")
            return
        }
        // … and without it, a PagerDuty export.
        guard
            case .kind(.accountsCSV(let layout), _, _) = FileKind.recognise(
                csvHeader: ["id", "name", "email", "role"], fileName: "people.csv", config: RosterConfig())
        else {
            Issue.record("expected an accounts CSV")
            return
        }
        #expect(layout.kind == .pagerduty)
    }

    @Test func aSourceMappingNamesTheInstanceAndItsMissingColumns() {
        let config = RosterConfig(sources: [
            SourceMapping(glob: "jira-legacy*", integration: "jira-legacy"),
            SourceMapping(glob: "hr-*", integration: "hr", columns: ColumnMapping(accountID: "uid", email: "Mail")),
        ])
        guard
            case .kind(_, let instance, _) = FileKind.recognise(
                csvHeader: ["account_id", "display_name", "email"], fileName: "jira-legacy-1.csv", config: config)
        else {
            Issue.record("expected Jira")
            return
        }
        #expect(instance == "jira-legacy")
        #expect(
            FileKind.recognise(csvHeader: ["uid", "name"], fileName: "hr-1.csv", config: config)
                == .problem("the file name matches the configured source 'hr-*', but the header lacks Mail"))
    }

    @Test func readsStatusBotAndPreferredColumnsOfARow() throws {
        guard
            case .kind(.accountsCSV(let layout), _, _) = FileKind.recognise(
                csvHeader: ["username", "email", "status", "userid", "fullname", "displayname"], fileName: "x.csv",
                config: RosterConfig())
        else {
            Issue.record("expected Slack")
            return
        }
        let (account, problems) = layout.account(
            from: CSVRecord(fields: ["pat", "pat@acme.io", "Deactivated", "U02", "", "Pat"], line: 3), instance: nil)
        #expect(problems.isEmpty)
        let found = try #require(account)
        #expect(found.key == AccountKey(integration: "slack", accountID: "U02"))
        #expect(found.displayName == "Pat", "the first non-empty name column wins")
        #expect(!found.active)
    }

    @Test func readsTheJSONOfEachAPI() throws {
        let cases: [(String, IntegrationKind, String)] = [
            (#"[{"login":"octocat","id":1,"type":"User"}]"#, .github, "github:1"),
            (#"[{"id":2,"username":"u","state":"active"}]"#, .gitlab, "gitlab:2"),
            (#"[{"accountId":"abc","displayName":"A"}]"#, .jira, "jira:abc"),
            (#"{"members":[{"id":"U1","name":"a","profile":{"email":"a@acme.io"}}]}"#, .slack, "slack:U1"),
            (#"{"users":[{"id":"P1","name":"A","email":"a@acme.io","role":"user"}]}"#, .pagerduty, "pagerduty:P1"),
        ]
        for (json, kind, key) in cases {
            let parsed = try AccountJSON.parse(Array(json.utf8), instance: nil).get()
            #expect(parsed.kind == kind)
            #expect(parsed.accounts.map(\.key.description) == [key])
        }
        let renamed = try AccountJSON.parse(Array(#"[{"accountId":"abc"}]"#.utf8), instance: "jira-prod").get()
        #expect(renamed.accounts.first?.key.integration == "jira-prod")
    }

    @Test func aJSONErrorSaysWhere() {
        guard
            case .failure(let problem) = AccountJSON.parse(
                Array("[\n {\"a\": 1},\n {\"b\": tru}\n]".utf8), instance: nil)
        else {
            Issue.record("expected a failure")
            return
        }
        #expect(problem.line == 3)
        #expect(problem.column.hasPrefix("column "))
    }
}

@Suite struct AccountsReconcilerTests {
    func account(
        _ id: String, email: String? = nil, name: String? = nil, login: String? = nil, bot: Bool = false,
        active: Bool = true, line: Int = 2
    ) -> AccountRecord {
        AccountRecord(
            line: line, key: AccountKey(integration: "github", accountID: id), login: login, displayName: name,
            email: email, active: active, isBot: bot)
    }

    func run(_ records: [AccountRecord], on ledger: inout InMemoryLedger) throws -> (IngestSummary, [Problem]) {
        var reconciler = AccountsReconciler()
        var problems: [Problem] = []
        for record in records { try reconciler.apply(record, ledger: &ledger) { problems.append($0) } }
        return (reconciler.summary, problems)
    }

    @Test func anAccountJoinsThePersonWithItsEmail() throws {
        var ledger = InMemoryLedger()
        let jane = ledger.seed("Jane Doe", "jane@acme.io")
        let (summary, problems) = try run([account("1", email: " Jane@ACME.io ", name: "J")], on: &ledger)
        #expect(problems.isEmpty)
        #expect(try ledger.account(AccountKey(integration: "github", accountID: "1"))?.person == jane)
        #expect(summary.peopleCreated == 0)
        #expect(summary.accountsCreated == 1)
    }

    @Test func anAccountWithoutUsableEmailBecomesAnIncompletePerson() throws {
        var ledger = InMemoryLedger()
        let (summary, _) = try run(
            [
                account("1", email: nil, name: "Sam Lee"),
                account("2", email: "9+sam@users.noreply.github.com", login: "sam"),
                account("3", email: "noreply@github.com", name: "Ghost"),
            ], on: &ledger)
        #expect(summary.peopleCreated == 3)
        #expect(ledger.people.values.allSatisfy { $0.primaryEmail == nil })
        #expect(Set(ledger.people.values.map(\.name)) == ["Sam Lee", "sam", "Ghost"])
    }

    @Test func twoAccountsWithOneNewEmailShareTheNewPerson() throws {
        var ledger = InMemoryLedger()
        let (summary, _) = try run(
            [account("1", email: "a@acme.io"), account("2", email: "A@acme.io", line: 3)], on: &ledger)
        #expect(summary.peopleCreated == 1)
        #expect(Set(ledger.accounts.values.map(\.person)).count == 1)
    }

    @Test func sendersAMailingListRewroteAreNotJoinedByTheListsAddress() throws {
        var ledger = InMemoryLedger()
        let list = ledger.seed("curl-library", "curl-library@lists.example.io")
        let (summary, _) = try run(
            [
                account("1", email: "curl-library@lists.example.io", name: "Jane Doe via curl-library"),
                account("2", email: "curl-library@lists.example.io", name: "Bob Roe VIA curl-library", line: 3),
            ], on: &ledger)
        #expect(summary.peopleCreated == 2)
        let people = ledger.accounts.values.map(\.person)
        #expect(!people.contains(list))
        #expect(Set(people.compactMap { ledger.people[$0]?.name }) == ["Jane Doe", "Bob Roe"])
        #expect(people.allSatisfy { ledger.people[$0]?.primaryEmail == nil })
        #expect(summary.details.contains { $0.contains("a mailing list's address") })
    }

    @Test(
        arguments: [
            ("Jane Doe via curl-library", "curl-library@lists.example.io", "Jane Doe"),
            ("Jane  Doe  VIA  Curl Library", "curl-library@lists.example.io", "Jane Doe"),
            ("Jane Doe via curl-library", nil, nil),
            ("Jane Doe via another-list", "curl-library@lists.example.io", nil),
            ("Maria Via Rossi", "maria.rossi@example.io", nil),
            ("Via Jane", "jane@example.io", nil),
            ("Jane Doe", "jane@example.io", nil),
        ] as [(String, String?, String?)])
    func readsTheSenderOfAListRewrittenName(name: String, email: String?, sender: String?) {
        #expect(ListSender.sender(in: name, email: email) == sender)
    }

    @Test func aBotIsNeverJoinedToAHumanByEmail() throws {
        var ledger = InMemoryLedger()
        let jane = ledger.seed("Jane Doe", "jane@acme.io")
        _ = try run([account("1", email: "jane@acme.io", login: "helper[bot]")], on: &ledger)
        let bot = try #require(try ledger.account(AccountKey(integration: "github", accountID: "1")))
        #expect(bot.person != jane)
        #expect(ledger.people[bot.person]?.isBot == true)
    }

    @Test func configuredBotPatternsFlagBots() throws {
        var ledger = InMemoryLedger()
        var reconciler = AccountsReconciler(botPatterns: ["jenkins*"])
        try reconciler.apply(account("1", login: "jenkins-ci"), ledger: &ledger) { _ in }
        #expect(ledger.accounts.values.first?.fields?.isBot == true)
    }

    @Test func aReExportUpdatesFieldsAndMovesAnUnpinnedAccountWhoseEmailChanged() throws {
        var ledger = InMemoryLedger()
        let bob = ledger.seed("Bob", "bob@acme.io")
        _ = try run([account("1", email: "alice@acme.io", name: "Alice")], on: &ledger)
        let (summary, _) = try run([account("1", email: "bob@acme.io", name: "Alice", active: false)], on: &ledger)
        let moved = try #require(try ledger.account(AccountKey(integration: "github", accountID: "1")))
        #expect(moved.person == bob)
        #expect(moved.fields?.active == false)
        #expect(summary.accountsUpdated == 1)
        #expect(summary.accountsMoved == 1)
    }

    @Test func aPinnedAccountStaysWhereAHumanPutIt() throws {
        var ledger = InMemoryLedger()
        let bob = ledger.seed("Bob", "bob@acme.io")
        let carol = ledger.seed("Carol", "carol@acme.io")
        ledger.seedAccount("github", "1", of: carol, pinned: true)
        let (summary, _) = try run([account("1", email: "bob@acme.io")], on: &ledger)
        #expect(try ledger.account(AccountKey(integration: "github", accountID: "1"))?.person == carol)
        #expect(summary.accountsMoved == 0)
        #expect(summary.details.contains { $0.contains("stays with \(carol)") && $0.contains("\(bob)") })
    }

    @Test func aNewEmailOfAKnownAccountIsAddedToItsPerson() throws {
        var ledger = InMemoryLedger()
        _ = try run([account("1", email: nil, name: "Sam")], on: &ledger)
        _ = try run([account("1", email: "sam@acme.io", name: "Sam")], on: &ledger)
        #expect(ledger.people.values.first?.primaryEmail == "sam@acme.io")
    }

    @Test func aRepeatedAccountIDIsAProblem() throws {
        var ledger = InMemoryLedger()
        let (_, problems) = try run([account("1", line: 2), account("1", line: 5)], on: &ledger)
        #expect(problems.map(\.problem) == ["the account id 1 is already listed (line 2)"])
        #expect(problems.first?.line == 5)
    }
}
