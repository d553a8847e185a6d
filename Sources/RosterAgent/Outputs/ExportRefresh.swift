import Foundation
import RosterCore
import RosterStore

#if canImport(Glibc)
    import Glibc
#endif

/// Brings `exports/users.csv` and `exports/accounts.csv` up to date after a change to the roster.
///
/// After a small change, only the rows of the people changed since the files were written are
/// replaced (``SortedCSVPatch``, ``AccountsCSVPatch``): at 1,250,000 people, writing both files whole
/// from the store took 5–7 s after an ingest of 1,000 rows (`bench/proposals.sh 1000000`), most of
/// the ingest, while the patch reads the changed people and copies the rest of the bytes.
///
/// Each file has an ``OutputMarker``: the last audit row it reflects, and a fingerprint of its
/// header and of the file as written (size, modification time, inode). The files are written whole
/// when a marker is missing, when the columns changed, when the file is not the one Roster wrote
/// (edited in place, replaced, gone), when more than ``patchLimit`` people changed, or when a patch
/// finds the file not as written. A marker is saved after its file is durable, so a stop in between
/// leaves a marker that no longer fits the file, and the next refresh writes it whole.
enum ExportRefresh {
    /// The names of the markers of the exports in `state`.
    ///
    /// Agents sharing a store (PostgreSQL) each write their own files, so each host and state
    /// folder keeps its own pair: with one pair, every agent would find the other's fingerprint and
    /// write both files whole every time.
    static func markers(_ state: StateLayout) -> (users: String, accounts: String) {
        ("users-export \(state.hostFolderKey)", "accounts-export \(state.hostFolderKey)")
    }

    /// Past this many changed people, reading them one by one costs about what reading everyone does.
    static let patchLimit = 50_000

    /// How the files were brought up to date.
    enum Mode: Equatable, CustomStringConvertible {
        /// The rows of `people` changed people replaced (0: nothing to do).
        case patched(people: Int)
        case whole(reason: String)

        var description: String {
            switch self {
            case .patched: "incremental"
            case .whole: "full"
            }
        }
    }

    static func refresh(store: any RosterStore, config: RosterConfig, state: StateLayout) throws -> Mode {
        // The agent and a command (`roster proposals accept`, `unmerge`) sharing a state folder
        // take turns, as for the org units' files: each reads the file the other may be replacing.
        try OrgUnitsExport.locked("\(state.root)/.exports.lock") {
            try refreshLocked(store: store, config: config, state: state)
        }
    }

    private static func refreshLocked(store: any RosterStore, config: RosterConfig, state: StateLayout) throws
        -> Mode
    {
        let integrations = UsersExport.allIntegrations(config: config, stored: try store.integrations())
        let usersHeader = try OrgUnitsExport.record(UsersExport.header(config: config, integrations: integrations))
        let accountsHeader = try OrgUnitsExport.record(AccountsExport.header)
        let usersKind = kind("users.csv", header: usersHeader)
        let accountsKind = kind("accounts.csv", header: accountsHeader)

        let names = markers(state)
        let reason: String
        if let users = try store.outputMarker(names.users), let accounts = try store.outputMarker(names.accounts) {
            if users.fingerprint != fingerprint(usersKind, of: state.usersExport)
                || accounts.fingerprint != fingerprint(accountsKind, of: state.accountsExport)
            {
                reason = "the columns changed, or a file is not as Roster wrote it"
            } else if let changes = try store.exportChanges(
                sinceAudit: min(users.audit, accounts.audit), atMost: patchLimit)
            {
                if changes.changed.isEmpty {
                    if users.audit != changes.latestAudit || accounts.audit != changes.latestAudit {
                        try saveMarkers(store, state, usersKind, accountsKind, audit: changes.latestAudit)
                    }
                    return .patched(people: 0)
                }
                if try patch(
                    changes, store: store, config: config, state: state, integrations: integrations,
                    headers: (usersHeader, accountsHeader))
                {
                    try saveMarkers(store, state, usersKind, accountsKind, audit: changes.latestAudit)
                    return .patched(people: changes.changed.count)
                }
                reason = "a file is not as Roster wrote it"
            } else {
                reason = "more than \(patchLimit) people changed"
            }
        } else {
            reason = "no export was recorded yet"
        }
        try writeWhole(store: store, config: config, state: state, kinds: (usersKind, accountsKind))
        return .whole(reason: reason)
    }

    /// Writes both files from everything in the store, then their markers.
    ///
    /// - Parameter kinds: The files' headers as the refresh read them; should an integration be
    ///   added meanwhile, the next refresh finds another header and writes the files whole again.
    private static func writeWhole(
        store: any RosterStore, config: RosterConfig, state: StateLayout, kinds: (users: String, accounts: String)
    ) throws {
        // Read before the files: what changes while they are written is taken in again next time.
        let audit = try store.latestAudit()
        let names = markers(state)
        try store.setOutputMarker(names.users, to: nil)
        try store.setOutputMarker(names.accounts, to: nil)
        // Side by side, each in its own read transaction: at 1,000,000 people each took about
        // five seconds of one core (`bench/proposals.sh`, an ingest of 1,000 rows), and they share
        // nothing but the store.
        let accounts = BackgroundWork(name: "roster: accounts export") { [store, state] in
            try AtomicFile.write(state.accountsExport) { writer in
                try AccountsExport.write(store: store) { try writer.write($0) }
            }
        }
        let users = Result {
            try AtomicFile.write(state.usersExport) { writer in
                try UsersExport.write(store: store, config: config) { try writer.write($0) }
            }
        }
        try accounts.wait()
        try users.get()
        try saveMarkers(store, state, kinds.users, kinds.accounts, audit: audit)
    }

    /// Patches both files; false when either is not as written (neither marker is saved then).
    private static func patch(
        _ changes: ExportChanges, store: any RosterStore, config: RosterConfig, state: StateLayout,
        integrations: [String], headers: (users: [UInt8], accounts: [UInt8])
    ) throws -> Bool {
        var row: [String] = []
        var people: [(key: SortedCSVPatch.Key, bytes: [UInt8])] = []
        people.reserveCapacity(changes.people.count)
        for person in changes.people {
            UsersExport.fields(of: person, integrations: integrations, config: config, into: &row)
            people.append((SortedCSVPatch.Key(group: 0, id: person.id.rawValue), try OrgUnitsExport.record(row)))
        }
        let users = SortedCSVPatch(
            header: headers.users, layout: .idFirst, changed: changes.changed.map(\.rawValue), records: people,
            expectedOthers: [changes.peopleTotal - changes.people.count])
        let accounts = AccountsCSVPatch(
            header: headers.accounts, changed: Set(changes.changed.map(\.rawValue)),
            rows: try changes.accounts.map { account in
                AccountsCSVPatch.Row(
                    integration: Array(account.key.integration.utf8), accountID: Array(account.key.accountID.utf8),
                    bytes: try OrgUnitsExport.record(AccountsExport.fields(of: account)))
            },
            expectedOthers: changes.accountsTotal - changes.accounts.count)

        // Should the second file not be as written, the caller writes both whole (the first, patched
        // already, has no marker for it yet).
        guard let usersOld = MappedFile(state.usersExport), let accountsOld = MappedFile(state.accountsExport),
            try write(state.usersExport, patching: usersOld, { try users.patch($0, into: &$1) })
        else { return false }
        return try write(state.accountsExport, patching: accountsOld, { try accounts.patch($0, into: &$1) })
    }

    private struct NotAsWritten: Error {}

    /// Writes `path` atomically with `patch` applied to its old content; false, leaving the file as
    /// it was, when the old content is not as written.
    private static func write(
        _ path: String, patching old: MappedFile,
        _ patch: (UnsafeRawBufferPointer, inout PatchFileOutput) throws -> Bool
    ) throws -> Bool {
        do {
            try AtomicFile.write(path) { writer in
                var output = PatchFileOutput(writer: writer, source: old)
                guard try patch(old.bytes, &output) else { throw NotAsWritten() }
            }
            return true
        } catch is NotAsWritten {
            return false
        }
    }

    private static func saveMarkers(
        _ store: any RosterStore, _ state: StateLayout, _ usersKind: String, _ accountsKind: String, audit: Int64
    ) throws {
        let names = markers(state)
        try store.setOutputMarker(
            names.users, to: OutputMarker(audit: audit, fingerprint: fingerprint(usersKind, of: state.usersExport)))
        try store.setOutputMarker(
            names.accounts,
            to: OutputMarker(audit: audit, fingerprint: fingerprint(accountsKind, of: state.accountsExport)))
    }

    /// The file and its columns: a hash of the header line.
    private static func kind(_ name: String, header: [UInt8]) -> String {
        var hash = FNV1a()
        hash.add(header)
        return "\(name) header \(String(hash.value, radix: 16))"
    }

    /// `kind` and the file as it is now (size, modification time, inode), or "missing".
    static func fingerprint(_ kind: String, of path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "\(kind) missing" }
        return "\(kind) file \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ino)"
    }
}

extension StateLayout {
    /// A key for this host and exports folder, to name the markers of files that each agent on a
    /// shared store writes for itself.
    var hostFolderKey: String {
        var host = [CChar](repeating: 0, count: 256)
        let named = gethostname(&host, host.count - 1) == 0
        var hash = FNV1a()
        if named { hash.add(host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }) }
        hash.add(0)
        let folder = realpath(exports, nil).map { path in
            defer { free(path) }
            return String(cString: path)
        }
        hash.add((folder ?? exports).utf8)
        return String(hash.value, radix: 16)
    }
}
