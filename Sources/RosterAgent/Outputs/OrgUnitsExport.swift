import Crypto
import Foundation
public import RosterCore
public import RosterStore

#if canImport(Glibc)
    import Glibc
#endif

/// The member lists of the configured org units: `exports/org-units/<unit>.csv` (`id,full_name,
/// email` and the attributes the unit's filters read) and `exports/org-units.csv` (`unit,person_id`).
///
/// Each file is rewritten atomically, and only when its bytes change, so that tools watching the
/// folder see a change only when a unit's members or their shown values do. Files of units no
/// longer configured are removed.
///
/// Memberships are kept in the store with the `org-units` output marker, so that after a change
/// only the people it touched are evaluated again (see ``refresh(store:config:state:)``).
public enum OrgUnitsExport {
    /// The members of every unit, evaluated over the whole store.
    public struct Evaluation {
        public var evaluator: OrgUnitEvaluator
        /// Members of each unit, by unit index, in id order.
        public var members: [[ExportedPerson]]
        /// How many people were evaluated.
        public var people = 0
    }

    /// What a refresh did.
    public struct Refresh: Sendable, Equatable {
        public enum Mode: Sendable, Equatable {
            /// Everyone evaluated and every file rebuilt, for the reason given.
            case full(reason: String)
            /// Only the people changed since the marker evaluated, and their records patched in.
            case incremental
        }

        public var mode: Mode
        /// How many people were evaluated.
        public var people: Int
        /// The paths written, in order.
        public var written: [String]
    }

    /// Bumped when the member files or the evaluation change in a way the config does not show,
    /// so that the first refresh after an upgrade rebuilds everything.
    static let version = 1

    /// A person as org unit filters see them.
    public static func orgPerson(_ person: ExportedPerson) -> OrgPerson {
        OrgPerson(
            id: person.id, name: person.name, emails: (person.primaryEmail.map { [$0] } ?? []) + person.otherEmails,
            attributes: person.attributes, integrations: person.accounts.keys.sorted())
    }

    /// Evaluates every configured unit over the store.
    public static func evaluate(store: any RosterStore, config: RosterConfig) throws -> Evaluation {
        var evaluator = try OrgUnitEvaluator(units: config.orgUnits, attributes: config.attributes)
        var members = Array(repeating: [ExportedPerson](), count: config.orgUnits.count)
        var scratch: [Bool] = []
        var people = 0
        try store.forEachPerson { person in
            people += 1
            evaluator.evaluate(orgPerson(person), into: &scratch)
            for unit in scratch.indices where scratch[unit] { members[unit].append(person) }
        }
        return Evaluation(evaluator: evaluator, members: members, people: people)
    }

    /// The stored members of every unit, by unit index, when they reflect every change in the store
    /// under this config (the marker has its fingerprint and the latest audit row); nil otherwise.
    ///
    /// Saves `roster org-units list` and `show` a full evaluation while the agent keeps up.
    public static func storedMembers(store: any RosterStore, config: RosterConfig) throws -> [[PersonID]]? {
        guard try isCurrent(store: store, config: config) else { return nil }
        return try config.orgUnits.map { try store.orgUnitMembers($0.name) }
    }

    /// The stored member count of every unit, by unit index, when current (as ``storedMembers(store:config:)``).
    public static func storedCounts(store: any RosterStore, config: RosterConfig) throws -> [Int]? {
        guard try isCurrent(store: store, config: config) else { return nil }
        let files = try store.orgUnitFiles()
        return config.orgUnits.map { files[$0.name]?.members ?? 0 }
    }

    private static func isCurrent(store: any RosterStore, config: RosterConfig) throws -> Bool {
        guard let marker = try store.outputMarker(OutputMarker.orgUnitsName), marker.fingerprint == fingerprint(config),
            marker.audit == (try store.latestAudit())
        else { return false }
        let files = try store.orgUnitFiles()
        return config.orgUnits.allSatisfy { files[$0.name] != nil }
    }

    /// The header of a unit's member file.
    public static func header(for unit: OrgUnit) -> [String] {
        ["id", "full_name", "email"] + unit.filterAttributes
    }

    /// A member's record in a unit's file, before neutralising.
    public static func fields(_ person: ExportedPerson, attributes: [String]) -> [String] {
        [person.id.description, person.name, person.primaryEmail ?? ""] + attributes.map { person.attributes[$0] ?? "" }
    }

    /// Everything the memberships and the files' layout follow from: the units, the types of the
    /// attributes their filters read, the files' columns and ``version``. Another fingerprint than
    /// the marker's means a full rebuild.
    public static func fingerprint(_ config: RosterConfig) -> String {
        var text = "org-units v\(version)\n"
        for unit in config.orgUnits {
            text += "unit \(unit.name)\nparent \(unit.parent ?? "")\n"
            for (number, group) in unit.groups.enumerated() {
                for filter in group {
                    text += "filter \(number) \(filter.field) \(filter.op.rawValue) \(filter.caseSensitive) "
                    text += filter.values.joined(separator: "\u{1}") + "\n"
                }
            }
            text += "include " + unit.include.joined(separator: "\u{1}") + "\n"
            text += "exclude " + unit.exclude.joined(separator: "\u{1}") + "\n"
            text += "columns " + header(for: unit).joined(separator: "\u{1}") + "\n"
            for key in unit.filterAttributes {
                text += "type \(key) \(config.attribute(key).map { "\($0.type)" } ?? "-")\n"
            }
        }
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Brings the member files and the stored memberships up to date with the store.
    ///
    /// Incremental when the `org-units` marker has this config's fingerprint and every member file
    /// is there: the people changed since the marker (and those merged away or who lost an email
    /// to a merge) are evaluated, their records patched into the files of the units they were or
    /// are in (``SortedCSVPatch``), and `org-units.csv` patched when a membership changed. Otherwise,
    /// or when a file no longer holds what was written, everyone is evaluated and every file rebuilt.
    ///
    /// Rewriting a changed unit's file from the store would read all of its members again: at
    /// 1,000,000 people a 1,000-row change touches every unit of the benchmark, so that costs as
    /// much as reading everyone. Patching reads only the files' bytes, and the changed people.
    ///
    /// Order of effects, so that a stop at any point leaves nothing inconsistent: the units about to
    /// be written are marked pending in the store, then the files are written (each atomically),
    /// then the memberships and the marker are saved in one transaction, which clears the marks.
    /// The marker never gets ahead of the files; after a stop in between, the next refresh takes
    /// the same people again (the marker did not move) and patches the pending files too, which is
    /// harmless because patching replaces those people's records whatever the file held. A full
    /// rebuild forgets the marker first.
    ///
    /// - Returns: What was done and the paths written.
    @discardableResult
    public static func refresh(store: any RosterStore, config: RosterConfig, state: StateLayout) throws -> Refresh {
        let folder = state.orgUnitsFolder
        if config.orgUnits.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            return Refresh(mode: .incremental, people: 0, written: [])
        }
        try StateLayout.ensureFolder(folder, role: "the org units folder")
        return try locked("\(state.exports)/.org-units.lock") {
            try refreshLocked(store: store, config: config, state: state)
        }
    }

    /// Runs `body` holding an exclusive lock on the file at `path`: the agent and a command
    /// (`roster proposals accept`, `unmerge`) sharing a state folder take turns, so that one's
    /// older files can't land after the other saved a newer marker.
    static func locked<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw FileError.syscall("open the lock file", path: path) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw FileError.syscall("lock", path: path) }
        }
        return try body()
    }

    private static func refreshLocked(store: any RosterStore, config: RosterConfig, state: StateLayout) throws
        -> Refresh
    {
        let fingerprint = fingerprint(config)
        let reason: String
        let folderMarker = "org-units-files \(state.hostFolderKey)"
        if let marker = try store.outputMarker(OutputMarker.orgUnitsName) {
            let paths = config.orgUnits.map { path(of: $0, state: state) } + [state.orgUnitsIndex]
            if marker.fingerprint != fingerprint {
                reason = "the org units or their attributes changed"
            } else if !paths.allSatisfy(FileManager.default.fileExists(atPath:)) {
                reason = "a member file is missing"
            } else if try store.outputMarker(folderMarker) != marker {
                reason = "the stored memberships are not those of these files (another agent on the store)"
            } else if let done = try incremental(
                store: store, config: config, state: state, marker: marker, fingerprint: fingerprint)
            {
                // What this refresh saved, not what the store holds by now: another agent may have
                // saved a newer marker meanwhile, which these files do not reflect.
                try store.setOutputMarker(folderMarker, to: done.saved)
                return done.refresh
            } else {
                reason = "a member file does not hold what was written"
            }
        } else {
            reason = "no memberships are stored yet"
        }
        let done = try full(store: store, config: config, state: state, fingerprint: fingerprint, reason: reason)
        try store.setOutputMarker(folderMarker, to: done.saved)
        return done.refresh
    }

    static func path(of unit: OrgUnit, state: StateLayout) -> String {
        "\(state.orgUnitsFolder)/\(unit.name).csv"
    }

    /// Rebuilds every file; returns the marker saved with the memberships.
    private static func full(
        store: any RosterStore, config: RosterConfig, state: StateLayout, fingerprint: String, reason: String
    ) throws -> (refresh: Refresh, saved: OutputMarker) {
        // Should the files be written and the memberships not, the next refresh is full again.
        try store.setOutputMarker(OutputMarker.orgUnitsName, to: nil)
        // Read before evaluating: whatever changes meanwhile is taken again next time.
        let audit = try store.latestAudit()
        let evaluation = try evaluate(store: store, config: config)
        var written: [String] = []
        var index: [UInt8] = []
        var indexWriter = CSVWriter(flushSize: 1 << 16) { index += $0 }
        try indexWriter.write(["unit", "person_id"])
        for (position, unit) in config.orgUnits.enumerated() {
            var bytes: [UInt8] = []
            var writer = CSVWriter(flushSize: 1 << 16) { bytes += $0 }
            let attributes = unit.filterAttributes
            try writer.write(header(for: unit))
            let name = FormulaGuard.neutralise(unit.name)
            for person in evaluation.members[position] {
                try writer.write(fields(person, attributes: attributes).map(FormulaGuard.neutralise))
                try indexWriter.write([name, person.id.description])
            }
            try writer.flush()
            let path = path(of: unit, state: state)
            if try writeIfChanged(path, bytes) { written.append(path) }
        }
        try indexWriter.flush()
        if try writeIfChanged(state.orgUnitsIndex, index) { written.append(state.orgUnitsIndex) }
        let names = Set(config.orgUnits.map { "\($0.name).csv" })
        let folder = state.orgUnitsFolder
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where file.hasSuffix(".csv") && !names.contains(file) {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(file)")
        }
        try syncAll(written)
        let members = config.orgUnits.enumerated().map { position, unit in
            OrgUnitMembers(unit: unit.name, members: evaluation.members[position].map(\.id))
        }
        let saved = OutputMarker(audit: audit, fingerprint: fingerprint)
        try store.saveOrgUnitMembers(.all(members), marker: saved)
        return (Refresh(mode: .full(reason: reason), people: evaluation.people, written: written), saved)
    }

    /// The incremental refresh and the marker it saved, or nil when a file is not as written (or
    /// the store lacks a unit's state) and everything must be rebuilt.
    private static func incremental(
        store: any RosterStore, config: RosterConfig, state: StateLayout, marker: OutputMarker, fingerprint: String
    ) throws -> (refresh: Refresh, saved: OutputMarker)? {
        let units = config.orgUnits
        let files = try store.orgUnitFiles()
        guard units.allSatisfy({ files[$0.name] != nil }) else { return nil }
        // Named too: people merged away, and those a merge or an unmerge took emails from.
        let (changed, audit) = try store.peopleChanged(sinceAudit: marker.audit)
        let ids = changed.sorted()
        let pending = units.indices.filter { files[units[$0].name]!.pending }
        let newMarker = OutputMarker(audit: audit, fingerprint: fingerprint)
        if ids.isEmpty, pending.isEmpty {
            if audit != marker.audit { try store.saveOrgUnitMembers(.people([:]), marker: newMarker) }
            return (Refresh(mode: .incremental, people: 0, written: []), newMarker)
        }

        // Evaluate the changed people; those merged away are not found and so are in no unit.
        let people = try store.exportedPeople(ids)
        var evaluator = try OrgUnitEvaluator(units: units, attributes: config.attributes)
        var joined = Array(repeating: [ExportedPerson](), count: units.count)
        var now = Dictionary(uniqueKeysWithValues: ids.map { ($0, [String]()) })
        var scratch: [Bool] = []
        for person in people {
            evaluator.evaluate(orgPerson(person), into: &scratch)
            for unit in scratch.indices where scratch[unit] {
                joined[unit].append(person)
                now[person.id, default: []].append(units[unit].name)
            }
        }
        let positions = Dictionary(uniqueKeysWithValues: units.enumerated().map { ($1.name, $0) })
        var stored = Array(repeating: Set<PersonID>(), count: units.count)
        for (id, names) in try store.orgUnitMemberships(of: ids) {
            for name in names { if let unit = positions[name] { stored[unit].insert(id) } }
        }
        var membershipsChanged = !pending.isEmpty
        var touched: [Int] = []
        for unit in units.indices {
            let members = Set(joined[unit].map(\.id))
            if members != stored[unit] { membershipsChanged = true }
            if !members.isEmpty || !stored[unit].isEmpty || files[units[unit].name]!.pending { touched.append(unit) }
        }
        if !touched.isEmpty { try store.markOrgUnitFilesPending(touched.map { units[$0].name }) }

        let changedIDs = ids.map(\.rawValue)
        var written: [String] = []
        var buffer: [UInt8] = []
        for unit in touched {
            let attributes = units[unit].filterAttributes
            let patch = SortedCSVPatch(
                header: try record(header(for: units[unit])), layout: .idFirst, changed: changedIDs,
                records: try joined[unit].map { person in
                    (
                        SortedCSVPatch.Key(group: 0, id: person.id.rawValue),
                        try record(fields(person, attributes: attributes).map(FormulaGuard.neutralise))
                    )
                },
                expectedOthers: [files[units[unit].name]!.members - stored[unit].count])
            let path = path(of: units[unit], state: state)
            guard let outcome = try apply(patch, to: path, buffer: &buffer) else { return nil }
            if outcome { written.append(path) }
        }
        if membershipsChanged {
            var records: [(key: SortedCSVPatch.Key, bytes: [UInt8])] = []
            for unit in units.indices {
                let name = FormulaGuard.neutralise(units[unit].name)
                for person in joined[unit] {
                    records.append(
                        (
                            SortedCSVPatch.Key(group: unit, id: person.id.rawValue),
                            try record([name, person.id.description])
                        ))
                }
            }
            let patch = SortedCSVPatch(
                header: try record(["unit", "person_id"]),
                layout: .unitThenID(
                    Dictionary(units.enumerated().map { (FormulaGuard.neutralise($1.name), $0) }) { first, _ in first }),
                changed: changedIDs, records: records,
                expectedOthers: units.indices.map { files[units[$0].name]!.members - stored[$0].count })
            guard let outcome = try apply(patch, to: state.orgUnitsIndex, buffer: &buffer) else { return nil }
            if outcome { written.append(state.orgUnitsIndex) }
        }
        try syncAll(written)
        try store.saveOrgUnitMembers(.people(now), marker: newMarker)
        return (Refresh(mode: .incremental, people: ids.count, written: written), newMarker)
    }

    /// Patches the file at `path`, writing it only when its bytes change.
    ///
    /// The file is mapped rather than read, and `buffer` is reused from file to file: at 1,000,000
    /// people a change rewrites some 200 MB of member files, and copies and fresh pages were most
    /// of the time not spent on the disk.
    ///
    /// - Returns: Whether it was written; nil when the file is not as written.
    private static func apply(_ patch: SortedCSVPatch, to path: String, buffer: inout [UInt8]) throws -> Bool? {
        guard let current = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            return nil
        }
        guard current.withUnsafeBytes({ patch.apply(to: $0, into: &buffer) }) else { return nil }
        if same(current, buffer) { return false }
        try AtomicFile.write(path, durable: false) { writer in
            // In pieces, so that the writer's own buffer stays small.
            var start = 0
            while start < buffer.count {
                let end = min(start + (1 << 16), buffer.count)
                try writer.write(Array(buffer[start..<end]))
                start = end
            }
        }
        return true
    }

    /// Whether a file's content is `bytes`; compared as memory, not byte by byte.
    private static func same(_ data: Data, _ bytes: [UInt8]) -> Bool {
        guard data.count == bytes.count else { return false }
        guard !bytes.isEmpty else { return true }
        return data.withUnsafeBytes { old in
            bytes.withUnsafeBytes { new in memcmp(old.baseAddress!, new.baseAddress!, new.count) == 0 }
        }
    }

    /// One CSV record with its line end.
    static func record(_ fields: [String]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var writer = CSVWriter { bytes += $0 }
        try writer.write(fields)
        try writer.flush()
        return bytes
    }

    /// Writes `bytes` atomically, not yet synced (see ``syncAll(_:)``), unless `path` already
    /// holds exactly them.
    ///
    /// - Returns: Whether the file was written.
    static func writeIfChanged(_ path: String, _ bytes: [UInt8]) throws -> Bool {
        if let current = FileManager.default.contents(atPath: path), same(current, bytes) { return false }
        try AtomicFile.write(path, bytes: bytes, durable: false)
        return true
    }

    /// Makes the files written durable, before the memberships that describe them are saved.
    ///
    /// Each file is written without a sync, then all are synced here: the file system commits its
    /// journal once or twice instead of twice per file (about 4 ms each on ext4), which was most of
    /// an incremental refresh. Should power fail before this, the marker has not moved, and a file
    /// left empty fails the patch's check and is rebuilt.
    private static func syncAll(_ paths: [String]) throws {
        var folders = Set<String>()
        for path in paths {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw FileError.syscall("open", path: path) }
            defer { close(descriptor) }
            guard fsync(descriptor) == 0 else { throw FileError.syscall("sync", path: path) }
            folders.insert(AtomicFile.split(path).folder)
        }
        for folder in folders.sorted() { try AtomicFile.syncFolder(folder) }
    }
}

extension StateLayout {
    /// The folder of the org units' member files.
    public var orgUnitsFolder: String { "\(exports)/org-units" }
    /// `unit,person_id` for every unit and member.
    public var orgUnitsIndex: String { "\(exports)/org-units.csv" }
}
