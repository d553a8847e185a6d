import Dispatch
import Foundation
import Synchronization

/// Work started at once on a thread of its own, and waited for once.
///
/// For the few long jobs that share nothing with what the calling thread does meanwhile, so that
/// the two run on both cores: the key index written while pairs are scored, the accounts export
/// written while the users export is. A thread rather than a task: the work blocks on the store.
final class BackgroundWork<Value: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let outcome = Mutex<Result<Value, any Error>?>(nil)

    init(name: String, _ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let result = Result { try work() }
            outcome.withLock { $0 = result }
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits for the work to end; once only.
    ///
    /// - Returns: What the work returned.
    /// - Throws: What the work threw.
    func wait() throws -> Value {
        done.wait()
        return try outcome.withLock { $0! }.get()
    }
}
