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
        var entries: [(hash: UInt64, index: UInt32)] = []
        entries.reserveCapacity(profiles.count * 6)
        for (index, profile) in profiles.enumerated() {
            if index & 0xFFF == 0, !checkpoint() { throw MatchingStopped() }
            for key in BlockingKeys.keys(of: profile) {
                entries.append((BlockingKeys.hash(key), UInt32(index)))
            }
        }
        if !checkpoint() { throw MatchingStopped() }
        entries.sort { $0.hash < $1.hash || ($0.hash == $1.hash && $0.index < $1.index) }
        if !checkpoint() { throw MatchingStopped() }
        var pairs: [UInt64] = []
        var start = 0
        var blocks = 0
        while start < entries.count {
            blocks += 1
            if blocks & 0xFFF == 0, !checkpoint() { throw MatchingStopped() }
            var end = start + 1
            while end < entries.count, entries[end].hash == entries[start].hash { end += 1 }
            let size = end - start
            if size >= 2, size <= blockLimit, commonKeys.isEmpty || !commonKeys.contains(entries[start].hash) {
                for i in start..<end {
                    for j in (i + 1)..<end where entries[i].index != entries[j].index {
                        let a = entries[i].index
                        let b = entries[j].index
                        if let focus, !focus.contains(Int(a)), !focus.contains(Int(b)) { continue }
                        pairs.append(UInt64(min(a, b)) << 32 | UInt64(max(a, b)))
                    }
                }
            }
            start = end
        }
        entries = []
        pairs.sort()
        if !checkpoint() { throw MatchingStopped() }
        var result: [(Int, Int)] = []
        result.reserveCapacity(pairs.count / 2)
        var previous: UInt64?
        for pair in pairs where pair != previous {
            previous = pair
            result.append((Int(pair >> 32), Int(pair & 0xFFFF_FFFF)))
        }
        return result
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
        for (number, (a, b)) in try candidates(profiles, focus: focus, checkpoint: checkpoint).enumerated() {
            if number & 0xFFF == 0, !checkpoint() { throw MatchingStopped() }
            if !rejected.isEmpty, rejected.contains(PersonPair(profiles[a].id, profiles[b].id)) { continue }
            if let score = PairScorer.score(profiles[a], profiles[b]) {
                edges.append(Edge(a: a, b: b, score: score))
            }
        }
        if !checkpoint() { throw MatchingStopped() }
        return group(edges, profiles: profiles, rejected: rejected)
    }

    struct Edge {
        var a: Int
        var b: Int
        var score: PairScore
        var strong: Bool { score.flags.isEmpty }
    }

    /// Confident groups from strong edges; then weaker edges join those groups into less confident
    /// proposals. Accepting a confident proposal leaves the weaker one to be decided on its own.
    func group(_ edges: [Edge], profiles: [MatchProfile], rejected: Set<PersonPair>) -> [ProposalDraft] {
        let sorted = edges.sorted { $0.score.confidence > $1.score.confidence }
        var strong = UnionFind(rejected: rejected, profiles: profiles)
        var strongEdges: [Edge] = []
        for edge in sorted where edge.strong && edge.score.confidence >= strongThreshold {
            if strong.union(edge.a, edge.b) { strongEdges.append(edge) }
        }
        var drafts: [ProposalDraft] = []
        var byRoot: [Int: [Edge]] = [:]
        for edge in strongEdges { byRoot[strong.find(edge.a), default: []].append(edge) }
        for (_, tree) in byRoot { drafts.append(draft(tree, profiles: profiles)) }

        // The weak layer: nodes are the strong groups.
        var weak = strong
        var weakEdges: [Edge] = []
        for edge in sorted where !(edge.strong && edge.score.confidence >= strongThreshold) {
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
        let ordered = tree.sorted { $0.score.confidence > $1.score.confidence }
        var confidence = ordered.map(\.score.confidence).min() ?? 0
        var evidence: [String] = []
        var flags: [String] = []
        for edge in ordered {
            let prefix = people.count > 2 ? "\(profiles[edge.a].id) and \(profiles[edge.b].id): " : ""
            for line in edge.score.evidence where !evidence.contains(prefix + line) { evidence.append(prefix + line) }
            for flag in edge.score.flags where !flags.contains(flag) { flags.append(flag) }
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
        let left = members[ra] ?? [ra]
        let right = members[rb] ?? [rb]
        if !rejectedPartners.isEmpty {
            for member in left {
                for partner in rejectedPartners[profiles[member]] ?? [] {
                    if let index = indexOf[partner], find(index) == rb { return false }
                }
            }
        }
        parent[rb] = Int32(ra)
        members[ra] = left + right
        members[rb] = nil
        return true
    }
}

/// A matching pass was abandoned because its checkpoint said to stop.
public struct MatchingStopped: Error, Sendable {
    public init() {}
}
