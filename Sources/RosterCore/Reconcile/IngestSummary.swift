/// What applying one file did, for the command's output line and the report.
public struct IngestSummary: Sendable, Equatable {
    /// The kind of file, for the journal (`users-csv`, `github-json`, …).
    public var kind = "unknown"
    public var rows = 0
    public var peopleCreated = 0
    public var peopleUpdated = 0
    public var peopleUnchanged = 0
    public var emailsAdded = 0
    public var accountsCreated = 0
    public var accountsMoved = 0
    public var accountsUpdated = 0
    public var accountsUnchanged = 0
    public var attributesChanged = 0
    public var problems = 0
    /// Readable lines, one per change, at most ``detailLimit`` of them.
    public var details: [String] = []
    /// How many change lines did not fit in ``details``.
    public var detailsOmitted = 0

    /// The most change lines a report lists; the audit log holds them all.
    public static let detailLimit = 500

    public init() {}

    public var changed: Bool {
        peopleCreated + peopleUpdated + accountsCreated + accountsMoved + accountsUpdated > 0
    }

    mutating func note(_ line: @autoclosure () -> String) {
        if details.count < Self.detailLimit {
            details.append(line())
        } else {
            detailsOmitted += 1
        }
    }
}
