import Foundation

/// What scoring a pair without lines reads of every profile, as 64-bit keys in one flat array:
/// ``score(_:_:view:profiles:memo:)`` gives what ``PairScorer/score(_:_:lines:)`` gives
/// without lines, reading the profiles themselves only for what the keys can't answer (a name or a
/// handle not yet compared in this piece, GitHub users, placeholders, names without evidence).
///
/// Written by hand because reading the profiles for every pair was most of the cost of a full
/// pass: scoring the 20 million candidate pairs of `bench/proposals.sh 1000000` took 22.5 s of CPU,
/// and a third of its samples were the retains and releases of the profiles and of their lists,
/// another twentieth hashing the same names again for every pair (perf). Here a pair reads only
/// integers, through buffers taken once per piece of the pass.
///
/// Names, handles, domains, integrations and addresses are compared by 64-bit hashes of their
/// bytes in Unicode's composed form (``textHash(_:)``), so that texts `String`'s `==` takes for
/// one (``PairScorer`` compares with it) get one key; ``MatchProfile/sharesEmail(with:)`` compares
/// addresses so too. Two different texts would have to collide on all 64 bits to be taken for one.
struct ScoringTable: Sendable {
    /// One profile's place in `pool` and what it holds: its names, handles, bare handles, private
    /// domains, integrations (unless `integrationBits` has them) and addresses, in that order, and
    /// its flags.
    struct Person {
        var start: UInt32 = 0
        var names: UInt8 = 0
        var handles: UInt8 = 0
        /// Handles without their trailing digits, of 8 bytes or more (``PairScorer``'s digits
        /// rule): only those that had digits, the others being handles already.
        var bares: UInt8 = 0
        var domains: UInt8 = 0
        var integrations: UInt8 = 0
        var emails: UInt8 = 0
        /// One bit per integration of ``ScoringTable/integrationBits``.
        var integrationBits: UInt8 = 0
        var flags: UInt8 = 0

        /// Where its names, handles, bare handles, domains, integrations and addresses are in the pool.
        var ranges: (Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>) {
            var next = Int(start)
            func take(_ count: UInt8) -> Range<Int> {
                defer { next += Int(count) }
                return next..<(next + Int(count))
            }
            return (take(names), take(handles), take(bares), take(domains), take(integrations), take(emails))
        }

        /// How many keys it has in the pool.
        var keys: Int { Int(names) + Int(handles) + Int(bares) + Int(domains) + Int(integrations) + Int(emails) }
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

    /// The integrations, when there are at most 8, each a bit of ``Person/integrationBits``; nil
    /// when there are more, and each person's are in the pool. Most rosters have a few (as bits, a
    /// tenth of the table of `bench/proposals.sh 1000000` is saved).
    private(set) var integrationBits: [String]?

    private(set) var people: [Person] = []
    private(set) var pool: [UInt64] = []

    /// The table of `profiles`, built in pieces on up to `threads` threads.
    ///
    /// Each person's place and counts come first, then every piece writes its keys at its place in
    /// the one array: pieces of their own, joined afterwards, held the keys twice at the peak of a
    /// full pass over `bench/proposals.sh 1000000` (1,029 MB against 897 MB before the table).
    init(_ profiles: [MatchProfile], threads: Int = 1) {
        // Profiles built together share their lists of integrations: most are the one before's.
        var integrations: [String]? = []
        var previous: [String] = []
        for profile in profiles where profile.integrations != previous {
            previous = profile.integrations
            for integration in previous where !(integrations?.contains(integration) ?? true) {
                integrations?.append(integration)
                if integrations!.count > 8 { integrations = nil }
            }
            if integrations == nil { break }
        }
        integrationBits = integrations
        let bits = integrations
        let pieces = ParallelWork.ranges(profiles.count, pieces: max(1, (profiles.count + 4095) / 4096))
        people = [Person](unsafeUninitializedCapacity: profiles.count) { people, initialized in
            let output = DisjointWrites(start: people.baseAddress)
            _ = ParallelWork.map(pieces.count, threads: threads) { piece in
                for index in pieces[piece] {
                    (output.start! + index).initialize(to: Self.counted(profiles[index], bits: bits))
                }
            }
            initialized = profiles.count
        }
        var total = 0
        for index in people.indices where people[index].flags & Flag.unlisted == 0 {
            if let start = UInt32(exactly: total) {
                people[index].start = start
                total += people[index].keys
            } else {
                people[index] = Person(flags: people[index].flags | Flag.unlisted)
            }
        }
        pool = [UInt64](unsafeUninitializedCapacity: total) { pool, initialized in
            let output = DisjointWrites(start: pool.baseAddress)
            _ = ParallelWork.map(pieces.count, threads: threads) { [people] piece in
                for index in pieces[piece] where people[index].flags & Flag.unlisted == 0 {
                    Self.write(profiles[index], bits: bits != nil, at: output.start! + Int(people[index].start))
                }
            }
            initialized = total
        }
    }

    /// Whether `profile`'s bare handle `index` is of 8 bytes or more and not the handle itself (it
    /// had trailing digits), told from the handle's bytes without making the bare handle.
    private static func isDigitsBare(_ profile: MatchProfile, _ index: Int) -> Bool {
        let utf8 = profile.handles[index].utf8
        var digits = 0
        for byte in utf8.reversed() {
            guard (0x30...0x39).contains(byte) else { break }
            digits += 1
        }
        return digits > 0 && utf8.count - digits >= 8
    }

    /// Whether `integrations[index]` is its first occurrence: the integrations are kept once each.
    private static func isFirst(_ integrations: [String], _ index: Int) -> Bool {
        !integrations[..<index].contains(integrations[index])
    }

    /// `profile`'s counts and flags (its start left at 0); unlisted when a count is past 255.
    /// `bits`: ``integrationBits``.
    private static func counted(_ profile: MatchProfile, bits: [String]?) -> Person {
        var flags: UInt8 = 0
        if profile.isBot { flags |= Flag.bot }
        if profile.isASCII { flags |= Flag.ascii }
        if PairScorer.hasFullName(profile) { flags |= Flag.fullName }
        if profile.sharedMailbox != nil { flags |= Flag.shared }
        if !profile.githubUsers.isEmpty { flags |= Flag.github }
        if !profile.placeholders.isEmpty { flags |= Flag.placeholders }
        var bares = 0
        for i in profile.handles.indices where isDigitsBare(profile, i) { bares += 1 }
        var mask: UInt8 = 0
        let integrations: Int
        if let bits {
            for integration in profile.integrations { mask |= 1 << bits.firstIndex(of: integration)! }
            integrations = 0
        } else {
            integrations = profile.integrations.indices.count { isFirst(profile.integrations, $0) }
        }
        // Addresses matter only beside a private domain in common.
        let emails = profile.privateDomains.isEmpty ? 0 : profile.emailHashes.count
        let counts = [
            profile.names.count, profile.handles.count, bares, profile.privateDomains.count, integrations, emails,
        ]
        guard counts.allSatisfy({ $0 <= 255 }) else { return Person(flags: flags | Flag.unlisted) }
        return Person(
            names: UInt8(counts[0]), handles: UInt8(counts[1]), bares: UInt8(counts[2]), domains: UInt8(counts[3]),
            integrations: UInt8(counts[4]), emails: UInt8(counts[5]), integrationBits: mask, flags: flags)
    }

    /// Writes `profile`'s keys from `start` on, as many as ``counted(_:bits:)`` counted, in the order
    /// ``Person`` gives.
    private static func write(_ profile: MatchProfile, bits: Bool, at start: UnsafeMutablePointer<UInt64>) {
        var next = start
        func put(_ key: UInt64) {
            next.initialize(to: key)
            next += 1
        }
        let ascii = profile.isASCII
        for i in profile.names.indices { put(nameKey(profile.names[i], ascii: ascii)) }
        for i in profile.handles.indices { put(handleKey(profile.handles[i], ascii: ascii)) }
        for i in profile.handles.indices where isDigitsBare(profile, i) {
            put(handleKey(profile.bareHandle(i), ascii: ascii))
        }
        for domain in profile.privateDomains { put(textHash(domain)) }
        let integrations = profile.integrations
        for i in integrations.indices where !bits && isFirst(integrations, i) {
            put(textHash(integrations[i]))
        }
        if !profile.privateDomains.isEmpty {
            for email in profile.emailHashes { put(email) }
        }
    }

    /// `text`'s FNV-1a hash, over the bytes of its composed form (NFC): `String`'s `==` takes a
    /// text and its decomposed or reordered forms for one, and so must the keys (a handle of
    /// Arabic letters with two marks in either order scored 0.957 by ``PairScorer`` and 0.941 here
    /// when its bytes were hashed as they came). ASCII, nearly every text, is its own composed form.
    static func textHash(_ text: String, ascii: Bool = false) -> UInt64 {
        BlockingKeys.hash(composed(text, ascii: ascii))
    }

    /// `text` in composed form (NFC); `ascii`: it is known to be ASCII, its own composed form.
    private static func composed(_ text: String, ascii: Bool) -> String {
        ascii || NameEvidence.isASCII(text) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// A name's key: the FNV-1a hash of its tokens (in composed form, as ``textHash(_:ascii:)``),
    /// each followed by a separator, mixed with their count and their length in bytes. `ascii`:
    /// the tokens are known to be ASCII.
    static func nameKey(_ tokens: [String], ascii: Bool = false) -> UInt64 {
        var hash = FNV1a()
        var bytes = 0
        for token in tokens {
            let composed = composed(token, ascii: ascii)
            hash.add(composed.utf8)
            hash.add(0x1F)
            bytes += composed.utf8.count
        }
        return mix64(hash.value, UInt64(bytes << 8 | min(tokens.count, 255)))
    }

    /// A handle's key: its hash, with its length in the low two bits as ``PairScorer`` weighs a
    /// login in common (0: under 4 characters, 1: 4, 2: 5, 3: 6 or more).
    static func handleKey(_ handle: String, ascii known: Bool = false) -> UInt64 {
        let ascii = known || NameEvidence.isASCII(handle)
        let count = ascii ? handle.utf8.count : handle.count
        let tier: UInt64 = count >= 6 ? 3 : count >= 5 ? 2 : count >= 4 ? 1 : 0
        return textHash(handle, ascii: ascii) & ~3 | tier
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
    /// The tables are sized for a piece of a full pass over `bench/proposals.sh 1000000`, which
    /// keeps up to 3,000 names and 13,000 handles: growing them from 1,024 was a hundredth of the
    /// scoring (perf). Together they take 1.6 MB per thread.
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
        /// Whether two names are compatible by their forms (``NameEvidence/compatibleByForm(_:_:)``):
        /// 1 or 0.
        var forms = ScoreTable<NamePair>(capacity: 4096)
    }

    /// ``PairScorer/score(_:_:lines:)`` of `profiles[a]` and `profiles[b]` without lines: the
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

        let (aNames, aHandles, aBares, aDomains, aIntegrations, aEmails) = left.ranges
        let (bNames, bHandles, bBares, bDomains, bIntegrations, bEmails) = right.ranges
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
        // One's handle is the other's plus trailing digits. With no handle in common, a bare
        // handle both have (``PairScorer/digitsOnly(_:_:)``) is one's handle and the other's with
        // digits: bare handles never end in a digit.
        if !handleInCommon,
            aBares.contains(where: { view.contains(pool[$0], in: bHandles) })
                || bBares.contains(where: { view.contains(pool[$0], in: aHandles) })
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
        if left.integrationBits & right.integrationBits != 0 || view.intersect(aIntegrations, bIntegrations) {
            confidence *= 0.97
        }
        if !hasName, !sameGitHubUser, both & Flag.fullName != 0 {
            // Remembered by pair of names: reading both people's names here for every pair whose
            // handles say something and names nothing showed in perf (the retains, and
            // truncatedLastName's slices); remembered, the scoring took 6.8–7.1 s, not 7.3–7.4 s.
            let compatible = aNames.contains { i in
                bNames.contains { j in
                    let key = Memo.NamePair(left: pool[i], right: pool[j])
                    if let known = memo.forms[key] { return known != 0 }
                    let found =
                        NameEvidence.compatibleByForm(
                            profiles[a].names[i - aNames.lowerBound], profiles[b].names[j - bNames.lowerBound]) ?? false
                    memo.forms[key] = found ? 1 : 0
                    return found
                }
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
