import Dispatch
import Synchronization

/// Builds the profiles of people while more people are read: a helper thread builds chunks as
/// they are added, and the reading thread builds one itself whenever a few chunks are waiting.
///
/// Written for the full proposals pass, where the store reads people on one thread: built after
/// each batch was read, the other core waited for about two fifths of the reading (perf,
/// `bench/proposals.sh 1000000`). Building a batch on two other threads while the next was read
/// once added half a gigabyte to the peak RSS (a third allocator arena, and batches read ahead
/// of the building); here one helper builds, the reader shares the building, and at most a few
/// chunks wait, so no more people are held than before.
///
/// The profiles come out in the order their people were added, each chunk's people sharing their
/// lists (``MatchProfile/SharedLists``), and each chunk's people are freed by the thread that
/// built it: freed by the reading thread, they were half of its work (perf).
public final class ProfilePipeline: Sendable {
    private struct State {
        var waiting: [(index: Int, people: [MatchPerson])] = []
        var next = 0
        var built: [[MatchProfile]?] = []
        var finished = false
    }

    private let state = Mutex(State())
    private let added = DispatchSemaphore(value: 0)
    private let helper = DispatchGroup()
    private let placeholderPatterns: [String]
    /// Chunks waiting before the reading thread builds one itself; none without a helper.
    private let backlog: Int

    /// - Parameter threads: The threads to build on, the reading thread among them: one helper
    ///   from two on.
    public init(placeholderPatterns: [String], threads: Int) {
        self.placeholderPatterns = placeholderPatterns
        backlog = threads > 1 ? 4 : 0
        if threads > 1 {
            DispatchQueue.global().async(group: helper) { [self] in
                while true {
                    if buildOne() { continue }
                    if state.withLock({ $0.finished }) { return }
                    added.wait()
                }
            }
        }
    }

    /// Adds the next people, given up: the thread that builds their profiles frees them.
    public func add(_ people: consuming [MatchPerson]) {
        var waiting = state.withLock { state in
            state.waiting.append((state.built.count, people))
            state.built.append(nil)
            return state.waiting.count - state.next
        }
        added.signal()
        while waiting > backlog, buildOne() {
            waiting = state.withLock { $0.waiting.count - $0.next }
        }
    }

    /// Every profile, in the order their people were added, once all are built.
    public func finish() -> [MatchProfile] {
        stop()
        return state.withLock { state in
            var profiles: [MatchProfile] = []
            profiles.reserveCapacity(state.built.reduce(0) { $0 + ($1?.count ?? 0) })
            for index in state.built.indices {
                profiles += state.built[index] ?? []
                state.built[index] = nil
            }
            return profiles
        }
    }

    /// Builds what is waiting and lets the helper go; to be called when the reading stops
    /// half-way too, so that no thread is left waiting.
    public func stop() {
        state.withLock { $0.finished = true }
        added.signal()
        while buildOne() {}
        helper.wait()
    }

    /// Builds the next waiting chunk; false when none waits.
    private func buildOne() -> Bool {
        let taken: (index: Int, people: [MatchPerson])? = state.withLock { state in
            guard state.next < state.waiting.count else { return nil }
            defer {
                state.waiting[state.next].people = []
                state.next += 1
                // Emptied whenever every chunk was taken, rather than left to grow.
                if state.next == state.waiting.count {
                    state.waiting.removeAll(keepingCapacity: true)
                    state.next = 0
                }
            }
            return state.waiting[state.next]
        }
        guard let taken else { return false }
        let profiles = MatchProfile.sharingLists(taken.people, placeholderPatterns: placeholderPatterns)
        state.withLock { $0.built[taken.index] = profiles }
        return true
    }
}
