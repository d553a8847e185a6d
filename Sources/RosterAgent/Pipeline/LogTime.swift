/// Durations as the log lines give them: seconds, to the millisecond.
enum LogTime {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        seconds(ContinuousClock.now - start)
    }

    static func seconds(_ duration: Duration) -> Double {
        rounded(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    static func rounded(_ seconds: Double) -> Double {
        (seconds * 1000).rounded() / 1000
    }
}
