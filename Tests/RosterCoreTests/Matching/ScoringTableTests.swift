import Testing

@testable import RosterCore

/// A full pass scores pairs from ``ScoringTable``'s keys; every pair must score as
/// ``PairScorer`` scores it.
@Suite struct ScoringTableTests {
    /// The generated people of ``ParallelMatchingTests/people(_:)``, and people for each rule the
    /// table answers from its flags or by reading the profiles: bots, shared mailboxes, GitHub
    /// noreply addresses, placeholders, logins with trailing digits, names outside ASCII, people
    /// with no name, and one person with more names than the table lists.
    static func people() -> [MatchPerson] {
        var people = ParallelMatchingTests.people(1500)
        func add(
            _ name: String, _ accounts: [(String, String?, String?, String?)], emails: [String] = [], bot: Bool = false
        ) {
            let id = PersonID(Int64(people.count + 1))
            people.append(
                MatchPerson(
                    id: id, name: name, emails: emails,
                    accounts: accounts.enumerated().map { n, account in
                        MatchAccount(
                            key: AccountKey(integration: account.0, accountID: "x\(people.count)-\(n)"),
                            login: account.1,
                            displayName: account.2, email: account.3, isBot: bot)
                    }, isBot: bot))
        }
        for n in 0..<3 {
            add("Dependabot", [("github", "dependabot\(n)", "dependabot[bot]", nil)], bot: true)
            add("Renovate Bot", [("github", "renovate", "Renovate Bot", "bot@renovate.example")], bot: true)
            add(
                "William Doe",
                [("github", "wdoe", "William Doe", "info@corp.example.org"), ("jira", nil, "Bill Smith", nil)],
                emails: ["info@corp.example.org"])
            add(
                "Jane Doe", [("github", "janedoe", "Jane Doe", "\(100 + n)+janedoe@users.noreply.github.com")],
                emails: [])
            add("J. Doe", [("slack", "jdoe", "jd", "\(100 + n)+jdoe@users.noreply.github.com")])
            add("Jane Doe", [("gitlab", "janedoe", nil, "janedoe@users.noreply.github.com")])
            add("Robert Smith", [("github", "rsmith", "Robert Smith", "root@localhost")])
            add("Bob Smyth", [("jira", nil, "Bob Smyth", "root@localhost")])
            add("", [("slack", "djelinski", "", "djelinski@corp.example.org")], emails: ["djelinski@corp.example.org"])
            add("Daniel Jelinski", [("github", "djelinski1", "Daniel Jelinski", nil)])
            add("Dan Jelinski", [("github", "djelinski12", "Dan J", "dan@laptop.local")])
            add("Jürgen Ångström", [("github", "jangstrom", "Jürgen Ångström", "jürgen@corp.example.org")])
            add("Jurgen Angstrom", [("jira", "jürgen.ångström", "Jurgen Angstrom", nil)])
            add("Zoë Tseng", [("github", "tsengzoë", "Tseng Zoë", "zoe@gmail.com")], emails: ["zoe@gmail.com"])
        }
        // GitHub users in common decide these pairs: one login, or one numeric id under two logins.
        add("Qix", [("github", nil, nil, "qixo@users.noreply.github.com")])
        add("Qix", [("gitlab", nil, nil, "qixo@users.noreply.github.com")])
        add("Zed", [("github", nil, nil, "300+alphaone@users.noreply.github.com")])
        add("Zed", [("gitlab", nil, nil, "300+omegatwo@users.noreply.github.com")])
        // Two bots (flagged, so shown however low) with a login and only a placeholder in common.
        add("", [("github", "buildbotx", nil, "root@localhost")], bot: true)
        add("", [("gitlab", "buildbotx", nil, "root@localhost")], bot: true)
        // One handle, its marks in either order: equal texts to `String`'s `==`, not equal bytes.
        add("Karim Haddad", [("github", "\u{0645}\u{062D}\u{0645}\u{0651}\u{064E}\u{062F}", "Karim Haddad", nil)])
        add("Karim Haddad", [("jira", "\u{0645}\u{062D}\u{0645}\u{064E}\u{0651}\u{062F}", "Karim Haddad", nil)])
        add("Omar Nassar", [("slack", "\u{0645}\u{062D}\u{0645}\u{064E}\u{0651}\u{062F}", "Omar Nassar", nil)])
        // A login in common beside one with digits; a middle name; a numeric GitHub id beside a
        // stronger login in common; a three-letter login in common.
        add("Dan Jelinski", [("gitlab", "djelinski", nil, nil), ("jira", "djelinski7", nil, nil)])
        add("Jane Q Doe", [("jira", "janedoe", "Jane Q Doe", nil)])
        add("", [("github", "commonhandle", nil, "400+loginaa@users.noreply.github.com")])
        add("", [("gitlab", "commonhandle", nil, "400+loginbb@users.noreply.github.com")])
        add("Quentin Zed", [("github", "qzd", "Quentin Zed", nil)])
        add("Quentin Zed", [("gitlab", "qzd", "Quentin Zed", nil)])
        // The digits rule at its edge: a bare login of 7 bytes says nothing, one of 8 does.
        add("", [("github", "quorvex", nil, nil)])
        add("", [("gitlab", "quorvex12", nil, nil)])
        add("", [("github", "quorvexa", nil, nil)])
        add("", [("gitlab", "quorvexa3", nil, nil)])
        // 300 names: more than the table lists for one person.
        add(
            "Anna Garcia",
            (0..<300).map {
                ("github", "agarcia\($0)", "Anna Garcia\(String(repeating: "x", count: $0 % 7)) \($0)", nil)
            })
        return people
    }

    /// With up to 8 integrations, the table keeps them as bits; with more, as keys. Twelve
    /// instances of each integration make more.
    @Test(arguments: [false, true])
    func everyCandidatePairScoresAsThePairScorerScoresIt(manyIntegrations: Bool) {
        var people = Self.people()
        if manyIntegrations {
            for p in people.indices {
                for a in people[p].accounts.indices {
                    let key = people[p].accounts[a].key
                    people[p].accounts[a].key = AccountKey(
                        integration: "\(key.integration)-\(p % 12)", accountID: key.accountID)
                }
            }
        }
        let profiles = MatchProfile.profiles(of: people)
        let pairs = Matcher().candidates(profiles)
        let table = ScoringTable(profiles, threads: 2)
        #expect((table.integrationBits == nil) == manyIntegrations)
        #expect(table.people.count == profiles.count)
        #expect(table.people.contains { $0.flags & ScoringTable.Flag.unlisted != 0 })
        var memo = ScoringTable.Memo()
        var (scored, flagged) = (0, 0)
        table.withView { view in
            for (a, b) in pairs {
                let expected = PairScorer.score(profiles[a], profiles[b], lines: false)
                // Once with what the piece remembers, once afresh.
                var fresh = ScoringTable.Memo()
                for found in [
                    ScoringTable.score(a, b, view: view, profiles: profiles, memo: &memo),
                    ScoringTable.score(a, b, view: view, profiles: profiles, memo: &fresh),
                ] {
                    #expect(found?.confidence == expected?.confidence, "\(profiles[a].id) and \(profiles[b].id)")
                    #expect(
                        found?.flagged == expected.map { !$0.flags.isEmpty }, "\(profiles[a].id) and \(profiles[b].id)")
                }
                if let expected {
                    scored += 1
                    if !expected.flags.isEmpty { flagged += 1 }
                }
            }
        }
        #expect(scored > 500)
        #expect(flagged > 0)
        #expect(!memo.names.isEmpty && !memo.handles.isEmpty)
    }

    @Test func keysKeepWhatTheScorerWeighs() {
        // A login's length tier rides in its key; equal texts give equal keys.
        #expect(ScoringTable.handleKey("abc") & 3 == 0)
        #expect(ScoringTable.handleKey("abcd") & 3 == 1)
        #expect(ScoringTable.handleKey("abcde") & 3 == 2)
        #expect(ScoringTable.handleKey("abcdef") & 3 == 3)
        #expect(ScoringTable.handleKey("jürgen") & 3 == 3)
        #expect(ScoringTable.handleKey("jürg") & 3 == 1)
        #expect(ScoringTable.handleKey("jdoe") == ScoringTable.handleKey(String("xjdoe".dropFirst())))
        #expect(ScoringTable.nameKey(["jane", "doe"]) == ScoringTable.nameKey(["jane", "doe"]))
        #expect(ScoringTable.nameKey(["jane", "doe"]) != ScoringTable.nameKey(["janedoe"]))
        #expect(ScoringTable.nameKey(["jane", "doe"]) != ScoringTable.nameKey(["doe", "jane"]))
    }
}
