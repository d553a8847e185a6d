/// Durations as the log lines give them: seconds, to the millisecond.
enum LogTime {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return rounded(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static func rounded(_ seconds: Double) -> Double {
        (seconds * 1000).rounded() / 1000
    }
}
