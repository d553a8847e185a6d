import Testing

@testable import RosterCore

/// The shortcuts of a full pass give the same answers as the plain rules.
@Suite struct MatchingShortcutTests {
    static let names = [
        "Jane Doe", "Doe Jane", "Jane Q. Doe", "J Doe", "Janet Doe", "Bill Gates", "William Gates", "Will Gates",
        "Zoë Ångström", "Zoe Angstrom", "Łukasz Kowalczyk", "Lukasz Kowalczyk", "Jürgen Straße", "mauke", "Ivan",
        "李 小龍", "Jon Smith", "John Smith", "Jon Smyth", "jdoe", "Tseng Jun", "Jun Tseng",
    ]
    static let logins: [String?] = [
        nil, "janedoe", "jdoe42", "doejane", "wgates", "billgates", "gatesw", "zoeangstrom", "jane.doe", "jsmith1",
        "kowalczyk", "李小龍", "jun-tseng", "junt",
    ]
    static let emails: [String?] = [
        nil, "jane.doe@corp.com", "jd@corp.com", "jane@gmail.com", "123+janedoe@users.noreply.github.com",
        "noreply@corp.com", "info@corp.com", "bill.gates.7@corp.com", "zoe@xn.example.net",
    ]

    static func profiles() -> [MatchProfile] {
        var profiles: [MatchProfile] = []
        var id: Int64 = 0
        for (n, name) in names.enumerated() {
            for step in 0..<4 {
                id += 1
                let login = logins[(n * 3 + step) % logins.count]
                let email = emails[(n + step * 5) % emails.count]
                let integration = ["github", "jira", "slack"][(n + step) % 3]
                profiles.append(
                    MatchProfile(
                        MatchPerson(
                            id: PersonID(id), name: name,
                            emails: email.flatMap { $0.contains("noreply") ? nil : $0 }.map { [$0] } ?? [],
                            accounts: [
                                MatchAccount(
                                    key: AccountKey(integration: integration, accountID: "a\(id)"), login: login,
                                    displayName: step == 3 ? names[(n + 1) % names.count] : name, email: email)
                            ])))
            }
        }
        return profiles
    }

    @Test func scoringWithoutLinesGivesTheSameConfidenceAndFlags() {
        let profiles = Self.profiles()
        var scored = 0
        for a in profiles {
            for b in profiles {
                let full = PairScorer.score(a, b)
                let quick = PairScorer.score(a, b, lines: false)
                #expect(full?.confidence == quick?.confidence)
                #expect(full?.flags == quick?.flags)
                #expect(quick?.evidence.isEmpty ?? true)
                if full != nil { scored += 1 }
            }
        }
        #expect(scored > 100)
    }

    @Test func handleEvidenceWithTheBareHandleGivenIsTheSame() {
        for login in Self.logins.compactMap({ $0 }) + ["jdoe", "doej", "janed", "wgates99", "billgates", "liamgates"] {
            let handle = NameNormaliser.compactHandle(login)
            for name in Self.names.map(NameNormaliser.tokens) {
                let plain = NameEvidence.handle(handle, name: name)
                let quick = NameEvidence.handle(
                    handle, bare: NameNormaliser.withoutTrailingDigits(handle), name: name, lines: false)
                #expect(plain?.score == quick?.score, "\(handle) \(name)")
                if NameEvidence.isASCII(handle), name.allSatisfy(NameEvidence.isASCII) {
                    let known = NameEvidence.handle(
                        handle, bare: NameNormaliser.withoutTrailingDigits(handle), name: name, lines: false,
                        ascii: true)
                    #expect(plain?.score == known?.score, "\(handle) \(name)")
                }
            }
        }
    }

    @Test func candidatesAreEveryPairThatSharesASmallBlockOnce() {
        let profiles = Self.profiles()
        var matcher = Matcher()
        matcher.blockLimit = 6
        var blocks: [UInt64: Set<Int>] = [:]
        for (index, profile) in profiles.enumerated() {
            for key in BlockingKeys.keys(of: profile) { blocks[BlockingKeys.hash(key), default: []].insert(index) }
        }
        var expected = Set<[Int]>()
        for members in blocks.values where members.count >= 2 && members.count <= matcher.blockLimit {
            let sorted = members.sorted()
            for (i, a) in sorted.enumerated() {
                for b in sorted[(i + 1)...] { expected.insert([a, b]) }
            }
        }
        let pairs = matcher.candidates(profiles)
        #expect(pairs.count == expected.count)
        #expect(Set(pairs.map { [$0.0, $0.1] }) == expected)
        #expect(pairs.map { [$0.0, $0.1] } == pairs.map { [$0.0, $0.1] }.sorted { $0.lexicographicallyPrecedes($1) })
        let focused = matcher.candidates(profiles, focus: [0, 5])
        #expect(Set(focused.map { [$0.0, $0.1] }) == expected.filter { $0.contains(0) || $0.contains(5) })
    }

    @Test func jaroWinklerIsTheSameOnASCIIAndOtherScalars() {
        let ascii = JaroWinkler.similarity("martha", "marhta")
        let other = JaroWinkler.similarity("märtha", "märhta")
        #expect(abs(ascii - 0.961) < 0.001)
        #expect(ascii == other)
        #expect(JaroWinkler.similarity("dixon", "dicksonx") == JaroWinkler.similarity("dïxon", "dïcksonx"))
        #expect(JaroWinkler.similarity("", "abc") == 0)
    }

    @Test func jaroWinklerOfJoinedTokensIsThatOfTheJoinedNames() {
        let names = Self.names.map(NameNormaliser.tokens) + [["jane", "q", "doe"], ["zoë", "ångström"]]
        for a in names {
            for b in names {
                #expect(
                    JaroWinkler.similarity(joined: a, b)
                        == JaroWinkler.similarity(a.joined(separator: " "), b.joined(separator: " ")))
            }
        }
    }

    @Test func aComparisonWithAFloorLeavesOutOnlyWeakerResults() {
        let names = Self.names.map(NameNormaliser.tokens) + [["j", "doe"], ["jane", "doe"], ["jane", "dough"]]
        for a in names {
            for b in names {
                let plain = NameEvidence.compare(a, b)
                let floored = NameEvidence.compare(a, b, lines: false, floor: 0.9)
                #expect(floored?.score == plain?.score || (floored == nil && (plain?.score ?? 0) < 0.9))
            }
        }
    }
}
