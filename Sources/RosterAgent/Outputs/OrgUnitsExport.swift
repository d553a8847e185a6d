import Foundation
public import RosterCore
public import RosterStore

/// The member lists of the configured org units: `exports/org-units/<unit>.csv` (`id,full_name,
/// email` and the attributes the unit's filters read) and `exports/org-units.csv` (`unit,person_id`).
///
/// Each file is rewritten atomically, and only when its bytes change, so that tools watching the
/// folder see a change only when a unit's members or their shown values do. Files of units no
/// longer configured are removed.
public enum OrgUnitsExport {
    /// The members of every unit, evaluated over the whole store.
    public struct Evaluation {
        public var evaluator: OrgUnitEvaluator
        /// Members of each unit, by unit index, in id order.
        public var members: [[ExportedPerson]]
    }

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
        try store.forEachPerson { person in
            evaluator.evaluate(orgPerson(person), into: &scratch)
            for unit in scratch.indices where scratch[unit] { members[unit].append(person) }
        }
        return Evaluation(evaluator: evaluator, members: members)
    }

    /// The header of a unit's member file.
    public static func header(for unit: OrgUnit) -> [String] {
        ["id", "full_name", "email"] + unit.filterAttributes
    }

    /// Rewrites the member files whose content changed.
    ///
    /// - Returns: The paths written.
    @discardableResult
    public static func refresh(store: any RosterStore, config: RosterConfig, state: StateLayout) throws -> [String] {
        let folder = state.orgUnitsFolder
        if config.orgUnits.isEmpty, !FileManager.default.fileExists(atPath: folder) { return [] }
        try StateLayout.ensureFolder(folder, role: "the org units folder")
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
            for person in evaluation.members[position] {
                try writer.write(
                    ([person.id.description, person.name, person.primaryEmail ?? ""]
                        + attributes.map { person.attributes[$0] ?? "" }).map(FormulaGuard.neutralise))
                try indexWriter.write([FormulaGuard.neutralise(unit.name), person.id.description])
            }
            try writer.flush()
            let path = "\(folder)/\(unit.name).csv"
            if try writeIfChanged(path, bytes) { written.append(path) }
        }
        try indexWriter.flush()
        if try writeIfChanged(state.orgUnitsIndex, index) { written.append(state.orgUnitsIndex) }
        let names = Set(config.orgUnits.map { "\($0.name).csv" })
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where file.hasSuffix(".csv") && !names.contains(file) {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(file)")
        }
        return written
    }

    /// Writes `bytes` atomically unless `path` already holds exactly them.
    ///
    /// - Returns: Whether the file was written.
    static func writeIfChanged(_ path: String, _ bytes: [UInt8]) throws -> Bool {
        if let current = FileManager.default.contents(atPath: path), current.elementsEqual(bytes) { return false }
        try AtomicFile.write(path, bytes: bytes)
        return true
    }
}

extension StateLayout {
    /// The folder of the org units' member files.
    public var orgUnitsFolder: String { "\(exports)/org-units" }
    /// `unit,person_id` for every unit and member.
    public var orgUnitsIndex: String { "\(exports)/org-units.csv" }
}
