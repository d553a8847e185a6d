import Testing

@testable import RosterCore

/// Matching on several threads gives exactly the proposals of one thread.
@Suite struct ParallelMatchingTests {
    /// People as `bench/gen_people_accounts.py` makes them, with few names so that they collide:
    /// a GitHub account with a work address, some with a Jira twin without email or a Slack account.
    static func people(_ count: Int) -> [MatchPerson] {
        var random = SplitMix(seed: 7)
        let syllables = ["an", "be", "ca", "do", "el", "fi", "ga", "ho"]
        let given =
            ["William", "Bill", "Robert", "Jane", "Maria", "Wei", "Anna", "Jürgen", "Zoë", "Li"]
            + syllables.map { ($0 + "ri").capitalized }
        let last =
            ["Doe", "Gates", "Smith", "Smyth", "Ångström", "Kowalczyk", "Tseng", "Garcia", "Ng", "Okafor"]
            + syllables.flatMap { a in syllables.prefix(4).map { (a + $0 + "son").capitalized } }
        var people: [MatchPerson] = []
        for n in 0..<count {
            let first = given[Int(random.next() % UInt64(given.count))]
            let surname = last[Int(random.next() % UInt64(last.count))]
            let name = "\(first) \(surname)"
            let login = "\(first.prefix(1))\(surname)\(n)".lowercased()
            let email = "\(first).\(surname).\(n)@corp.example.org".lowercased()
            people.append(
                MatchPerson(
                    id: PersonID(Int64(people.count + 1)), name: name, emails: [email],
                    accounts: [
                        MatchAccount(
                            key: AccountKey(integration: "github", accountID: "g\(n)"), login: login,
                            displayName: name, email: email)
                    ]))
            switch random.next() % 20 {
            case 0, 1, 2:
                people.append(
                    MatchPerson(
                        id: PersonID(Int64(people.count + 1)), name: name,
                        accounts: [
                            MatchAccount(key: AccountKey(integration: "jira", accountID: "j\(n)"), displayName: name)
                        ]))
            case 3:
                let handle = "\(first)\(n)".lowercased()
                people.append(
                    MatchPerson(
                        id: PersonID(Int64(people.count + 1)), name: name, emails: ["\(handle)@gmail.com"],
                        accounts: [
                            MatchAccount(
                                key: AccountKey(integration: "slack", accountID: "s\(n)"), login: handle,
                                displayName: name, email: "\(handle)@gmail.com")
                        ]))
            default:
                break
            }
        }
        return people
    }

    @Test func severalThreadsGiveTheProposalsOfOne() {
        let people = Self.people(2500)
        let profiles = MatchProfile.profiles(of: people)
        #expect(MatchProfile.profiles(of: people, threads: 4).map(\.id) == profiles.map(\.id))
        var matcher = Matcher()
        // Small pieces, so that every step is cut into many.
        matcher.pairsPerPiece = 500
        let rejected: Set<PersonPair> = [PersonPair(profiles[0].id, profiles[1].id)]
        let sequential = matcher.proposals(profiles, rejected: rejected)
        matcher.threads = 4
        let parallel = matcher.proposals(profiles, rejected: rejected)
        #expect(sequential.count > 300)
        #expect(sequential.contains { $0.people.count > 2 })
        #expect(parallel == sequential)
        matcher.pairsPerPiece = 50_000
        #expect(matcher.proposals(profiles, rejected: rejected) == sequential)
        // The keys and blocks themselves, on one thread and on three.
        let one = try? Matcher().prepare(profiles, checkpoint: { true })
        matcher.threads = 3
        let three = try? matcher.prepare(profiles, checkpoint: { true })
        #expect(one?.keys == three?.keys)
        #expect(one?.blocks.members == three?.blocks.members && one?.blocks.starts == three?.blocks.starts)
        #expect(one?.blocks.hashes == three?.blocks.hashes && one?.blocks.keyHashes == three?.blocks.keyHashes)
        #expect(one?.blocks.keyStart == three?.blocks.keyStart)
        #expect((one?.blocks.hashes.count ?? 0) > 100)
    }

    /// A proposal of three or more people shows each of its pairs' lines after the pair's ids:
    /// those lines are the pair's own, even for the confident pairs that a weaker group around
    /// their group shows again (their lines are scored once for both).
    @Test func eachPairsLinesAreItsOwn() throws {
        let profiles = MatchProfile.profiles(of: Self.people(2500))
        let byID = Dictionary(uniqueKeysWithValues: profiles.map { ($0.id, $0) })
        var matcher = Matcher()
        matcher.threads = 2
        let drafts = matcher.proposals(profiles)
        var checked = 0
        // The pairs each proposal shows, to find some shown by two.
        var showings: [String: Int] = [:]
        for draft in drafts where draft.people.count > 2 {
            var pairs = Set<String>()
            for line in draft.evidence {
                let parts = line.split(separator: ": ", maxSplits: 1)
                let ids = try parts[0].split(separator: " and ").map { try #require(PersonID(parsing: $0)) }
                let (a, b) = (try #require(byID[ids[0]]), try #require(byID[ids[1]]))
                let own = try #require(PairScorer.score(a, b))
                #expect(own.evidence.contains(String(parts[1])), "\(line)")
                checked += 1
                pairs.insert(String(parts[0]))
            }
            for pair in pairs { showings[pair, default: 0] += 1 }
        }
        #expect(checked > 100)
        #expect(showings.values.contains { $0 > 1 })
    }

    @Test func profilesBuiltTogetherShareEqualListsAndScoreAsProfilesBuiltAlone() {
        let people = Self.people(1500)
        let together = MatchProfile.profiles(of: people, threads: 2)
        let alone = people.map { MatchProfile($0) }
        func fields(_ profile: MatchProfile) -> String {
            "\(profile.names) \(profile.handles) \(profile.bareHandles) \(profile.handleNames) "
                + "\(profile.hasEmail) \(profile.privateDomains) \(profile.integrations) \(profile.githubUsers)"
        }
        #expect(together.map(fields) == alone.map(fields))
        #expect(Matcher().proposals(together) == Matcher().proposals(alone))
        // One buffer for the GitHub-only people of a piece: the first two of them.
        let github = together.filter { $0.integrations == ["github"] }
        func storage<T>(_ list: [T]) -> UnsafeRawPointer? {
            list.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        #expect(github.count > 2 && storage(github[0].integrations) == storage(github[1].integrations))
        let githubAlone = alone.filter { $0.integrations == ["github"] }
        #expect(storage(githubAlone[0].integrations) != storage(githubAlone[1].integrations))
        // The tokens of one name are kept once among the profiles of a piece (two pieces of 750
        // people here), and a handle that reads as the person's name uses the name's tokens.
        let byName = Dictionary(grouping: together.prefix(700).filter { !$0.names.isEmpty }) { $0.names[0] }
        let named = byName.values.first { $0.count >= 2 }!
        #expect(storage(named[0].names[0]) == storage(named[1].names[0]))
        let spelled = together.first { !$0.handleNames.isEmpty && $0.names.contains($0.handleNames[0]) }!
        #expect(storage(spelled.handleNames[0]) == storage(spelled.names.first { $0 == spelled.handleNames[0] }!))
    }

    @Test(arguments: [1, 2, 3])
    func profilesBuiltWhileReadingComeOutInOrderAsBuiltAlone(threads: Int) {
        let people = Self.people(3000)
        let alone = people.map { MatchProfile($0) }
        func fields(_ profile: MatchProfile) -> String {
            "\(profile.id) \(profile.names) \(profile.handles) \(profile.handleNames) \(profile.integrations)"
        }
        let pipeline = ProfilePipeline(placeholderPatterns: [], threads: threads)
        // Chunks of every size, an empty one among them.
        let sizes = [1, 0, 700, 33, 1024]
        var (start, turn) = (0, 0)
        while start < people.count {
            let end = min(start + sizes[turn % sizes.count], people.count)
            pipeline.add(Array(people[start..<end]))
            (start, turn) = (end, turn + 1)
        }
        pipeline.add([])
        let built = pipeline.finish()
        #expect(built.map(fields) == alone.map(fields))
        #expect(Matcher().proposals(built) == Matcher().proposals(alone))
    }

    // A helper left waiting would hang the test: the limit makes that a failure.
    @Test(.timeLimit(.minutes(1))) func aPipelineStoppedHalfWayLetsItsHelperGo() {
        let people = Self.people(2000)
        let pipeline = ProfilePipeline(placeholderPatterns: [], threads: 2)
        pipeline.add(Array(people[..<1000]))
        pipeline.add(Array(people[1000...]))
        // Returns (the helper is not left waiting), with what was added built.
        pipeline.stop()
        #expect(pipeline.finish().map(\.id) == people.map(\.id))
    }

    @Test func aStoppedParallelPassStops() {
        let profiles = MatchProfile.profiles(of: Self.people(1000), threads: 2)
        var matcher = Matcher()
        matcher.threads = 2
        matcher.pairsPerPiece = 500
        var asked = 0
        #expect(throws: MatchingStopped.self) {
            try matcher.proposals(
                profiles,
                checkpoint: {
                    asked += 1
                    return asked < 3
                })
        }
    }

    /// A small deterministic generator (SplitMix64), so that the generated people are the same on every run.
    struct SplitMix {
        var state: UInt64

        init(seed: UInt64) { state = seed }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

/// A full pass computes each person's keys once, for the index and the matching.
@Suite struct PreparedMatchingTests {
    @Test func preparedKeysAreEveryPersonsKeysInTheIndexOrder() throws {
        let profiles = MatchProfile.profiles(of: ParallelMatchingTests.people(600))
        var matcher = Matcher()
        matcher.threads = 2
        let prepared = try matcher.prepare(profiles, checkpoint: { true })
        var expected: [Matcher.Key] = []
        for (index, profile) in profiles.enumerated() {
            for hash in Set(BlockingKeys.keys(of: profile).map(BlockingKeys.hash)) {
                expected.append(Matcher.Key(hash: hash, index: UInt32(index)))
            }
        }
        // The store's order: the hash as a signed integer, then the person.
        expected.sort { (Int64(bitPattern: $0.hash), $0.index) < (Int64(bitPattern: $1.hash), $1.index) }
        #expect(prepared.keys == expected)
        #expect(prepared.keys.count > profiles.count * 3)
    }

    @Test func proposalsFromPreparedKeysAreThoseOfAPlainPass() throws {
        let profiles = MatchProfile.profiles(of: ParallelMatchingTests.people(1500))
        var matcher = Matcher()
        matcher.pairsPerPiece = 500
        let rejected: Set<PersonPair> = [PersonPair(profiles[0].id, profiles[1].id)]
        let plain = matcher.proposals(profiles, rejected: rejected)
        var prepared = try matcher.prepare(profiles, checkpoint: { true })
        prepared.keys = []  // as the desk leaves it once the index is stored
        var timings = Matcher.Timings()
        let fromPrepared = try matcher.proposals(
            prepared, profiles: profiles, rejected: rejected, timings: &timings, checkpoint: { true })
        #expect(plain.count > 100)
        #expect(fromPrepared == plain)
        // Given up by the caller, as the desk does: the profiles of people in no proposal are
        // dropped before the drafts are written, which must change nothing.
        let given = MatchProfile.profiles(of: ParallelMatchingTests.people(1500))
        let again = try matcher.prepare(given, checkpoint: { true })
        let fromGiven = try matcher.proposals(
            again, profiles: consume given, rejected: rejected, timings: &timings, checkpoint: { true })
        #expect(fromGiven == plain)
        #expect(timings.scoring > .zero && timings.grouping > .zero && timings.drafting > .zero)
    }
}

@Suite struct KeySortTests {
    @Test(arguments: [0, 1, 2, 1000, 70_000])
    func keysAreSortedAsTheIndexKeepsThemBySignedHashThenIndex(count: Int) {
        var random = ParallelMatchingTests.SplitMix(seed: UInt64(count))
        // Few distinct hashes, spread over all 64 bits (both signs), so that equal hashes are
        // common; each person's own hashes distinct and sorted, as a pass computes them.
        let hashes = (0..<max(1, count / 8)).map { _ in random.next() }
        var starts = [0]
        var personHashes: [UInt64] = []
        while personHashes.count < count {
            let own = Set((0..<Int(random.next() % 6)).map { _ in hashes[Int(random.next() % UInt64(hashes.count))] })
            personHashes += own.sorted().prefix(count - personHashes.count)
            starts.append(personHashes.count)
        }
        var expected: [Matcher.Key] = []
        for person in 0..<(starts.count - 1) {
            for position in starts[person]..<starts[person + 1] {
                expected.append(Matcher.Key(hash: personHashes[position], index: UInt32(person)))
            }
        }
        expected.sort { (Int64(bitPattern: $0.hash), $0.index) < (Int64(bitPattern: $1.hash), $1.index) }
        let sorted = Matcher.Key.sorted(personHashes, starts: starts)
        #expect(sorted == expected)
        #expect(Matcher.Key.sorted(personHashes, starts: starts, threads: 2) == expected)
        #expect(Matcher.Key.sorted(personHashes, starts: starts, threads: 3) == expected)
        if count >= 1000 {
            #expect(sorted.contains { $0.hash >= 1 << 63 } && sorted.contains { $0.hash < 1 << 63 })
        }
    }
}

/// Grouping takes the edges stronger first, then by pair, however many threads sort them.
@Suite struct EdgeSortTests {
    @Test(arguments: [0, 1, 2, 1000, 50_000])
    func edgesAreSortedAsGroupingTakesThem(count: Int) {
        var random = ParallelMatchingTests.SplitMix(seed: UInt64(count) + 1)
        // Distinct pairs, a few confidences taking most edges (as the scorer's rules make them),
        // both ends of the range, and flagged edges among the others.
        var pairs = Set<UInt64>()
        var edges: [Matcher.Edge] = []
        let common = [0.93, 0.85, 0.97, 0.75]
        while edges.count < count {
            let low = Int(random.next() % 5000)
            let high = low + 1 + Int(random.next() % 5000)
            guard pairs.insert(UInt64(low) << 32 | UInt64(high)).inserted else { continue }
            let roll = random.next() % 10
            let confidence =
                roll < 6
                ? common[Int(roll % 4)] : roll == 6 ? 1.0 : roll == 7 ? 0.0 : Double(random.next() % 1001) / 1000
            let flags = random.next() % 7 == 0 ? ["flagged"] : []
            edges.append(
                Matcher.Edge(a: low, b: high, score: PairScore(confidence: confidence, evidence: [], flags: flags)))
        }
        let expected = edges.sorted(by: Matcher.Edge.grouped)
        for threads in [1, 2, 3] {
            var sorted = edges
            Matcher.Edge.sortForGrouping(&sorted, threads: threads)
            #expect(sorted.map(\.low) == expected.map(\.low), "threads: \(threads)")
            #expect(sorted.map(\.high) == expected.map(\.high), "threads: \(threads)")
            #expect(sorted.map(\.thousandths) == expected.map(\.thousandths), "threads: \(threads)")
            #expect(sorted.map(\.strong) == expected.map(\.strong), "threads: \(threads)")
        }
    }
}

/// Scoring without lines gives the confidence and flags of scoring with them.
@Suite struct ScoreWithoutLinesTests {
    @Test func scoresWithoutLinesAreTheScoresWithLines() {
        let profiles = MatchProfile.profiles(of: ParallelMatchingTests.people(2000))
        var scored = 0
        for (a, b) in Matcher().candidates(profiles) {
            // With lines, each pair is scored by the rules written out in full, name by name.
            let withLines = PairScorer.score(profiles[a], profiles[b], lines: true)
            let withoutLines = PairScorer.score(profiles[a], profiles[b], lines: false)
            #expect(withoutLines?.confidence == withLines?.confidence, "\(profiles[a].id) and \(profiles[b].id)")
            #expect(withoutLines?.flags == withLines?.flags)
            #expect(withoutLines?.evidence ?? [] == [])
            if withLines != nil { scored += 1 }
        }
        #expect(scored > 500)
    }
}
