import Dispatch
import Synchronization

/// A value handed to another thread, which takes it out: the sender keeps no copy, so the value is
/// freed as soon as the taker is done with it.
package final class Handoff<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    package init(_ value: consuming Value) {
        self.value = Mutex(value)
    }

    /// The value, the first time; nil after.
    package func take() -> Value? {
        value.withLock { value in
            defer { value = nil }
            return value
        }
    }

    /// Frees `value` on another thread, so that the caller goes on meanwhile.
    package static func free(_ value: consuming Value) {
        let handoff = Handoff(value)
        DispatchQueue.global(qos: .utility).async { _ = handoff.take() }
    }
}
