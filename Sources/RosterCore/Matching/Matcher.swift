/// Finds duplicate people: blocking, scoring, then grouping into proposals.
///
/// Cost is near-linear in the number of people: each person yields a handful of blocking keys,
/// hashed to integers and sorted; only people sharing a key are scored, and a key shared by more
/// than ``blockLimit`` people (a very common name) is too weak to compare on and is skipped.
public struct Matcher: Sendable {
    /// Largest block compared; larger ones are skipped.
    public var blockLimit = 100
    /// Edges at or above this, unflagged, form the confident groups.
    public var strongThreshold = 0.9
    /// Groups with more people than this are flagged as snowballs.
    public var largestGroup = 6
    /// Keys (``BlockingKeys/hash(_:)``) skipped whatever the size of their block among the profiles
    /// passed: a pass over part of the roster names the keys shared by more than ``blockLimit``
    /// people in the whole of it, which the part alone can't show, so that it pairs exactly as a
    /// full pass would.
    public var commonKeys: Set<UInt64> = []

    public init() {}

    /// The candidate pairs (indices into `profiles`, lower first) that share a blocking key.
    ///
    /// - Parameter focus: When given, only pairs with at least one of these indices.
    public func candidates(_ profiles: [MatchProfile], focus: Set<Int>? = nil) -> [(Int, Int)] {
        (try? candidates(profiles, focus: focus, checkpoint: { true })) ?? []
    }

    /// The candidate pairs, asking `checkpoint` now and then whether to go on.
    ///
    /// - Throws: ``MatchingStopped`` when `checkpoint` returned false.
    public func candidates(
        _ profiles: [MatchProfile], focus: Set<Int>? = nil, checkpoint: () -> Bool
    ) throws(MatchingStopped) -> [(Int, Int)] {
        try candidatePairs(profiles, focus: focus, checkpoint: checkpoint).map {
            (Int($0 >> 32), Int($0 & 0xFFFF_FFFF))
        }
    }

    /// The candidate pairs as `lower << 32 | higher`, sorted, each once.
    func candidatePairs(
        _ profiles: [MatchProfile], focus: Set<Int>?, checkpoint: () -> Bool
    ) throws(MatchingStopped) -> [UInt64] {
        var pairs: [UInt64] = []
        try forEachCandidate(profiles, focus: focus, checkpoint: checkpoint) { a, b in
            pairs.append(UInt64(a) << 32 | UInt64(b))
        }
        pairs.sort()
        return pairs
    }

    /// Calls `visit(a, b)` (indices into `profiles`, `a < b`) once for every pair of people that
    /// share a blocking key, block by block.
    ///
    /// A pair is visited in the block of the first key (by hash) the two share among the keys
    /// whose blocks are compared, so that no list of every pair of every block is built and sorted
    /// to drop repeats: people with one name share five or six keys, and on
    /// `bench/proposals.sh 1000000` that list had some 60 million entries (peak RSS, sort time).
    func forEachCandidate(
        _ profiles: [MatchProfile], focus: Set<Int>?, checkpoint: () -> Bool,
        _ visit: (Int, Int) throws(MatchingStopped) -> Void
    ) throws(MatchingStopped) {
        // Each person's key hashes, sorted, one flat array; and whether each key's block is compared.
        var keyStart: [Int] = [0]
        keyStart.reserveCapacity(profiles.count + 1)
        var keyHashes: [UInt64] = []
        keyHashes.reserveCapacity(profiles.count * 8)
        for (index, profile) in profiles.enumerated() {
            if index & 0xFFF == 0, !checkpoint() { throw MatchingStopped() }
            let start = keyHashes.count
            for key in BlockingKeys.keys(of: profile) { keyHashes.append(BlockingKeys.hash(key)) }
            keyHashes[start...].sort()
            // Two keys of one person with one hash count once.
            var kept = start
            for position in start..<keyHashes.count where kept == start || keyHashes[kept - 1] != keyHashes[position] {
                keyHashes[kept] = keyHashes[position]
                kept += 1
            }
            keyHashes.removeLast(keyHashes.count - kept)
            keyStart.append(keyHashes.count)
        }
        var entries: [(hash: UInt64, index: UInt32)] = []
        entries.reserveCapacity(keyHashes.count)
        for index in profiles.indices {
            for position in keyStart[index]..<keyStart[index + 1] {
                entries.append((keyHashes[position], UInt32(index)))
            }
        }
        if !checkpoint() { throw MatchingStopped() }
        entries.sort { $0.hash < $1.hash || ($0.hash == $1.hash && $0.index < $1.index) }
        if !checkpoint() { throw MatchingStopped() }
        // Keep only the entries of compared blocks, and mark those keys.
        var compared = [Bool](repeating: false, count: keyHashes.count)
        var kept = 0
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count, entries[end].hash == entries[start].hash { end += 1 }
            let common = !commonKeys.isEmpty && commonKeys.contains(entries[start].hash)
            if end - start >= 2, end - start <= blockLimit, !common {
                for entry in start..<end {
                    let index = Int(entries[entry].index)
                    let position = keyHashes[keyStart[index]..<keyStart[index + 1]].firstIndex(of: entries[entry].hash)!
                    compared[position] = true
                    entries[kept] = entries[entry]
                    kept += 1
                }
            }
            start = end
        }
        // A smaller copy: most keys are one person's alone, and the full array's memory is freed.
        entries = Array(entries[..<kept])
        if !checkpoint() { throw MatchingStopped() }

        /// The first hash the two people share among their compared keys.
        func firstShared(_ a: Int, _ b: Int) -> UInt64? {
            var i = keyStart[a]
            var j = keyStart[b]
            let (endA, endB) = (keyStart[a + 1], keyStart[b + 1])
            while i < endA, j < endB {
                if !compared[i] {
                    i += 1
                } else if !compared[j] {
                    j += 1
                } else if keyHashes[i] < keyHashes[j] {
                    i += 1
                } else if keyHashes[i] > keyHashes[j] {
                    j += 1
                } else {
                    return keyHashes[i]
                }
            }
            return nil
        }
        var blocks = 0
        start = 0
        while start < entries.count {
            blocks += 1
            if blocks & 0xFF == 0, !checkpoint() { throw MatchingStopped() }
            var end = start + 1
            let hash = entries[start].hash
            while end < entries.count, entries[end].hash == hash { end += 1 }
            for i in start..<end {
                let a = Int(entries[i].index)
                for j in (i + 1)..<end {
                    let b = Int(entries[j].index)
                    if let focus, !focus.contains(a), !focus.contains(b) { continue }
                    // Entries of a block are sorted by index: a < b.
                    if firstShared(a, b) == hash { try visit(a, b) }
                }
            }
            start = end
        }
    }

    /// Scores every candidate pair and groups the people into proposals.
    ///
    /// - Parameters:
    ///   - rejected: Pairs an admin rejected; never proposed together again, not even through a third person.
    ///   - focus: When given, only groups that contain one of these indices are returned.
    public func proposals(
        _ profiles: [MatchProfile], rejected: Set<PersonPair> = [], focus: Set<Int>? = nil
    ) -> [ProposalDraft] {
        (try? proposals(profiles, rejected: rejected, focus: focus, checkpoint: { true })) ?? []
    }

    /// The proposals, asking `checkpoint` every few thousand steps whether to go on, so that a
    /// long pass can be abandoned (the agent is stopping) without having changed anything.
    ///
    /// - Throws: ``MatchingStopped`` when `checkpoint` returned false.
    public func proposals(
        _ profiles: [MatchProfile], rejected: Set<PersonPair> = [], focus: Set<Int>? = nil,
        checkpoint: () -> Bool
    ) throws(MatchingStopped) -> [ProposalDraft] {
        var edges: [Edge] = []
        var number = 0
        try forEachCandidate(profiles, focus: focus, checkpoint: checkpoint) { a, b throws(MatchingStopped) in
            number += 1
            if number & 0xFFF == 0, !checkpoint() { throw MatchingStopped() }
            if !rejected.isEmpty, rejected.contains(PersonPair(profiles[a].id, profiles[b].id)) { return }
            if let score = PairScorer.score(profiles[a], profiles[b], lines: false) {
                edges.append(Edge(a: a, b: b, score: score))
            }
        }
        if !checkpoint() { throw MatchingStopped() }
        return group(&edges, profiles: profiles, rejected: rejected)
    }

    /// A scored pair: the confidence in thousandths and whether it is flagged, twelve bytes.
    ///
    /// The evidence lines are written again for the edges a proposal shows (``draft(_:profiles:)``):
    /// keeping every scored pair's lines took most of the memory of a full pass over
    /// `bench/proposals.sh 100000` (peak RSS), and most edges are never shown.
    struct Edge {
        var low: UInt32
        var high: UInt32
        var thousandths: UInt16
        var strong: Bool

        init(a: Int, b: Int, score: PairScore) {
            low = UInt32(a)
            high = UInt32(b)
            thousandths = UInt16((score.confidence * 1000).rounded())
            strong = score.flags.isEmpty
        }

        var a: Int { Int(low) }
        var b: Int { Int(high) }
        /// The scorer's confidence, which is rounded to thousandths.
        var confidence: Double { Double(thousandths) / 1000 }
    }

    /// Confident groups from strong edges; then weaker edges join those groups into less confident
    /// proposals. Accepting a confident proposal leaves the weaker one to be decided on its own.
    ///
    /// - Parameter edges: Sorted in place (stronger first, then by pair), rather than copied: there
    ///   are millions on `bench/proposals.sh 1000000`.
    func group(_ edges: inout [Edge], profiles: [MatchProfile], rejected: Set<PersonPair>) -> [ProposalDraft] {
        edges.sort { ($0.thousandths, $1.low, $1.high) > ($1.thousandths, $0.low, $0.high) }
        let sorted = edges
        var strong = UnionFind(rejected: rejected, profiles: profiles)
        var strongEdges: [Edge] = []
        for edge in sorted where edge.strong && edge.confidence >= strongThreshold {
            if strong.union(edge.a, edge.b) { strongEdges.append(edge) }
        }
        var drafts: [ProposalDraft] = []
        var byRoot: [Int: [Edge]] = [:]
        for edge in strongEdges { byRoot[strong.find(edge.a), default: []].append(edge) }
        for (_, tree) in byRoot { drafts.append(draft(tree, profiles: profiles)) }

        // The weak layer: nodes are the strong groups.
        var weak = strong
        var weakEdges: [Edge] = []
        for edge in sorted where !(edge.strong && edge.confidence >= strongThreshold) {
            if weak.union(edge.a, edge.b) { weakEdges.append(edge) }
        }
        var weakByRoot: [Int: [Edge]] = [:]
        for edge in weakEdges { weakByRoot[weak.find(edge.a), default: []].append(edge) }
        var strongByWeakRoot: [Int: [Edge]] = [:]
        for edge in strongEdges {
            let root = weak.find(edge.a)
            if weakByRoot[root] != nil { strongByWeakRoot[root, default: []].append(edge) }
        }
        for (root, tree) in weakByRoot {
            drafts.append(draft(tree + (strongByWeakRoot[root] ?? []), profiles: profiles))
        }
        return drafts.sorted { ($0.people.first?.rawValue ?? 0) < ($1.people.first?.rawValue ?? 0) }
    }

    /// One proposal from the spanning-tree edges of a group.
    func draft(_ tree: [Edge], profiles: [MatchProfile]) -> ProposalDraft {
        var members = Set<Int>()
        for edge in tree {
            members.insert(edge.a)
            members.insert(edge.b)
        }
        let people = members.sorted { profiles[$0].id < profiles[$1].id }
        let ordered = tree.sorted { $0.confidence > $1.confidence }
        var confidence = ordered.map(\.confidence).min() ?? 0
        var evidence: [String] = []
        var flags: [String] = []
        // Lines already taken, looked up in a set: a snowball of thousands of people has thousands
        // of lines, and searching the list for each was quadratic.
        var seen = Set<String>()
        var seenFlags = Set<String>()
        for edge in ordered {
            // The same pair scores the same; this time with its lines.
            guard let score = PairScorer.score(profiles[edge.a], profiles[edge.b], lines: true) else { continue }
            let prefix = people.count > 2 ? "\(profiles[edge.a].id) and \(profiles[edge.b].id): " : ""
            for line in score.evidence where seen.insert(prefix + line).inserted { evidence.append(prefix + line) }
            for flag in score.flags where seenFlags.insert(flag).inserted { flags.append(flag) }
        }
        let distinct = MatchProfile.distinctPeople(in: people.flatMap { profiles[$0].names.filter { $0.count >= 2 } })
        if people.count > largestGroup || distinct > 2 {
            flags.append(
                "snowball: \(people.count) people with \(distinct) different names would become one; check each pair")
        }
        if !flags.isEmpty { confidence = min(confidence, 0.5) }
        let survivor = SurvivorRule.survivor(
            of: people.map {
                SurvivorRule.Candidate(
                    id: profiles[$0].id, hasEmail: profiles[$0].hasEmail, accounts: profiles[$0].accountCount)
            })!
        return ProposalDraft(
            people: people.map { profiles[$0].id }, survivor: survivor, confidence: confidence, evidence: evidence,
            flags: flags)
    }
}

/// Disjoint sets over profile indices that refuse to join two sets holding a rejected pair.
struct UnionFind {
    /// The parent of each index; an index is a root when it is its own parent.
    private var parent: [Int32]
    /// The members of each root's set, only for sets of two or more.
    private var members: [Int: [Int]] = [:]
    private let rejectedPartners: [PersonID: [PersonID]]
    private let indexOf: [PersonID: Int]
    private let profiles: [PersonID]

    init(rejected: Set<PersonPair>, profiles: [MatchProfile]) {
        parent = Array(0..<Int32(profiles.count))
        var partners: [PersonID: [PersonID]] = [:]
        for pair in rejected {
            partners[pair.low, default: []].append(pair.high)
            partners[pair.high, default: []].append(pair.low)
        }
        rejectedPartners = partners
        var indexOf: [PersonID: Int] = [:]
        if !partners.isEmpty {
            for (index, profile) in profiles.enumerated() where partners[profile.id] != nil {
                indexOf[profile.id] = index
            }
        }
        self.indexOf = indexOf
        self.profiles = partners.isEmpty ? [] : profiles.map(\.id)
    }

    mutating func find(_ x: Int) -> Int {
        var root = x
        while Int(parent[root]) != root { root = Int(parent[root]) }
        var node = x
        while Int(parent[node]) != root {
            let next = Int(parent[node])
            parent[node] = Int32(root)
            node = next
        }
        return root
    }

    /// Joins the sets of `a` and `b`; false when they were joined already or may not be.
    mutating func union(_ a: Int, _ b: Int) -> Bool {
        let ra = find(a)
        let rb = find(b)
        if ra == rb { return false }
        // The members are only needed to check rejected pairs; joining their lists on every union
        // was quadratic in the size of a snowball.
        guard !rejectedPartners.isEmpty else {
            parent[rb] = Int32(ra)
            return true
        }
        for member in members[ra] ?? [ra] {
            for partner in rejectedPartners[profiles[member]] ?? [] {
                if let index = indexOf[partner], find(index) == rb { return false }
            }
        }
        parent[rb] = Int32(ra)
        let right = members.removeValue(forKey: rb) ?? [rb]
        members[ra, default: [ra]].append(contentsOf: right)
        return true
    }
}

/// A matching pass was abandoned because its checkpoint said to stop.
public struct MatchingStopped: Error, Sendable {
    public init() {}
}
