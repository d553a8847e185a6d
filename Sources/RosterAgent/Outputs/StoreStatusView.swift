import Foundation
public import RosterStore

/// `roster status` as text.
public struct StoreStatusView {
    public let status: StoreStatus

    public init(_ status: StoreStatus) {
        self.status = status
    }

    /// - Parameter store: Where the store is: its SQLite file or its PostgreSQL URL.
    public func text(store: StoreLocation) -> String {
        var lines = ["Roster store: \(store)"]
        lines.append("People:                \(status.people)")
        lines.append("People without email:  \(status.peopleWithoutEmail)")
        if status.accountsByIntegration.isEmpty {
            lines.append("Accounts:              none")
        } else {
            lines.append("Accounts:")
            for (integration, count) in status.accountsByIntegration {
                lines.append("  \(integration): \(count)")
            }
        }
        lines.append("Files applied:         \(status.filesApplied)")
        lines.append("Files rejected:        \(status.filesRejected)")
        if let last = status.lastIngest {
            lines.append("Last ingest:           \(last.fileName), \(last.outcome), \(last.finishedAt)")
        } else {
            lines.append("Last ingest:           none yet")
        }
        return lines.joined(separator: "\n")
    }
}

/// Whether a path exists, for commands deciding what to rebuild.
public enum FileExistence {
    public static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }
}
