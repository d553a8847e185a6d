import Dispatch
import Synchronization

/// Runs independent pieces of work on the machine's cores and gives their results in order.
///
/// Matching splits its work (profiles, keys, blocks) into pieces that read shared, immutable
/// values and return their own results, so the outcome is the same whatever ran where: the pieces'
/// results are put back in piece order. Visible to the package's other modules for the same use
/// (``map(_:threads:_:)`` and ``ranges(_:pieces:)``).
package enum ParallelWork {
    /// `work(0) … work(count - 1)`, run on up to `threads` threads (sequentially when 1).
    package static func map<Result: Sendable>(
        _ count: Int, threads: Int, _ work: @Sendable (Int) -> Result
    ) -> [Result] {
        guard threads > 1, count > 1 else { return (0..<count).map(work) }
        let results = Mutex<[Result?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { piece in
            let result = work(piece)
            results.withLock { $0[piece] = result }
        }
        return results.withLock { slots in slots.map { $0! } }
    }

    /// `0..<total` cut into `pieces` ranges of near-equal length (fewer when `total` is smaller).
    package static func ranges(_ total: Int, pieces: Int) -> [Range<Int>] {
        let pieces = max(1, min(pieces, total))
        return (0..<pieces).map { piece in (total * piece / pieces)..<(total * (piece + 1) / pieces) }
    }
}

/// An array's storage that several threads write at once, each at places no other one writes
/// (the parts of a sort, the pieces of a table), handed to them as one value.
struct DisjointWrites<Element>: @unchecked Sendable {
    let start: UnsafeMutablePointer<Element>?
}

extension ParallelWork {
    /// `work(0) … work(count - 1)` in rounds of 32 pieces per thread, asking `checkpoint` before
    /// each round, and handing each result to `take` in piece order on the calling thread.
    ///
    /// A thread that ends its share of a round first waits for the others: with 4 pieces per
    /// thread, the two cores were busy 93% of the scoring of a full pass over 1,000,000 people
    /// (1,341 pieces, perf), and the scoring took 13.4–13.7 s against 12.4–13.1 s now (alternated
    /// runs). A round of that scoring takes 0.5–0.7 s (11–14 s over its 21 rounds), how long a stop
    /// may wait for it.
    ///
    /// - Throws: ``MatchingStopped`` when `checkpoint` returned false.
    static func rounds<Result: Sendable>(
        _ count: Int, threads: Int, checkpoint: () -> Bool, _ work: @Sendable (Int) -> Result,
        take: (Result) -> Void
    ) throws(MatchingStopped) {
        let round = max(1, threads * 32)
        var start = 0
        while start < count {
            if !checkpoint() { throw MatchingStopped() }
            let (base, end) = (start, min(count, start + round))
            for result in map(end - base, threads: threads, { work(base + $0) }) { take(result) }
            start = end
        }
    }
}
