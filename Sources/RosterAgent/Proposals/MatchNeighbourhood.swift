import RosterCore
import RosterStore

/// The people whose proposals a change can alter, found through the stored blocking-key index.
///
/// A full pass joins people along edges: pairs that share a blocking key (in a block of at most
/// ``Matcher/blockLimit`` people) and score (``PairScorer``), less the rejected pairs. How a set of
/// people connected by edges is grouped depends on those people and edges alone, so after a change
/// only the connected sets that hold a changed person, or held one before, can come out different.
/// The neighbourhood starts from
/// - the changed people (a merged person gone is one of them: its proposals become moot),
/// - everyone in a block whose size crossed the limit (their pairs appeared or vanished),
/// - the people of the open proposals of those: what they were grouped with before,
///
/// and grows along edges (and the open proposals of the people it reaches) until nothing is added.
/// Matching the neighbourhood alone then gives exactly the proposals a full pass would give its
/// people, and every other open proposal stays as a full pass would leave it.
struct MatchNeighbourhood {
    /// Its people, as profiles, in id order (the order of a full pass).
    var profiles: [MatchProfile] = []
    /// The people whose proposals the pass decides: the neighbourhood and the changed people gone.
    var scope = Set<PersonID>()
    /// The changed people's keys now, to replace theirs in the index; empty for the people gone.
    var keys: [PersonID: [UInt64]] = [:]
    /// The keys of its people held by more than the block limit in the whole roster: a pass over the
    /// neighbourhood alone must skip them as a full pass does (``Matcher/commonKeys``).
    var commonKeys = Set<UInt64>()
    /// How many pairs were scored to find it, for the log.
    var pairsScored = 0

    /// The neighbourhood grew past its budget: a full pass costs less.
    struct TooLarge: Error {}

    /// - Parameters:
    ///   - changed: The people changed since the index and the open proposals were recorded.
    ///   - budget: The most people the neighbourhood may hold (their partners not counted); past it
    ///     the search gives up (``TooLarge``).
    ///   - checkpoint: Asked every thousand people or so; false abandons the search (``MatchingStopped``).
    init(
        changed: Set<PersonID>, store: any MatchingStore, rejected: Set<PersonPair>, placeholders: [String],
        blockLimit: Int, budget: Int, checkpoint: () -> Bool
    ) throws {
        guard changed.count <= budget else { throw TooLarge() }
        var search = Search(store: store, placeholders: placeholders, blockLimit: blockLimit)
        try search.start(changed, checkpoint: checkpoint)
        var frontier = search.seeds
        for proposal in try store.openProposals(touching: frontier) { frontier.formUnion(proposal.draft.people) }
        var members = Set<PersonID>()
        while !frontier.isEmpty {
            if !checkpoint() { throw MatchingStopped() }
            scope.formUnion(frontier)
            guard scope.count <= budget else { throw TooLarge() }
            let present = try search.load(frontier, checkpoint: checkpoint)
            members.formUnion(present)
            var next = Set<PersonID>()
            for (number, (person, partner)) in try search.candidates(of: present, checkpoint: checkpoint).enumerated() {
                if number & 0xFFF == 0xFFF, !checkpoint() { throw MatchingStopped() }
                let pair = PersonPair(person, partner)
                guard !rejected.contains(pair), let a = search.profile(person), let b = search.profile(partner)
                else { continue }
                pairsScored += 1
                if !scope.contains(partner), PairScorer.scores(a, b) { next.insert(partner) }
            }
            for proposal in try store.openProposals(touching: next) { next.formUnion(proposal.draft.people) }
            frontier = next.subtracting(scope)
        }
        profiles = members.sorted().compactMap(search.profile)
        keys = search.changedKeys
        for person in members {
            for hash in search.keys(of: person) where search.isCommon(hash) { commonKeys.insert(hash) }
        }
    }

    /// The state of the search: profiles loaded, keys known, blocks read.
    private struct Search {
        let store: any MatchingStore
        let placeholders: [String]
        let blockLimit: Int
        private var profiles: [PersonID: MatchProfile] = [:]
        private var gone = Set<PersonID>()
        private var personKeys: [PersonID: [UInt64]] = [:]
        /// Holders of each block read, as of now; nil for a block above the limit.
        private var blocks: [UInt64: [PersonID]?] = [:]
        /// The changed people who left a block and those who joined it, as the index can't tell yet.
        private var left: [UInt64: Set<PersonID>] = [:]
        private var joined: [UInt64: Set<PersonID>] = [:]
        private(set) var changedKeys: [PersonID: [UInt64]] = [:]
        /// Where the search starts: the changed people and the holders of blocks that crossed the limit.
        private(set) var seeds = Set<PersonID>()
        private var scored = Set<PersonPair>()

        init(store: any MatchingStore, placeholders: [String], blockLimit: Int) {
            self.store = store
            self.placeholders = placeholders
            self.blockLimit = blockLimit
        }

        /// Loads the changed people, works out how their blocks changed, and finds the seeds.
        mutating func start(_ changed: Set<PersonID>, checkpoint: () -> Bool) throws {
            _ = try load(changed, checkpoint: checkpoint)
            let before = try store.matchKeys(of: changed.sorted())
            var touched = Set<UInt64>()
            for person in changed {
                let now = profiles[person] == nil ? [] : keys(of: person)
                changedKeys[person] = now
                let old = Set(before[person] ?? [])
                for hash in old where !now.contains(hash) { left[hash, default: []].insert(person) }
                for hash in now where !old.contains(hash) { joined[hash, default: []].insert(person) }
                touched.formUnion(old)
                touched.formUnion(now)
            }
            seeds = changed
            try read(Array(touched))
        }

        func profile(_ person: PersonID) -> MatchProfile? { profiles[person] }

        /// Whether the block of `hash` is above the limit now; it must have been read.
        func isCommon(_ hash: UInt64) -> Bool {
            if let block = blocks[hash] { block == nil } else { false }
        }

        /// The keys a person has now, from the profile (for a changed person as for any other).
        mutating func keys(of person: PersonID) -> [UInt64] {
            if let keys = personKeys[person] { return keys }
            guard let profile = profiles[person] else { return [] }
            var hashes: [UInt64] = []
            BlockingKeys.hashes(of: profile, into: &hashes)
            var keys: [UInt64] = []
            for hash in hashes where !keys.contains(hash) { keys.append(hash) }
            personKeys[person] = keys
            return keys
        }

        /// Loads the profiles not loaded yet, a thousand at a time; returns the people that exist.
        mutating func load(_ people: Set<PersonID>, checkpoint: () -> Bool) throws -> [PersonID] {
            let missing = people.filter { profiles[$0] == nil && !gone.contains($0) }.sorted()
            for start in stride(from: 0, to: missing.count, by: 1024) {
                if !checkpoint() { throw MatchingStopped() }
                for person in try store.matchPeople(Array(missing[start..<min(start + 1024, missing.count)])) {
                    profiles[person.id] = MatchProfile(person, placeholderPatterns: placeholders)
                }
            }
            for person in missing where profiles[person] == nil { gone.insert(person) }
            return people.filter { profiles[$0] != nil }.sorted()
        }

        /// Reads the blocks not read yet, as they are now: the index's holders, less the changed
        /// people who left, plus those who joined. A block whose size crossed the limit makes all
        /// its holders, before and after, seeds.
        mutating func read(_ hashes: [UInt64]) throws {
            let unread = hashes.filter { blocks[$0] == nil }
            guard !unread.isEmpty else { return }
            // One more than the limit, plus the changed people who left, tells whether a block was
            // or is within the limit; a longer one is above it before and after.
            let blockLimit = self.blockLimit
            let left = self.left
            func limit(_ hash: UInt64) -> Int { blockLimit + 1 + (left[hash]?.count ?? 0) }
            let stored = try store.matchKeyHolders(unread, atMost: limit)
            for hash in unread {
                let before = stored[hash] ?? []
                guard before.count < limit(hash) else {
                    blocks[hash] = .some(nil)
                    continue
                }
                let leaving = left[hash] ?? []
                let joining = joined[hash] ?? []
                let now = before.filter { !leaving.contains($0) } + joining.sorted()
                let wasSmall = before.count <= blockLimit
                let isSmall = now.count <= blockLimit
                if wasSmall != isSmall {
                    seeds.formUnion(before)
                    seeds.formUnion(now)
                }
                blocks[hash] = .some(isSmall ? now : nil)
            }
        }

        /// The pairs of these people with everyone sharing a block within the limit, each pair
        /// once over the whole search; partners' profiles are loaded.
        mutating func candidates(of people: [PersonID], checkpoint: () -> Bool) throws -> [(PersonID, PersonID)] {
            var hashes: [UInt64] = []
            for person in people { hashes.append(contentsOf: keys(of: person)) }
            try read(hashes)
            var pairs: [(PersonID, PersonID)] = []
            var partners = Set<PersonID>()
            for person in people {
                for hash in keys(of: person) {
                    guard case .some(.some(let holders)) = blocks[hash] else { continue }
                    for partner in holders where partner != person {
                        if scored.insert(PersonPair(person, partner)).inserted {
                            pairs.append((person, partner))
                            partners.insert(partner)
                        }
                    }
                }
            }
            _ = try load(partners, checkpoint: checkpoint)
            return pairs
        }
    }
}
