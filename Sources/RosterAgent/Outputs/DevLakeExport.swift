import Foundation
public import RosterCore
public import RosterStore

/// Apache DevLake's team configuration: `users.csv`, `teams.csv` (from the org units) and
/// `user_account_mapping.csv`, each written atomically into one folder.
///
/// User ids are Roster's person ids and team ids the org units' names, so that dropping the files
/// back into Roster, or exporting again, changes nothing.
public enum DevLakeExport {
    /// Writes the three files into `folder`, creating it if needed.
    ///
    /// - Returns: The paths written.
    @discardableResult
    public static func write(store: any RosterStore, config: RosterConfig, folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let evaluation = try OrgUnitsExport.evaluate(store: store, config: config)
        var teams: [PersonID: [String]] = [:]
        for (index, unit) in config.orgUnits.enumerated() {
            for person in evaluation.members[index] { teams[person.id, default: []].append(unit.name) }
        }

        let users = "\(folder)/users.csv"
        try AtomicFile.write(users) { file in
            var writer = CSVWriter { try file.write($0) }
            try writer.write(DevLakeTeams.usersHeader)
            try store.forEachPerson { person in
                try writer.write(
                    [
                        person.id.description, person.name, person.primaryEmail ?? "",
                        (teams[person.id] ?? []).joined(separator: ";"),
                    ].map(FormulaGuard.neutralise))
            }
            try writer.flush()
        }

        let teamsPath = "\(folder)/teams.csv"
        try AtomicFile.write(teamsPath) { file in
            var writer = CSVWriter { try file.write($0) }
            try writer.write(DevLakeTeams.teamsHeader)
            for (index, unit) in config.orgUnits.enumerated() {
                try writer.write(
                    [unit.name, unit.name, unit.name, unit.parent ?? "", String(index + 1)].map(FormulaGuard.neutralise)
                )
            }
            try writer.flush()
        }

        let mapping = "\(folder)/user_account_mapping.csv"
        try AtomicFile.write(mapping) { file in
            var writer = CSVWriter { try file.write($0) }
            try writer.write(DevLakeTeams.accountsHeader)
            try store.forEachAccount { account in
                let f = account.fields
                try writer.write(
                    [
                        DevLakeTeams.accountID(account.key), f.email ?? "", f.displayName ?? "", f.login ?? "", "", "",
                        "", "", account.person.description,
                    ].map(FormulaGuard.neutralise))
            }
            try writer.flush()
        }
        return [users, teamsPath, mapping]
    }
}
