import PropertyBased
import Testing

@testable import RosterCore

@Suite struct NameNormaliserTests {
    @Test(arguments: [
        ("  Jane   DOE ", "jane doe"),
        ("Dóe, Jane", "doe jane"),
        ("Jean-Luc Picard", "jean luc picard"),
        ("Michał Kowalczyk", "michal kowalczyk"),
        ("Jürgen Straße", "jurgen strasse"),
        ("O'Brien", "obrien"),
        ("Søren Ærø", "soren aero"),
    ])
    func normalisesCaseAccentsPunctuationAndSpaces(input: String, expected: String) {
        #expect(NameNormaliser.normalise(input) == expected)
    }

    @Test func tokenOrderDoesNotMatterForTheTokenSet() {
        #expect(
            NameNormaliser.tokenSet(NameNormaliser.tokens("Doe, Jane"))
                == NameNormaliser.tokenSet(NameNormaliser.tokens("jane doe")))
    }

    @Test func asciiTextIsCutAsTheScalarPathCutsIt() async {
        await propertyCheck(count: 500, input: ByteGen.input) { bytes in
            let text = String(decoding: bytes.map { $0 & 0x7F }, as: UTF8.self)
            #expect(NameNormaliser.asciiTokens(text) == NameNormaliser.scalarTokens(text))
        }
        #expect(NameNormaliser.asciiTokens("Dóe") == nil)
        #expect(NameNormaliser.asciiTokens("  O'Brien,JANE-doe2 ") == ["obrien", "jane", "doe2"])
    }

    @Test func handlesKeepLettersAndDigits() {
        #expect(NameNormaliser.compactHandle("Jane.Doe-2") == "janedoe2")
        #expect(NameNormaliser.handleTokens("jane_doe") == ["jane", "doe"])
        #expect(NameNormaliser.withoutTrailingDigits("jdoe42") == "jdoe")
        #expect(NameNormaliser.withoutTrailingDigits("jdoe") == "jdoe")
        #expect(NameNormaliser.withoutTrailingDigits("2024") == "")
        #expect(NameNormaliser.withoutTrailingDigits("") == "")
        #expect(NameNormaliser.withoutTrailingDigits("jürgen7") == "jürgen")
        #expect(NameNormaliser.withoutTrailingDigits("a1b22") == "a1b")
        // Longer than a small string, and a substring's bytes (not from a string's start).
        let long = "averyveryverylonghandle" + String(repeating: "9", count: 20)
        #expect(NameNormaliser.withoutTrailingDigits(long) == "averyveryverylonghandle")
        #expect(NameNormaliser.withoutTrailingDigits(String(long.dropFirst(5))) == "veryverylonghandle")
    }
}

@Suite struct NicknamesTests {
    @Test(arguments: [
        ("bill", "william"), ("will", "william"), ("bob", "robert"), ("liz", "elizabeth"), ("al", "alan"),
    ])
    func knownNicknamesAreCompatible(nick: String, formal: String) {
        #expect(Nicknames.compatible(nick, formal))
        #expect(Nicknames.compatible(formal, nick))
    }

    @Test func unrelatedNamesAreNot() {
        #expect(!Nicknames.compatible("bill", "robert"))
        #expect(!Nicknames.compatible("jane", "john"))
    }

    @Test func formalNamesOfAnAmbiguousNickname() {
        #expect(Set(Nicknames.formal("al")).isSuperset(of: ["albert", "alan", "alexander"]))
        #expect(Nicknames.formal("zebedee") == ["zebedee"])
    }

    /// The table of names gives every name its groups, in order, and nothing to other names.
    @Test func everyNameHasTheGroupsThatHoldIt() {
        for name in Set(Nicknames.groups.joined()) {
            let expected = Nicknames.groups.indices.filter { Nicknames.groups[$0].contains(name) }
            #expect(Nicknames.groupIDs(of: name) == expected, "\(name)")
        }
        for other in ["", "w", "williams", "bil", "alexandersson", "zoë", "william ", "William"] {
            #expect(Nicknames.groupIDs(of: other).isEmpty, "\(other)")
        }
    }
}

@Suite struct BlockingKeysTests {
    func profile(
        _ id: Int64, _ name: String, email: String? = nil, login: String? = nil, integration: String = "github"
    )
        -> MatchProfile
    {
        MatchProfile(
            MatchPerson(
                id: PersonID(id), name: name, emails: email.map { [$0] } ?? [],
                accounts: [
                    MatchAccount(
                        key: AccountKey(integration: integration, accountID: "\(id)"), login: login, displayName: name,
                        email: email)
                ]))
    }

    @Test func nameKeysIncludeTokenSetInitialAndNickname() {
        let keys = BlockingKeys.keys(of: profile(1, "Bill Gates"))
        #expect(keys.contains("t:bill gates"))
        #expect(keys.contains("i:b gates"))
        #expect(keys.contains("n:william gates"))
        #expect(keys.contains("h:billgates"))
        #expect(keys.contains("h:bgates"))
    }

    /// A full pass hashes each person's keys without making their strings: the hashes must be
    /// those of the keys, whatever the names (one word, three, accents, nicknames, reordered).
    @Test func hashedKeysAreTheHashesOfTheKeys() {
        var profiles = MatchProfile.profiles(of: ParallelMatchingTests.people(1500))
        profiles += [
            profile(1, "Bill Gates"), profile(2, "Zoë Ångström", login: "zangstrom7"),
            profile(3, "Mary Ann van der Berg", email: "mary.ann@corp.org"), profile(4, "Cher"),
            profile(5, "Doe Jane", email: "123+octo-cat@users.noreply.github.com", login: "jdoe42"),
            profile(6, "Li Ng", login: "ng"), profile(7, "Émile Zola", login: "ezola1999"),
            profile(8, "Ann Ann"), profile(9, "b a"),
        ]
        for profile in profiles {
            var hashes: [UInt64] = []
            BlockingKeys.hashes(of: profile, into: &hashes)
            #expect(Set(hashes) == Set(BlockingKeys.keys(of: profile).map(BlockingKeys.hash)), "\(profile.names)")
        }
    }

    @Test func handleKeysComeFromLoginsLocalPartsAndNoreply() {
        let keys = BlockingKeys.keys(
            of: profile(1, "x", email: "123+octo-cat@users.noreply.github.com", login: "jdoe42"))
        #expect(keys.contains("h:octocat"))
        #expect(keys.contains("h:jdoe42"))
        #expect(keys.contains("h:jdoe"))
    }

    @Test func aJiraNameMeetsAGitHubLoginThatSpellsIt() {
        let jira = profile(1, "Jane Doe", integration: "jira")
        let github = profile(2, "jd", email: "jane.doe@gmail.com", login: "janedoe")
        #expect(!Set(BlockingKeys.keys(of: jira)).isDisjoint(with: BlockingKeys.keys(of: github)))
    }
}

@Suite struct PairScorerTests {
    func person(
        _ id: Int64, _ name: String, email: String? = nil, login: String? = nil, integration: String = "github",
        bot: Bool = false
    ) -> MatchProfile {
        MatchProfile(
            MatchPerson(
                id: PersonID(id), name: name,
                emails: email.flatMap { e in e.contains("noreply") ? nil : e }.map { [$0] } ?? [],
                accounts: [
                    MatchAccount(
                        key: AccountKey(integration: integration, accountID: "a\(id)"), login: login,
                        displayName: name, email: email, isBot: bot)
                ], isBot: bot))
    }

    @Test func sameNameAcrossIntegrationsIsConfident() throws {
        let score = try #require(
            PairScorer.score(person(1, "Jane Doe", integration: "jira"), person(2, "Jane Doe", email: "jd@x.org")))
        #expect(score.confidence >= 0.9)
        #expect(score.evidence.first?.contains("same name") == true)
    }

    @Test func loginThatSpellsTheNameIsEvidence() throws {
        let score = try #require(
            PairScorer.score(person(1, "Jane Doe", integration: "jira"), person(2, "jd", login: "janedoe")))
        #expect(score.confidence >= 0.9)
    }

    @Test func initialPlusLastIsWeaker() throws {
        let score = try #require(
            PairScorer.score(person(1, "Jane Smith", integration: "jira"), person(2, "jd", login: "jsmith1")))
        #expect(score.confidence < 0.9)
        #expect(score.confidence >= 0.5)
    }

    @Test func aNicknameMatches() throws {
        let score = try #require(
            PairScorer.score(person(1, "Bill Gates", integration: "jira"), person(2, "William Gates")))
        #expect(score.confidence >= 0.85)
    }

    @Test func anAddressInCommonIsFoundWhereverItIsInEithersList() {
        func with(_ id: Int64, _ emails: [String]) -> MatchProfile {
            MatchProfile(MatchPerson(id: PersonID(id), name: "Jane Doe", emails: emails))
        }
        let two = with(1, ["jane@corp.com", "jd@corp.com"])
        #expect(two.sharesEmail(with: with(2, ["jd@corp.com"])))
        #expect(with(2, ["jd@corp.com"]).sharesEmail(with: two))
        #expect(two.sharesEmail(with: with(3, ["x@corp.com", "jd@corp.com"])))
        #expect(two.sharesEmail(with: with(4, ["jane@corp.com"])))
        #expect(!two.sharesEmail(with: with(5, ["x@corp.com", "y@corp.com"])))
        #expect(!two.sharesEmail(with: with(6, [])))
        #expect(!with(6, []).sharesEmail(with: with(7, [])))
        #expect(two.hasEmail && !with(6, []).hasEmail)
        #expect(two.privateDomains == ["corp.com"])
    }

    @Test func differentAddressesAtOneDomainLowerTheScore() throws {
        let score = try #require(
            PairScorer.score(
                person(1, "Jane Doe", email: "jane@corp.com", integration: "slack"),
                person(2, "jd", email: "jdoe@corp.com", login: "janedoe")))
        #expect(score.confidence < 0.9)
        #expect(score.evidence.contains { $0.contains("same domain corp.com") })
    }

    @Test func reorderedFullNamesAreForAPersonToConfirm() throws {
        let score = try #require(
            PairScorer.score(
                person(1, "Tseng Jun", email: "tj@qq.com", login: "tseng-jun"),
                person(2, "Jun Tseng", email: "junzeng@example.org", integration: "jira")))
        #expect(score.confidence < 0.9)
        #expect(score.confidence >= 0.5)
    }

    @Test func oneNoreplyLoginIsOneAccountWhateverItsNames() throws {
        let score = try #require(
            PairScorer.score(
                person(1, "pheiduck on github", email: "47042125+pheiduck@users.noreply.github.com"),
                person(2, "Philip H", email: "47042125+pheiduck@users.noreply.github.com", integration: "gitlab")))
        #expect(score.confidence >= 0.9)
        #expect(!score.evidence.contains { $0.contains("the names differ") })
    }

    @Test func aLastNameCutToItsInitialDoesNotContradictTheFullName() throws {
        #expect(NameEvidence.compatible(["philip", "h"], ["philip", "heiduck"]))
        #expect(NameEvidence.compatible(["philip", "heiduck"], ["philip", "h"]))
        #expect(!NameEvidence.compatible(["philip", "h"], ["philip", "jones"]))
        #expect(!NameEvidence.compatible(["peter", "h"], ["philip", "heiduck"]))
        // Not evidence on its own: many people share a given name and an initial.
        #expect(NameEvidence.compare(["philip", "h"], ["philip", "heiduck"]) == nil)
        // So a shared handle is no longer halved by "the names differ".
        let score = try #require(
            PairScorer.score(
                person(1, "Philip H", email: "47042125+pheiduck@users.noreply.github.com", login: "pheiduck2"),
                person(2, "Philip Heiduck", email: "pheiduck@philips-mbp.lan", login: "pheiduck4")))
        #expect(score.confidence >= 0.9)
        #expect(!score.evidence.contains { $0.contains("the names differ") })
    }

    @Test func aHandleWithDigitsAddedCorroboratesAHandleThatSpellsTheName() throws {
        let score = try #require(
            PairScorer.score(
                person(1, "djelinski", login: "djelinski"), person(2, "Daniel Jelinski", login: "djelinski1")))
        #expect(score.confidence >= 0.9)
        #expect(score.evidence.contains { $0.contains("differ only in trailing digits") })
        // Alone it stays for a person to confirm.
        let alone = try #require(
            PairScorer.score(
                person(1, "qwertyuiop", login: "qwertyuiop"),
                person(2, "John Smith", login: "qwertyuiop1", integration: "jira")))
        #expect(alone.confidence < 0.9)
        // Two numbered handles, or short ones, do not corroborate.
        let numbered = try #require(
            PairScorer.score(
                person(1, "djelinski2", login: "djelinski2"), person(2, "Daniel Jelinski", login: "djelinski1")))
        #expect(numbered.confidence < 0.9)
        let short = try #require(
            PairScorer.score(person(1, "jsmith", login: "jsmith"), person(2, "Jane Smith", login: "jsmith1")))
        #expect(short.confidence < 0.9)
    }

    @Test func theUserOfALocalHostAddressIsAHandle() {
        #expect(MatchProfile.localHostUser("jdoe@laptop.local") == "jdoe")
        #expect(MatchProfile.localHostUser("jdoe@localhost.localdomain") == "jdoe")
        #expect(MatchProfile.localHostUser("jdoe@box.home.arpa") == "jdoe")
        #expect(MatchProfile.localHostUser("vagrant@box.local") == nil)
        #expect(MatchProfile.localHostUser("jdoe@example.org") == nil)
        let profile = person(1, "Jane Doe", email: "janedoe@jane-laptop.local")
        #expect(profile.handles == ["janedoe"])
        #expect(!profile.hasEmail)
        #expect(profile.placeholders == ["janedoe@jane-laptop.local"])
    }

    @Test func whereANameIsUsedIsNotPartOfIt() {
        #expect(person(1, "opensignature on GitHub").names == [["opensignature"]])
        #expect(person(1, "jdoe at gitlab").names == [["jdoe"]])
        #expect(person(1, "Jane Doe").names == [["jane", "doe"]])
    }

    @Test func aBotIsNeverPairedWithAHuman() {
        #expect(PairScorer.score(person(1, "Build Bot", bot: true), person(2, "Build Bot", integration: "jira")) == nil)
    }

    @Test func unrelatedPeopleScoreNothing() {
        #expect(PairScorer.score(person(1, "Jane Doe"), person(2, "John Smith", integration: "jira")) == nil)
    }

    @Test func jaroWinklerKnownValues() {
        #expect(abs(JaroWinkler.similarity("martha", "marhta") - 0.961) < 0.001)
        #expect(JaroWinkler.similarity("abc", "abc") == 1)
        #expect(JaroWinkler.similarity("abc", "xyz") == 0)
    }
}

@Suite struct GroupingAndSurvivorTests {
    @Test func survivorHasAnEmailThenMoreAccountsThenTheLowerID() {
        typealias C = SurvivorRule.Candidate
        #expect(
            SurvivorRule.survivor(of: [
                C(id: PersonID(1), hasEmail: false, accounts: 3), C(id: PersonID(2), hasEmail: true, accounts: 1),
            ]) == PersonID(2))
        #expect(
            SurvivorRule.survivor(of: [
                C(id: PersonID(1), hasEmail: true, accounts: 1), C(id: PersonID(2), hasEmail: true, accounts: 2),
            ]) == PersonID(2))
        #expect(
            SurvivorRule.survivor(of: [
                C(id: PersonID(3), hasEmail: true, accounts: 1), C(id: PersonID(2), hasEmail: true, accounts: 1),
            ]) == PersonID(2))
    }

    func person(_ id: Int64, _ name: String, _ integration: String, email: String? = nil) -> MatchProfile {
        MatchProfile(
            MatchPerson(
                id: PersonID(id), name: name, emails: email.map { [$0] } ?? [],
                accounts: [
                    MatchAccount(key: AccountKey(integration: integration, accountID: "\(id)"), displayName: name)
                ]))
    }

    @Test func threePeopleAreOneProposal() throws {
        let profiles = [
            person(1, "Jane Doe", "jira"), person(2, "Jane Doe", "github", email: "jane@x.org"),
            person(3, "Jane Doe", "slack", email: "jane@y.org"), person(4, "John Smith", "jira"),
        ]
        let drafts = Matcher().proposals(profiles)
        let draft = try #require(drafts.first)
        #expect(drafts.count == 1)
        #expect(draft.people == [PersonID(1), PersonID(2), PersonID(3)])
        #expect(draft.survivor == PersonID(2))
    }

    @Test func aRejectedPairIsNotProposedEvenThroughAThirdPerson() {
        let profiles = [person(1, "Jane Doe", "jira"), person(2, "Jane Doe", "github"), person(3, "Jane Doe", "slack")]
        let drafts = Matcher().proposals(profiles, rejected: [PersonPair(PersonID(1), PersonID(2))])
        for draft in drafts {
            #expect(!(draft.people.contains(PersonID(1)) && draft.people.contains(PersonID(2))))
        }
    }

    @Test func aSnowballIsFlaggedAndNotConfident() throws {
        // Each pair shares a GitHub login in noreply addresses; the three are different people by
        // name: one proposal, flagged.
        let people = [("Ann Lee", ["ann"]), ("Bob Ray", ["ann", "bobby"]), ("Cy Young", ["bobby"])]
        let profiles = people.enumerated().map { index, person in
            MatchProfile(
                MatchPerson(
                    id: PersonID(Int64(index + 1)), name: person.0,
                    emails: person.1.map { "\($0)@users.noreply.github.com" }))
        }
        let drafts = Matcher().proposals(profiles)
        #expect(drafts.count == 1)
        for draft in drafts { #expect(draft.confidence <= 0.5) }
        #expect(
            drafts.flatMap(\.flags).contains { $0.hasPrefix("snowball: 3 people with 3 different names") }, "\(drafts)")
    }

    @Test func aLargeGroupOfOneNameIsFlaggedSaySo() throws {
        // More people than a group may hold, all one name: flagged, in words that fit.
        let profiles = (1...8).map { index in
            MatchProfile(
                MatchPerson(
                    id: PersonID(Int64(index)), name: "Ann Lee",
                    accounts: [MatchAccount(key: AccountKey(integration: "i\(index)", accountID: "\(index)"))]))
        }
        let flags = Matcher().proposals(profiles).flatMap(\.flags)
        #expect(flags.contains("snowball: 8 people all with one name would become one; check each pair"), "\(flags)")
    }

    /// Groups of fewer than 16 edges take their lines without a set, larger ones with one: both
    /// keep each line and flag once, in order, with every member. Bots, so that every pair says
    /// "both are bots".
    @Test(arguments: [3, 8, 15, 16, 17, 40])
    func aGroupsLinesAndFlagsComeOnceWhateverItsSize(size: Int) throws {
        let profiles = (1...size).map { index in
            MatchProfile(
                MatchPerson(
                    id: PersonID(Int64(100 - index)), name: "Ann Lee",
                    accounts: [MatchAccount(key: AccountKey(integration: "i\(index)", accountID: "\(index)"))],
                    isBot: true))
        }
        let drafts = Matcher().proposals(profiles)
        let draft = try #require(drafts.first { $0.people.count == size })
        #expect(draft.people == profiles.map(\.id).sorted())
        #expect(Set(draft.evidence).count == draft.evidence.count)
        #expect(Set(draft.flags).count == draft.flags.count)
        // Each line names the pair it is about, so a group of n has at least n - 1 of them.
        #expect(draft.evidence.count >= size - 1)
        #expect(draft.flags.filter { $0 == "both are bots" }.count == 1)
        #expect(draft.flags.contains { $0.hasPrefix("snowball: \(size) people") } == (size > 6))
    }
}

@Suite struct MatchProfileTests {
    /// Handles are read by bytes when ASCII and by characters otherwise, to the same rules: the
    /// part before `+`, letters and digits only, at least three characters, role and generic
    /// words left out, and parts that are not all digits as a name.
    @Test(arguments: [
        ("Jane.Doe+lists", ["janedoe"], [["jane", "doe"]]),
        ("jane.doe.42", ["janedoe42"], [["jane", "doe"]]),
        ("j+x", [], []), ("admin", [], []), ("dev-team", ["devteam"], [["dev", "team"]]), ("support+jane", [], []),
        ("ab", [], []), ("123.456", ["123456"], []),
        ("Zoë.Ångström+x", ["zoeangstrom"], [["zoe", "angstrom"]]), ("zoë", ["zoe"], []),
        ("ünknown", [], []), ("李", [], []), ("李明华", ["李明华"], []),
        ("jürgen.٣٤", ["jurgen٣٤"], []),
    ])
    func handlesFollowOneRuleWhateverTheirScript(login: String, handles: [String], names: [[String]]) {
        let profile = MatchProfile(
            MatchPerson(
                id: PersonID(1), name: "x",
                accounts: [MatchAccount(key: AccountKey(integration: "github", accountID: "1"), login: login)]))
        #expect(Array(profile.handles) == handles)
        #expect(Array(profile.handleNames) == names)
    }

    /// The first two bare handles are kept in fields and the others in a list: every one of them
    /// must still be its handle without trailing digits, in order.
    @Test func bareHandlesAreTheHandlesWithoutTrailingDigitsWhateverTheirNumber() {
        let logins = ["jdoe42", "janedoe", "doejane2001", "jd-7", "jane.d.99"]
        let person = MatchPerson(
            id: PersonID(1), name: "Jane Doe", emails: ["jane.doe7@corp.example.org"],
            accounts: logins.enumerated().map { index, login in
                MatchAccount(key: AccountKey(integration: "git\(index)", accountID: "\(index)"), login: login)
            })
        let profile = MatchProfile(person)
        #expect(profile.handles.count >= 5)
        #expect(Array(profile.bareHandles) == profile.handles.map(NameNormaliser.withoutTrailingDigits))
        #expect(profile.bareHandles.contains("doejane"))
        #expect(profile.bareHandles.contains("jdoe"))
        #expect(MatchProfile(MatchPerson(id: PersonID(2), name: "No Handles")).bareHandles.isEmpty)
    }
}
