import Synchronization

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
    /// Threads that build keys, score pairs and write proposals at once; 1 does it all on the
    /// calling thread. The proposals are the same whatever the number.
    public var threads = 1
    /// About how many candidate pairs one piece of scoring takes (blocks are not split): small
    /// enough to share the work between threads and to ask the checkpoint often.
    var pairsPerPiece = 50_000

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
    func forEachCandidate(
        _ profiles: [MatchProfile], focus: Set<Int>?, checkpoint: () -> Bool,
        _ visit: (Int, Int) throws(MatchingStopped) -> Void
    ) throws(MatchingStopped) {
        let blocks = try self.blocks(profiles, checkpoint: checkpoint)
        for piece in blocks.pieces(pairs: pairsPerPiece) {
            if !checkpoint() { throw MatchingStopped() }
            try blocks.forEachPair(in: piece, focus: focus, visit)
        }
    }

    /// The compared blocks of `profiles`: the people of each block of two to ``blockLimit`` people
    /// whose key is not one of ``commonKeys``, and every person's keys among those blocks'.
    ///
    /// Each person's keys are computed in pieces of a few thousand people, on ``threads`` threads.
    func blocks(_ profiles: [MatchProfile], checkpoint: () -> Bool) throws(MatchingStopped) -> Blocks {
        try prepare(profiles, checkpoint: checkpoint).blocks
    }

    /// Every person's keys and the compared blocks (``Prepared``), computed as
    /// ``blocks(_:checkpoint:)`` says.
    ///
    /// - Throws: ``MatchingStopped`` when `checkpoint` returned false.
    public func prepare(_ profiles: [MatchProfile], checkpoint: () -> Bool) throws(MatchingStopped) -> Prepared {
        var blocks = Blocks()
        blocks.keyStart.reserveCapacity(profiles.count + 1)
        blocks.keyHashes.reserveCapacity(profiles.count * 8)
        let pieces = ParallelWork.ranges(profiles.count, pieces: (profiles.count + 4095) / 4096)
        try ParallelWork.rounds(pieces.count, threads: threads, checkpoint: checkpoint) { piece in
            var counts: [Int] = []
            var hashes: [UInt64] = []
            counts.reserveCapacity(pieces[piece].count)
            hashes.reserveCapacity(pieces[piece].count * 8)
            for index in pieces[piece] {
                let start = hashes.count
                BlockingKeys.hashes(of: profiles[index], into: &hashes)
                hashes[start...].sort()
                // Two keys of one person with one hash count once.
                var kept = start
                for position in start..<hashes.count where kept == start || hashes[kept - 1] != hashes[position] {
                    hashes[kept] = hashes[position]
                    kept += 1
                }
                hashes.removeLast(hashes.count - kept)
                counts.append(kept - start)
            }
            return (counts, hashes)
        } take: { (counts: [Int], hashes: [UInt64]) in
            for count in counts { blocks.keyStart.append(blocks.keyStart[blocks.keyStart.count - 1] + count) }
            blocks.keyHashes += hashes
        }
        if !checkpoint() { throw MatchingStopped() }
        let entries = Key.sorted(blocks.keyHashes, starts: blocks.keyStart, threads: threads)
        if !checkpoint() { throw MatchingStopped() }
        // Keep only the people of compared blocks, and mark those keys: on `threads` threads, each
        // taking the blocks of a range of the keys (on one thread, over half a second of a full
        // pass over 1,000,000 people while the other core waited, perf). A range starts where a
        // block does; the marks of two ranges never fall on one key.
        var compared = [Bool](repeating: false, count: blocks.keyHashes.count)
        var bounds = ParallelWork.ranges(entries.count, pieces: max(1, threads)).map(\.lowerBound) + [entries.count]
        for part in bounds.indices.dropFirst().dropLast() {
            bounds[part] = max(bounds[part], bounds[part - 1])
            while bounds[part] > 0, bounds[part] < entries.count,
                entries[bounds[part]].hash == entries[bounds[part] - 1].hash
            {
                bounds[part] += 1
            }
        }
        // Each range's blocks are counted first, so that each range then writes its blocks straight
        // into the one list, at its place (lists of each range joined afterwards held the blocks
        // twice, at the peak of the pass).
        let counts = ParallelWork.map(bounds.count - 1, threads: threads) {
            [commonKeys, blockLimit, bounds] part in
            var (members, blocks) = (0, 0)
            Self.forEachComparedBlock(
                entries, in: bounds[part]..<bounds[part + 1], limit: blockLimit, common: commonKeys
            ) {
                members += $0.count
                blocks += 1
            }
            return (members, blocks)
        }
        var (memberStarts, blockStarts) = ([0], [0])
        for (members, blocks) in counts {
            memberStarts.append(memberStarts[memberStarts.count - 1] + members)
            blockStarts.append(blockStarts[blockStarts.count - 1] + blocks)
        }
        let (memberCount, blockCount) = (memberStarts[memberStarts.count - 1], blockStarts[blockStarts.count - 1])
        var members = [UInt32](repeating: 0, count: memberCount)
        var hashes = [UInt64](repeating: 0, count: blockCount)
        var starts = [Int](repeating: 0, count: blockCount + 1)
        compared.withUnsafeMutableBufferPointer { compared in
            members.withUnsafeMutableBufferPointer { members in
                hashes.withUnsafeMutableBufferPointer { hashes in
                    starts.withUnsafeMutableBufferPointer { starts in
                        let output = BlockBuffers(
                            compared: compared.baseAddress, members: members.baseAddress,
                            hashes: hashes.baseAddress, starts: starts.baseAddress)
                        _ = ParallelWork.map(bounds.count - 1, threads: threads) {
                            [blocks, commonKeys, blockLimit, bounds, memberStarts, blockStarts] part in
                            var (member, block) = (memberStarts[part], blockStarts[part])
                            Self.forEachComparedBlock(
                                entries, in: bounds[part]..<bounds[part + 1], limit: blockLimit, common: commonKeys
                            ) { range in
                                for entry in range {
                                    let index = Int(entries[entry].index)
                                    let keys = blocks.keyStart[index]..<blocks.keyStart[index + 1]
                                    output.compared![blocks.keyHashes[keys].firstIndex(of: entries[entry].hash)!] =
                                        true
                                    output.members![member] = entries[entry].index
                                    member += 1
                                }
                                output.hashes![block] = entries[range.lowerBound].hash
                                output.starts![block + 1] = member
                                block += 1
                            }
                        }
                    }
                }
            }
        }
        // Each person's keys are cut down to those of compared blocks, in place: finding the first
        // key two people share, for each of the 67 million candidate pairs of a full pass over
        // 1,000,000 people, then skips no others (it was most of a tenth of the scoring, perf).
        var kept = 0
        var next = blocks.keyStart[0]
        for person in 0..<(blocks.keyStart.count - 1) {
            let keys = next..<blocks.keyStart[person + 1]
            next = keys.upperBound
            blocks.keyStart[person] = kept
            for key in keys where compared[key] {
                blocks.keyHashes[kept] = blocks.keyHashes[key]
                kept += 1
            }
        }
        blocks.keyStart[blocks.keyStart.count - 1] = kept
        blocks.keyHashes.removeLast(blocks.keyHashes.count - kept)
        (blocks.members, blocks.hashes, blocks.starts) = (members, hashes, starts)
        return Prepared(blocks: blocks, keys: entries)
    }

    /// One blocking key of one person: the key's hash (``BlockingKeys/hash(_:)``) and the person's
    /// index in the profiles matched.
    public struct Key: Sendable, Equatable {
        public var hash: UInt64
        public var index: UInt32

        public init(hash: UInt64, index: UInt32) {
            self.hash = hash
            self.index = index
        }

        /// Every person's keys (`hashes[starts[i]..<starts[i + 1]]` are those of person `i`), sorted as
        /// the store's index orders them: by hash read as a signed 64-bit integer
        /// (``RosterStore``'s `MatchKeyEntry`), then by index.
        ///
        /// Written by hand because the sort of every person's keys runs between the parallel steps
        /// of a full pass, and its memory adds to the peak of the pass: the standard library's
        /// comparison sort took 2.6 s of the 1,000,000-person pass (`bench/proposals.sh`, perf), and
        /// a radix sort needs a second array of all the keys (150 MB at 9.3 million). The keys are
        /// placed once, by their top 16 bits, straight into the one array; each of the 65,536 runs
        /// (some 140 keys each at 9.3 million) is then sorted in place. On `threads` threads: each
        /// places the keys of a range of people, in a place of its own in every run, and each sorts
        /// a range of runs (on one thread, this was a second of the pass while the other core
        /// waited, perf).
        static func sorted(_ hashes: [UInt64], starts: [Int], threads: Int = 1) -> [Key] {
            @Sendable @inline(__always) func bucket(_ hash: UInt64) -> Int {
                Int(truncatingIfNeeded: (hash >> 48) ^ 0x8000)
            }
            let digits = 1 << 16
            let parts = ParallelWork.ranges(starts.count - 1, pieces: max(1, threads))
            let counts = ParallelWork.map(parts.count, threads: threads) { part in
                var counts = [Int](repeating: 0, count: digits)
                for position in starts[parts[part].lowerBound]..<starts[parts[part].upperBound] {
                    counts[bucket(hashes[position])] += 1
                }
                return counts
            }
            // Where each part's keys of each run go, the lower people's first; where each run starts.
            var places = [[Int]](repeating: [Int](repeating: 0, count: digits), count: parts.count)
            var runs = [Int](repeating: 0, count: digits + 1)
            var placed = 0
            for digit in 0..<digits {
                runs[digit] = placed
                for part in parts.indices {
                    places[part][digit] = placed
                    placed += counts[part][digit]
                }
            }
            runs[digits] = placed
            return [Key](unsafeUninitializedCapacity: hashes.count) { keys, initialized in
                let output = DisjointWrites(start: keys.baseAddress)
                _ = ParallelWork.map(parts.count, threads: threads) { [places] part in
                    var next = places[part]
                    for person in parts[part] {
                        for position in starts[person]..<starts[person + 1] {
                            let hash = hashes[position]
                            let digit = bucket(hash)
                            (output.start! + next[digit]).initialize(to: Key(hash: hash, index: UInt32(person)))
                            next[digit] += 1
                        }
                    }
                }
                initialized = hashes.count
                // Within a run the top 16 bits are equal: unsigned order is signed order.
                let pieces = ParallelWork.ranges(digits, pieces: max(1, threads) * 8)
                _ = ParallelWork.map(pieces.count, threads: threads) { [runs] piece in
                    for digit in pieces[piece] where runs[digit + 1] - runs[digit] > 1 {
                        var run = UnsafeMutableBufferPointer(
                            start: output.start! + runs[digit], count: runs[digit + 1] - runs[digit])
                        run.sort { ($0.hash, $0.index) < ($1.hash, $1.index) }
                    }
                }
            }
        }
    }

    /// The lists of the compared blocks, written by several threads at places that never overlap.
    private struct BlockBuffers: @unchecked Sendable {
        let compared: UnsafeMutablePointer<Bool>?
        let members: UnsafeMutablePointer<UInt32>?
        let hashes: UnsafeMutablePointer<UInt64>?
        let starts: UnsafeMutablePointer<Int>?
    }

    /// Hands `body` the entries of each compared block that starts in `range`: two to `limit`
    /// people with a key that is not one of `common`.
    private static func forEachComparedBlock(
        _ entries: [Key], in range: Range<Int>, limit: Int, common: Set<UInt64>, _ body: (Range<Int>) -> Void
    ) {
        var start = range.lowerBound
        while start < range.upperBound {
            var end = start + 1
            while end < entries.count, entries[end].hash == entries[start].hash { end += 1 }
            if end - start >= 2, end - start <= limit, common.isEmpty || !common.contains(entries[start].hash) {
                body(start..<end)
            }
            start = end
        }
    }

    /// The first half of a full pass: every person's blocking keys and the blocks they form,
    /// computed once for both the matching (``proposals(_:profiles:rejected:checkpoint:)``) and the
    /// store's index of keys, which a full pass rebuilds: deriving them a second time for the index
    /// was about a fifth of a full pass over `bench/proposals.sh 300000`.
    public struct Prepared: Sendable {
        let blocks: Blocks
        /// Every person's keys, each once, in the store's order (``Key/sorted(_:starts:)``): the
        /// whole index of keys. Empty it once handed to the store, so that its memory is freed
        /// once the index is written.
        public var keys: [Key]

        /// This, leaving an empty one in its place: the caller's variable no longer holds the
        /// blocks once the matching has freed them (`consume` of a `var` is not accepted everywhere).
        public mutating func take() -> Prepared {
            defer { self = Prepared(blocks: Blocks(), keys: []) }
            return self
        }
    }

    /// The compared blocks of a set of profiles (``blocks(_:checkpoint:)``), read-only once built so
    /// that pieces of them can be scored on several threads.
    struct Blocks: Sendable {
        /// Each person's key hashes, sorted, each once: `keyHashes[keyStart[i]..<keyStart[i + 1]]`;
        /// once the blocks are known, only the keys of compared blocks.
        var keyStart: [Int] = [0]
        var keyHashes: [UInt64] = []
        /// The key of each compared block.
        var hashes: [UInt64] = []
        /// Where each block's people start in `members`, then `members.count`.
        var starts: [Int] = [0]
        /// The people of the compared blocks, block after block, each block in index order.
        var members: [UInt32] = []

        /// The first hash the two people share among their compared keys.
        @inline(__always)
        func firstShared(_ a: Int, _ b: Int) -> UInt64? {
            var i = keyStart[a]
            var j = keyStart[b]
            let (endA, endB) = (keyStart[a + 1], keyStart[b + 1])
            while i < endA, j < endB {
                if keyHashes[i] < keyHashes[j] {
                    i += 1
                } else if keyHashes[i] > keyHashes[j] {
                    j += 1
                } else {
                    return keyHashes[i]
                }
            }
            return nil
        }

        /// Consecutive runs of blocks, each with about `pairs` pairs (a large block alone in its run),
        /// for scoring piece by piece: on several threads, with a checkpoint between pieces.
        func pieces(pairs: Int) -> [Range<Int>] {
            var pieces: [Range<Int>] = []
            var (first, weight) = (0, 0)
            for block in hashes.indices {
                let size = starts[block + 1] - starts[block]
                weight += size * (size - 1) / 2 + size
                if weight >= pairs {
                    pieces.append(first..<(block + 1))
                    (first, weight) = (block + 1, 0)
                }
            }
            if first < hashes.count { pieces.append(first..<hashes.count) }
            return pieces
        }

        /// Calls `visit(a, b)` (`a < b`) for every pair of people of the blocks `range` who share
        /// no compared key before that block's.
        ///
        /// A pair is visited in the block of the first key (by hash) the two share among the keys
        /// whose blocks are compared, so that no list of every pair of every block is built and
        /// sorted to drop repeats: people with one name share five or six keys, and on
        /// `bench/proposals.sh 1000000` that list had some 60 million entries (peak RSS, sort time).
        ///
        /// - Parameter focus: When given, only pairs with at least one of these indices.
        func forEachPair<Failure: Error>(
            in range: Range<Int>, focus: Set<Int>?, _ visit: (Int, Int) throws(Failure) -> Void
        ) throws(Failure) {
            for block in range {
                let (start, end, hash) = (starts[block], starts[block + 1], hashes[block])
                for i in start..<end {
                    let a = Int(members[i])
                    for j in (i + 1)..<end {
                        let b = Int(members[j])
                        if let focus, !focus.contains(a), !focus.contains(b) { continue }
                        // Entries of a block are sorted by index: a < b.
                        if firstShared(a, b) == hash { try visit(a, b) }
                    }
                }
            }
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
        var edges = try self.edges(
            self.blocks(profiles, checkpoint: checkpoint), profiles, rejected: rejected, focus: focus,
            checkpoint: checkpoint)
        if !checkpoint() { throw MatchingStopped() }
        var timings = Timings()
        return try group(
            &edges, profiles: profiles, releasing: false, rejected: rejected, timings: &timings, checkpoint: checkpoint)
    }

    /// The proposals of everyone, from the keys and blocks ``prepare(_:checkpoint:)`` computed for
    /// these `profiles`: the same as ``proposals(_:rejected:focus:checkpoint:)`` gives.
    ///
    /// - Parameter profiles: Given up by the caller (`consume`), so that the profiles of the people
    ///   in no proposal are freed once the groups are known, before the proposals are written.
    /// - Parameter timings: Where the pass's time went, for its log.
    /// - Throws: ``MatchingStopped`` when `checkpoint` returned false.
    public func proposals(
        _ prepared: consuming Prepared, profiles: consuming [MatchProfile], rejected: Set<PersonPair> = [],
        timings: inout Timings, checkpoint: () -> Bool
    ) throws(MatchingStopped) -> [ProposalDraft] {
        let started = ContinuousClock.now
        var edges = try self.edges(
            (consume prepared).blocks, profiles, rejected: rejected, focus: nil, checkpoint: checkpoint)
        timings.scoring = ContinuousClock.now - started
        if !checkpoint() { throw MatchingStopped() }
        return try group(
            &edges, profiles: consume profiles, releasing: true, rejected: rejected, timings: &timings,
            checkpoint: checkpoint)
    }

    /// Where the time of a matching pass went: scoring the candidate pairs, sorting and grouping
    /// the edges, writing the drafts.
    public struct Timings: Sendable {
        public var scoring = Duration.zero
        public var grouping = Duration.zero
        public var drafting = Duration.zero

        public init() {}
    }

    /// Every candidate pair that scores, as an edge.
    ///
    /// Pieces of blocks are scored on ``threads`` threads, each into its own list; the lists are
    /// joined in piece order, so the edges come out as a sequential pass makes them. The blocks are
    /// freed on return, before grouping (peak RSS of `bench/proposals.sh 1000000`).
    func edges(
        _ blocks: consuming Blocks, _ profiles: [MatchProfile], rejected: Set<PersonPair>, focus: Set<Int>?,
        checkpoint: () -> Bool
    ) throws(MatchingStopped) -> [Edge] {
        let blocks = consume blocks
        let pieces = blocks.pieces(pairs: pairsPerPiece)
        let table = ScoringTable(profiles, threads: threads)
        var edges: [Edge] = []
        try ParallelWork.rounds(pieces.count, threads: threads, checkpoint: checkpoint) { piece in
            var found: [Edge] = []
            var memo = ScoringTable.Memo()
            table.withView { view in
                blocks.forEachPair(in: pieces[piece], focus: focus) { a, b in
                    if !rejected.isEmpty, rejected.contains(PersonPair(profiles[a].id, profiles[b].id)) { return }
                    if let score = ScoringTable.score(a, b, view: view, profiles: profiles, memo: &memo) {
                        found.append(Edge(a: a, b: b, confidence: score.confidence, flagged: score.flagged))
                    }
                }
            }
            return found
        } take: { found in
            edges += found
        }
        return edges
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
            self.init(a: a, b: b, confidence: score.confidence, flagged: !score.flags.isEmpty)
        }

        init(a: Int, b: Int, confidence: Double, flagged: Bool) {
            low = UInt32(a)
            high = UInt32(b)
            thousandths = UInt16((confidence * 1000).rounded())
            strong = !flagged
        }

        /// The order in which grouping takes the edges: stronger first, then by pair.
        @inline(__always)
        static func grouped(_ first: Edge, _ second: Edge) -> Bool {
            (first.thousandths, second.low, second.high) > (second.thousandths, first.low, first.high)
        }

        /// Sorts `edges` in grouping's order (``grouped(_:_:)``), in place, on up to `threads` threads.
        ///
        /// Written by hand because the sort runs on one core between the scoring and the drafts of
        /// a full pass: the standard library's merge sort of 8.6 million edges took 0.5 to 1 s there
        /// (the scoring pieces sorted their own edges first, another 0.8 s of CPU; perf on
        /// `bench/proposals.sh 1000000`). The edges are placed by confidence in one pass that
        /// swaps them into their runs (an American flag sort: no second array at the pass's peak);
        /// each run is then sorted by pair, the runs shared between the threads. Pairs are distinct,
        /// so the order is the one ``grouped(_:_:)`` gives.
        static func sortForGrouping(_ edges: inout [Edge], threads: Int = 1) {
            let runs = 1001  // thousandths 1000 first, down to 0
            var starts = [Int](repeating: 0, count: runs + 1)
            for edge in edges { starts[1000 - Int(edge.thousandths) + 1] += 1 }
            for run in 0..<runs { starts[run + 1] += starts[run] }
            edges.withUnsafeMutableBufferPointer { edges in
                var next = Array(starts[..<runs])
                for run in 0..<runs {
                    while next[run] < starts[run + 1] {
                        let home = 1000 - Int(edges[next[run]].thousandths)
                        if home == run {
                            next[run] += 1
                        } else {
                            edges.swapAt(next[run], next[home])
                            next[home] += 1
                        }
                    }
                }
                // Runs in turn to the threads, largest first, each thread taking the next when done.
                let sizes = (0..<runs).map { starts[$0 + 1] - starts[$0] }
                let order = sizes.indices.filter { sizes[$0] > 1 }.sorted { sizes[$0] > sizes[$1] }
                let shared = DisjointWrites(start: edges.baseAddress)
                let taken = Atomic<Int>(0)
                _ = ParallelWork.map(max(1, threads), threads: threads) { [starts] _ in
                    while true {
                        let position = taken.add(1, ordering: .relaxed).oldValue
                        guard position < order.count else { return }
                        let run = order[position]
                        var part = UnsafeMutableBufferPointer(
                            start: shared.start! + starts[run], count: starts[run + 1] - starts[run])
                        part.sort { ($0.low, $0.high) < ($1.low, $1.high) }
                    }
                }
            }
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
    ///   are millions on `bench/proposals.sh 1000000`; emptied once the spanning trees are known.
    /// - Parameter releasing: Whether to replace the profiles of the people in no group by one empty
    ///   profile once the groups are known: when the caller gave up `profiles`, that frees them
    ///   before the drafts are written (at 1,000,000 people, more than half of the profiles and
    ///   of the peak RSS of a full pass, `bench/proposals.sh`).
    /// - Throws: ``MatchingStopped`` when `checkpoint` returned false.
    func group(
        _ edges: inout [Edge], profiles: consuming [MatchProfile], releasing: Bool, rejected: Set<PersonPair>,
        timings: inout Timings, checkpoint: () -> Bool
    ) throws(MatchingStopped) -> [ProposalDraft] {
        let started = ContinuousClock.now
        // Moved, not copied: a second reference would make replacing an entry copy the whole list.
        var profiles = consume profiles
        Edge.sortForGrouping(&edges, threads: threads)
        var strong = UnionFind(rejected: rejected, profiles: profiles)
        var strongEdges: [Edge] = []
        for edge in edges where edge.strong && edge.confidence >= strongThreshold {
            if strong.union(edge.a, edge.b) { strongEdges.append(edge) }
        }
        // The spanning trees of the proposals; their drafts are written in pieces, on `threads` threads.
        var trees: [[Edge]] = []
        var byRoot: [Int: [Edge]] = [:]
        for edge in strongEdges { byRoot[strong.find(edge.a), default: []].append(edge) }
        for (_, tree) in byRoot { trees.append(tree) }

        // The weak layer: nodes are the strong groups.
        var weak = strong
        var weakEdges: [Edge] = []
        for edge in edges where !(edge.strong && edge.confidence >= strongThreshold) {
            if weak.union(edge.a, edge.b) { weakEdges.append(edge) }
        }
        var weakByRoot: [Int: [Edge]] = [:]
        for edge in weakEdges { weakByRoot[weak.find(edge.a), default: []].append(edge) }
        var strongByWeakRoot: [Int: [Edge]] = [:]
        for edge in strongEdges {
            let root = weak.find(edge.a)
            if weakByRoot[root] != nil { strongByWeakRoot[root, default: []].append(edge) }
        }
        for (root, tree) in weakByRoot { trees.append(tree + (strongByWeakRoot[root] ?? [])) }
        // Only the trees are needed from here on: the edges go before the drafts are written, and
        // so do the profiles of the people in none.
        edges = []
        (strongEdges, weakEdges, byRoot, weakByRoot, strongByWeakRoot) = ([], [], [:], [:], [:])
        if releasing {
            var used = [Bool](repeating: false, count: profiles.count)
            for tree in trees {
                for edge in tree { (used[edge.a], used[edge.b]) = (true, true) }
            }
            let empty = MatchProfile(MatchPerson(id: PersonID(0), name: ""))
            for index in profiles.indices where !used[index] { profiles[index] = empty }
            FreedMemory.release()
        }
        // The drafts come out by their first person (the lowest id), a tie in the order the trees
        // were found, as a stable sort of the drafts put them: each tree's place is known before
        // they are written (sorting the drafts, which moved each draft's lists, took 0.7 s of a
        // full pass over 1,000,000 people on one core, perf).
        var lowest = [Int64](repeating: .max, count: trees.count)
        for (index, tree) in trees.enumerated() {
            for edge in tree {
                lowest[index] = min(lowest[index], profiles[edge.a].id.rawValue, profiles[edge.b].id.rawValue)
            }
        }
        var place = [Int](repeating: 0, count: trees.count)
        for (position, index) in trees.indices.sorted(by: { (lowest[$0], $0) < (lowest[$1], $1) }).enumerated() {
            place[index] = position
        }
        // They are written a group at a time: the confident trees of a weaker group, then its own
        // tree, which shows their edges again (``draft(_:profiles:scored:)``).
        let component = trees.map { weak.find($0[0].a) }
        let written = trees.indices.sorted { (component[$0], $0) < (component[$1], $1) }
        var units: [Range<Int>] = []
        var start = 0
        while start < written.count {
            var end = start + 1
            while end < written.count, component[written[end]] == component[written[start]] { end += 1 }
            units.append(start..<end)
            start = end
        }
        let pieces = ParallelWork.ranges(units.count, pieces: (units.count + 1023) / 1024)
        var drafts = [ProposalDraft?](repeating: nil, count: trees.count)
        timings.grouping = ContinuousClock.now - started
        let drafting = ContinuousClock.now
        defer { timings.drafting = ContinuousClock.now - drafting }
        try ParallelWork.rounds(pieces.count, threads: threads, checkpoint: checkpoint) {
            [trees, profiles, written, units] piece in
            var out: [(Int, ProposalDraft)] = []
            for unit in units[pieces[piece]] {
                var scored: [UInt64: PairScore?] = [:]
                for index in written[unit] {
                    out.append((index, draft(trees[index], profiles: profiles, scored: &scored)))
                }
            }
            return out
        } take: { out in
            for (index, draft) in out { drafts[place[index]] = draft }
        }
        if releasing {
            // The profiles of the people in a proposal and the trees are freed on another thread
            // while the caller records the drafts: on this one, that took 0.4 s of a full pass over
            // 1,000,000 people.
            Handoff.free((consume profiles, consume trees))
        }
        return drafts.map { $0! }
    }

    /// One proposal from the spanning-tree edges of a group.
    ///
    /// - Parameter scored: The lines of confident edges scored for the drafts of the same weaker
    ///   group before, each kept until it is read once: a confident edge is shown in the proposal
    ///   of its confident group and again in that of a weaker group around it. Scoring those edges
    ///   twice was a fifth of the 1.2 million scored for the drafts of a full pass over 1,000,000
    ///   people.
    func draft(_ tree: [Edge], profiles: [MatchProfile], scored: inout [UInt64: PairScore?]) -> ProposalDraft {
        // Most proposals are two or three people: their members and lines are looked up in the
        // lists themselves, which is cheaper than hashing each string into a set (a tenth of
        // writing the drafts of a full pass, perf). A snowball of thousands of people has
        // thousands of lines, and searching the lists would be quadratic: sets from 16 edges on.
        let small = tree.count < 16
        var members: [Int] = []
        var memberSet = Set<Int>()
        func add(_ member: Int) {
            if small ? !members.contains(member) : memberSet.insert(member).inserted { members.append(member) }
        }
        for edge in tree {
            add(edge.a)
            add(edge.b)
        }
        // By id, each read once: a comparison that read both profiles retained and released them.
        let people = members.map { (profiles[$0].id, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        let ordered = tree.sorted { $0.confidence > $1.confidence }
        var confidence = ordered.map(\.confidence).min() ?? 0
        var evidence: [String] = []
        var flags: [String] = []
        var seen = Set<String>()
        var seenFlags = Set<String>()
        for edge in ordered {
            // The same pair scores the same; this time with its lines.
            let found: PairScore?
            if edge.strong, edge.confidence >= strongThreshold {
                let pair = UInt64(edge.low) << 32 | UInt64(edge.high)
                if let known = scored.removeValue(forKey: pair) {
                    found = known
                } else {
                    found = PairScorer.score(profiles[edge.a], profiles[edge.b], lines: true)
                    scored[pair] = found
                }
            } else {
                found = PairScorer.score(profiles[edge.a], profiles[edge.b], lines: true)
            }
            guard let score = found else { continue }
            let prefix = people.count > 2 ? "\(profiles[edge.a].id) and \(profiles[edge.b].id): " : ""
            for line in score.evidence {
                let line = prefix + line
                if small ? !evidence.contains(line) : seen.insert(line).inserted { evidence.append(line) }
            }
            for flag in score.flags where small ? !flags.contains(flag) : seenFlags.insert(flag).inserted {
                flags.append(flag)
            }
        }
        // Fewer than three full names can't be more than two people: most drafts are not listed
        // again (listing them was a twentieth of writing the drafts, perf).
        var fullNames = 0
        for person in people {
            for name in profiles[person].names where name.count >= 2 { fullNames += 1 }
        }
        let distinct =
            fullNames <= 2 && people.count <= largestGroup
            ? fullNames
            : MatchProfile.distinctPeople(in: people.flatMap { profiles[$0].names.filter { $0.count >= 2 } })
        if people.count > largestGroup || distinct > 2 {
            let names =
                switch distinct {
                case 0: ""
                case 1: " all with one name"
                default: " with \(distinct) different names"
                }
            flags.append("snowball: \(people.count) people\(names) would become one; check each pair")
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
