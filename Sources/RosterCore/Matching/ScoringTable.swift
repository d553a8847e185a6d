/// What scoring a pair without lines reads of every profile, as 64-bit keys in one flat array:
/// ``score(_:_:view:profiles:memo:)`` gives what ``PairScorer/score(_:_:lines:memo:)`` gives
/// without lines, reading the profiles themselves only for what the keys can't answer (a name or a
/// handle not yet compared in this piece, GitHub users, placeholders, names without evidence).
///
/// Written by hand because reading the profiles for every pair was most of the cost of a full
/// pass: scoring the 20 million candidate pairs of `bench/proposals.sh 1000000` took 22.5 s of CPU,
/// and a third of its samples were the retains and releases of the profiles and of their lists,
/// another twentieth hashing the same names again for every pair (perf). Here a pair reads only
/// integers, through buffers taken once per piece of the pass.
///
/// Names, handles, domains, integrations and addresses are compared by 64-bit hashes, as the memo
/// and ``MatchProfile/sharesEmail(with:)`` already did: two different texts would have to collide
/// on all 64 bits to be taken for one.
struct ScoringTable: Sendable {
    /// One profile's place in `pool` and what it holds: its names, handles, bare handles, private
    /// domains, integrations and addresses, in that order, and its flags.
    struct Person {
        var start: UInt32 = 0
        var names: UInt8 = 0
        var handles: UInt8 = 0
        var bares: UInt8 = 0
        var domains: UInt8 = 0
        var integrations: UInt8 = 0
        var emails: UInt8 = 0
        var flags: UInt8 = 0
    }

    /// What a ``Person``'s `flags` say.
    enum Flag {
        static let bot: UInt8 = 1
        static let ascii: UInt8 = 2
        static let fullName: UInt8 = 4
        static let shared: UInt8 = 8
        static let github: UInt8 = 16
        static let placeholders: UInt8 = 32
        /// More than 255 of a kind, or past the pool's 32-bit offsets: scored by ``PairScorer``.
        static let unlisted: UInt8 = 64
    }

    private(set) var people: [Person] = []
    private(set) var pool: [UInt64] = []

    /// The table of `profiles`, built in pieces on up to `threads` threads.
    init(_ profiles: [MatchProfile], threads: Int = 1) {
        let pieces = ParallelWork.ranges(profiles.count, pieces: max(1, (profiles.count + 4095) / 4096))
        var built = ParallelWork.map(pieces.count, threads: threads) { piece in
            var people: [Person] = []
            var pool: [UInt64] = []
            people.reserveCapacity(pieces[piece].count)
            pool.reserveCapacity(pieces[piece].count * 6)
            for index in pieces[piece] { people.append(Self.add(profiles[index], to: &pool)) }
            return (people, pool)
        }
        people.reserveCapacity(profiles.count)
        pool.reserveCapacity(built.reduce(0) { $0 + $1.1.count })
        for piece in built.indices {
            let base = pool.count
            for var person in built[piece].0 {
                if person.flags & Flag.unlisted == 0, let start = UInt32(exactly: base + Int(person.start)) {
                    person.start = start
                } else {
                    person = Person(flags: Flag.unlisted)
                }
                people.append(person)
            }
            pool += built[piece].1
            built[piece] = ([], [])
        }
    }

    /// `profile`'s keys, appended to `pool`, and its place there (relative to `pool`'s start).
    private static func add(_ profile: MatchProfile, to pool: inout [UInt64]) -> Person {
        let start = pool.count
        func count(_ added: Int) -> UInt8? { UInt8(exactly: added) }
        let names = pool.count
        for i in profile.names.indices { pool.append(nameKey(profile.names[i])) }
        let handles = pool.count
        for i in profile.handles.indices { pool.append(handleKey(profile.handles[i])) }
        let bares = pool.count
        // Only bare handles of 8 bytes or more take part (``PairScorer``'s digits rule).
        for i in profile.bareHandles.indices where profile.bareHandles[i].utf8.count >= 8 {
            pool.append(handleKey(profile.bareHandles[i]))
        }
        let domains = pool.count
        for domain in profile.privateDomains { pool.append(BlockingKeys.hash(domain)) }
        let integrations = pool.count
        for integration in profile.integrations {
            let key = BlockingKeys.hash(integration)
            if !pool[integrations...].contains(key) { pool.append(key) }
        }
        let emails = pool.count
        // Addresses matter only beside a private domain in common.
        if !profile.privateDomains.isEmpty { pool += profile.emailHashes }
        var flags: UInt8 = 0
        if profile.isBot { flags |= Flag.bot }
        if profile.isASCII { flags |= Flag.ascii }
        if PairScorer.hasFullName(profile) { flags |= Flag.fullName }
        if profile.sharedMailbox != nil { flags |= Flag.shared }
        if !profile.githubUsers.isEmpty { flags |= Flag.github }
        if !profile.placeholders.isEmpty { flags |= Flag.placeholders }
        guard let nameCount = count(handles - names), let handleCount = count(bares - handles),
            let bareCount = count(domains - bares), let domainCount = count(integrations - domains),
            let integrationCount = count(emails - integrations), let emailCount = count(pool.count - emails),
            let relative = UInt32(exactly: start)
        else {
            pool.removeSubrange(start...)
            return Person(flags: flags | Flag.unlisted)
        }
        return Person(
            start: relative, names: nameCount, handles: handleCount, bares: bareCount, domains: domainCount,
            integrations: integrationCount, emails: emailCount, flags: flags)
    }

    /// A name's key: the FNV-1a hash of its tokens, each followed by a separator, mixed with their
    /// count and their length in bytes.
    static func nameKey(_ tokens: [String]) -> UInt64 {
        var hash = FNV1a()
        var bytes = 0
        for token in tokens {
            hash.add(token.utf8)
            hash.add(0x1F)
            bytes += token.utf8.count
        }
        return mix64(hash.value, UInt64(bytes << 8 | min(tokens.count, 255)))
    }

    /// A handle's key: its hash, with its length in the low two bits as ``PairScorer`` weighs a
    /// login in common (0: under 4 characters, 1: 4, 2: 5, 3: 6 or more).
    static func handleKey(_ handle: String) -> UInt64 {
        let count = NameEvidence.isASCII(handle) ? handle.utf8.count : handle.count
        let tier: UInt64 = count >= 6 ? 3 : count >= 5 ? 2 : count >= 4 ? 1 : 0
        return BlockingKeys.hash(handle) & ~3 | tier
    }

    /// The table's arrays for one piece of scoring, read without retaining them pair by pair.
    struct View {
        let people: UnsafeBufferPointer<Person>
        let pool: UnsafeBufferPointer<UInt64>

        @inline(__always)
        func contains(_ key: UInt64, in range: Range<Int>) -> Bool {
            for i in range where pool[i] == key { return true }
            return false
        }

        @inline(__always)
        func intersect(_ left: Range<Int>, _ right: Range<Int>) -> Bool {
            for i in left where contains(pool[i], in: right) { return true }
            return false
        }
    }

    /// `body` with a ``View`` of this table.
    func withView<Result>(_ body: (View) throws -> Result) rethrows -> Result {
        try people.withUnsafeBufferPointer { people in
            try pool.withUnsafeBufferPointer { pool in try body(View(people: people, pool: pool)) }
        }
    }

    /// What scoring found for names in one piece of a pass, so that the pairs of a block are not
    /// each compared from scratch: in a block of people with one name, every member's handles were
    /// read against that same name once per partner (the handle rules and name comparisons were
    /// two thirds of scoring a full pass over `bench/proposals.sh 300000`, perf).
    ///
    /// Both tables are sized for a piece of a full pass over `bench/proposals.sh 1000000`, which
    /// keeps up to 3,000 names and 13,000 handles: growing them from 1,024 was a hundredth of the
    /// scoring (perf). Together they take 1.3 MB per thread.
    struct Memo {
        struct NamePair: MemoKey {
            var left: UInt64
            var right: UInt64
            var mixed: UInt64 { mix64(left, right &* 0x9E37_79B9_7F4A_7C15) }
        }
        struct Handles: MemoKey {
            var person: UInt32
            var name: UInt64
            var mixed: UInt64 { mix64(name, UInt64(person)) }
        }
        /// ``NameEvidence/compare(_:_:lines:floor:)`` of two names; 0 when it found nothing.
        var names = ScoreTable<NamePair>(capacity: 4096)
        /// The best a person's handles say about a name (``PairScorer/handleScore(_:_:ascii:)``);
        /// 0 when nothing.
        var handles = ScoreTable<Handles>(capacity: 16_384)
    }

    /// ``PairScorer/score(_:_:lines:memo:)`` of `profiles[a]` and `profiles[b]` without lines: the
    /// confidence (rounded to thousandths) and whether it is flagged; nil when the pair does not
    /// score. The steps are ``PairScorer``'s, in its order, so that the numbers are the same.
    static func score(
        _ a: Int, _ b: Int, view: View, profiles: [MatchProfile], memo: inout Memo
    ) -> (confidence: Double, flagged: Bool)? {
        let (left, right) = (view.people[a], view.people[b])
        if (left.flags | right.flags) & Flag.unlisted != 0 {
            guard let score = PairScorer.score(profiles[a], profiles[b], lines: false) else { return nil }
            return (score.confidence, !score.flags.isEmpty)
        }
        let both = left.flags & right.flags
        if (left.flags ^ right.flags) & Flag.bot != 0 { return nil }
        var flagged = both & Flag.bot != 0

        let aNames = Int(left.start)..<(Int(left.start) + Int(left.names))
        let aHandles = aNames.upperBound..<(aNames.upperBound + Int(left.handles))
        let aBares = aHandles.upperBound..<(aHandles.upperBound + Int(left.bares))
        let aDomains = aBares.upperBound..<(aBares.upperBound + Int(left.domains))
        let aIntegrations = aDomains.upperBound..<(aDomains.upperBound + Int(left.integrations))
        let aEmails = aIntegrations.upperBound..<(aIntegrations.upperBound + Int(left.emails))
        let bNames = Int(right.start)..<(Int(right.start) + Int(right.names))
        let bHandles = bNames.upperBound..<(bNames.upperBound + Int(right.handles))
        let bBares = bHandles.upperBound..<(bHandles.upperBound + Int(right.bares))
        let bDomains = bBares.upperBound..<(bBares.upperBound + Int(right.domains))
        let bIntegrations = bDomains.upperBound..<(bDomains.upperBound + Int(right.integrations))
        let bEmails = bIntegrations.upperBound..<(bIntegrations.upperBound + Int(right.emails))
        let pool = view.pool

        // Names: the best of every pair of them.
        var (nameBest, hasName) = (0.0, false)
        for i in aNames {
            for j in bNames {
                let key = Memo.NamePair(left: pool[i], right: pool[j])
                let score: Double
                if let known = memo.names[key] {
                    score = known
                } else {
                    score =
                        NameEvidence.compare(
                            profiles[a].names[i - aNames.lowerBound], profiles[b].names[j - bNames.lowerBound],
                            lines: false)?.score ?? 0
                    memo.names[key] = score
                }
                if score > nameBest { (nameBest, hasName) = (score, true) }
            }
        }
        // Handles in common, then what each one's handles say about the other's names.
        var (handleBest, hasHandle) = (0.0, false)
        var handleInCommon = false
        for i in aHandles where view.contains(pool[i], in: bHandles) {
            handleInCommon = true
            let tier = pool[i] & 3
            guard tier > 0 else { continue }
            let score = tier == 3 ? 0.93 : tier == 2 ? 0.85 : 0.75
            if score > handleBest { (handleBest, hasHandle) = (score, true) }
        }
        let ascii = both & Flag.ascii != 0
        func handleEvidence(_ one: Int, _ other: Int, _ names: Range<Int>) {
            for i in names {
                let key = Memo.Handles(person: UInt32(one), name: pool[i])
                let score: Double
                if let known = memo.handles[key] {
                    score = known
                } else {
                    score = PairScorer.handleScore(
                        profiles[one], profiles[other].names[i - names.lowerBound], ascii: ascii)
                    memo.handles[key] = score
                }
                if score > handleBest { (handleBest, hasHandle) = (score, true) }
            }
        }
        handleEvidence(a, b, bNames)
        handleEvidence(b, a, aNames)
        // One's handle is the other's plus trailing digits.
        if !handleInCommon,
            aBares.contains(where: {
                view.contains(pool[$0], in: bBares)
                    && (view.contains(pool[$0], in: aHandles) || view.contains(pool[$0], in: bHandles))
            })
        {
            let score = 0.88
            if hasHandle {
                let (high, low) = handleBest >= score ? (handleBest, score) : (score, handleBest)
                handleBest = 1 - (1 - high) * (1 - 0.6 * low)
            } else {
                (handleBest, hasHandle) = (score, true)
            }
        }
        var sameGitHubUser = false
        if both & Flag.github != 0 {
            let (x, y) = (profiles[a], profiles[b])
            for user in x.githubUsers where y.githubUsers.contains(user) {
                if user.hasPrefix("id ") {
                    if (hasHandle ? handleBest : 0) < 0.85 { (handleBest, hasHandle) = (0.85, true) }
                } else {
                    (handleBest, hasHandle) = (0.97, true)
                    sameGitHubUser = true
                    break
                }
            }
        }
        let strongest: Double
        let second: Double?
        switch (hasName, hasHandle) {
        case (false, false): return nil
        case (true, false): (strongest, second) = (nameBest, nil)
        case (false, true): (strongest, second) = (handleBest, nil)
        case (true, true): (strongest, second) = handleBest > nameBest ? (handleBest, nameBest) : (nameBest, handleBest)
        }
        var confidence = strongest
        if let second { confidence = 1 - (1 - confidence) * (1 - 0.6 * second) }

        if !sameGitHubUser, hasName, nameBest != 0.97, nameBest != 0.92, both & Flag.fullName != 0,
            !view.intersect(aNames, bNames)
        {
            confidence = min(confidence, 0.89)
        }
        // Negative evidence.
        if (hasName ? nameBest : 0) < 0.92, view.intersect(aDomains, bDomains), !view.intersect(aEmails, bEmails) {
            confidence *= 0.6
        }
        if view.intersect(aIntegrations, bIntegrations) { confidence *= 0.97 }
        if !hasName, !sameGitHubUser, both & Flag.fullName != 0 {
            let (x, y) = (profiles[a], profiles[b])
            let compatible = x.names.contains { left in
                y.names.contains { NameEvidence.compatibleByForm(left, $0) ?? false }
            }
            if !compatible { confidence *= 0.5 }
        }
        if !hasName, both & Flag.placeholders != 0,
            profiles[a].placeholders.contains(where: profiles[b].placeholders.contains)
        {
            confidence *= 0.5
        }
        if (left.flags | right.flags) & Flag.shared != 0 { flagged = true }
        if flagged { confidence = min(confidence, 0.5) }
        guard confidence >= PairScorer.floor || flagged && strongest >= PairScorer.floor else { return nil }
        return ((confidence * 1000).rounded() / 1000, flagged)
    }
}
