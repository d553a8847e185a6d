public import RosterCore
public import RosterStore

/// What happened to one input file.
public struct FileOutcome: Sendable {
    public enum Status: Sendable {
        case applied(IngestSummary)
        case alreadyApplied(JournalEntry)
        case rejected(reason: String, problems: Int)
    }

    /// The file's name as it was dropped.
    public var fileName: String
    public var status: Status
    public var kind: FileKind?
    /// Where the input was kept (`archive/…` or `rejected/…`).
    public var keptAt: String?
    /// The errors file of a rejected input.
    public var errorsFile: String?
    /// The report written for this file.
    public var reportFile: String?

    /// One line for the terminal.
    public var line: String {
        switch status {
        case .applied(let s):
            var parts = ["\(s.rows) rows", "\(s.peopleCreated) people created", "\(s.peopleUpdated) updated"]
            if s.peopleUnchanged > 0 { parts.append("\(s.peopleUnchanged) unchanged") }
            if s.accountsCreated + s.accountsMoved + s.accountsUpdated + s.accountsUnchanged > 0 {
                var accounts =
                    "accounts: \(s.accountsCreated) added, \(s.accountsUpdated) updated, \(s.accountsMoved) moved"
                if s.accountsUnchanged > 0 { accounts += ", \(s.accountsUnchanged) unchanged" }
                parts.append(accounts)
            }
            return "\(fileName): applied (\(parts.joined(separator: ", ")))"
        case .alreadyApplied(let entry):
            return "\(fileName): already applied (as \(entry.fileName) at \(entry.finishedAt)); nothing changed"
        case .rejected(let reason, _):
            let errors = errorsFile.map { "; see \($0)" } ?? ""
            return "\(fileName): rejected (\(reason))\(errors)"
        }
    }

    public var isRejected: Bool {
        if case .rejected = status { return true }
        return false
    }
}
