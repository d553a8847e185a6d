import GRDB
public import RosterCore

extension SQLiteStore {
    /// The org units' memberships as last written to their member files, so that a change to a few
    /// people is brought into the files by re-evaluating those people only.
    ///
    /// `orgUnitFile` keeps, per unit, its member count (to check that a member file still holds
    /// what was written before patching it) and whether its file may already hold changes that
    /// `orgUnitMember` does not (written, then stopped before the memberships were saved).
    static func registerOrgUnitsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4 org-unit members") { db in
            try db.execute(
                sql: """
                    CREATE TABLE orgUnitMember (
                        unit TEXT NOT NULL,
                        personId INTEGER NOT NULL,
                        PRIMARY KEY (unit, personId)
                    ) WITHOUT ROWID;
                    CREATE INDEX orgUnitMember_person ON orgUnitMember(personId);
                    CREATE TABLE orgUnitFile (
                        unit TEXT PRIMARY KEY NOT NULL,
                        members INTEGER NOT NULL,
                        pending BOOLEAN NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    """)
        }
    }

    public func exportedPeople(_ ids: [PersonID]) throws -> [ExportedPerson] {
        try writer.read { db in
            let person = try db.cachedStatement(sql: "SELECT name FROM person WHERE id = ?")
            let emails = try db.cachedStatement(
                sql: "SELECT address, isPrimary FROM email WHERE personId = ? ORDER BY isPrimary DESC, address")
            let accounts = try db.cachedStatement(
                sql: "SELECT integration, accountId FROM account WHERE personId = ? ORDER BY integration, accountId")
            let attributes = try db.cachedStatement(sql: "SELECT key, value FROM attributeValue WHERE personId = ?")
            var people: [ExportedPerson] = []
            for id in Set(ids).sorted() {
                let arguments: StatementArguments = [id.rawValue]
                guard let name = try String.fetchOne(person, arguments: arguments) else { continue }
                var exported = ExportedPerson(id: id, name: name, primaryEmail: nil)
                for row in try Row.fetchAll(emails, arguments: arguments) {
                    if row[1] { exported.primaryEmail = row[0] } else { exported.otherEmails.append(row[0]) }
                }
                for row in try Row.fetchAll(accounts, arguments: arguments) {
                    exported.accounts[row[0], default: []].append(row[1])
                }
                for row in try Row.fetchAll(attributes, arguments: arguments) { exported.attributes[row[0]] = row[1] }
                people.append(exported)
            }
            return people
        }
    }

    public func orgUnitMemberships(of ids: [PersonID]) throws -> [PersonID: Set<String>] {
        try writer.read { db in
            let statement = try db.cachedStatement(sql: "SELECT unit FROM orgUnitMember WHERE personId = ?")
            var units: [PersonID: Set<String>] = [:]
            for id in Set(ids) {
                let names = try String.fetchAll(statement, arguments: [id.rawValue])
                if !names.isEmpty { units[id] = Set(names) }
            }
            return units
        }
    }

    public func orgUnitMembers(_ unit: String) throws -> [PersonID] {
        try writer.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT personId FROM orgUnitMember WHERE unit = ? ORDER BY personId", arguments: [unit]
            ).map(PersonID.init)
        }
    }

    public func orgUnitFiles() throws -> [String: OrgUnitFileState] {
        try writer.read { db in
            var files: [String: OrgUnitFileState] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT unit, members, pending FROM orgUnitFile") {
                files[row[0]] = OrgUnitFileState(members: row[1], pending: row[2])
            }
            return files
        }
    }

    public func markOrgUnitFilesPending(_ units: [String]) throws {
        try writer.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO orgUnitFile (unit, members, pending) VALUES (?, 0, 1)
                    ON CONFLICT(unit) DO UPDATE SET pending = 1
                    """)
            for unit in units { try statement.execute(arguments: [unit]) }
        }
    }

    public func saveOrgUnitMembers(_ change: OrgUnitMembersChange, marker: OutputMarker) throws {
        try writer.write { db in
            switch change {
            case .all(let units):
                // Millions of rows: the person index is built once after them, by sorting, rather
                // than kept up to date row by row. A failure rolls the drop back with the rest.
                try db.execute(
                    sql: "DROP INDEX orgUnitMember_person; DELETE FROM orgUnitMember; DELETE FROM orgUnitFile")
                let member = try db.cachedStatement(sql: "INSERT INTO orgUnitMember (unit, personId) VALUES (?, ?)")
                let file = try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO orgUnitFile (unit, members, pending) VALUES (?, ?, 0)")
                for unit in units {
                    for id in unit.members { try member.execute(arguments: [unit.unit, id.rawValue]) }
                    try file.execute(arguments: [unit.unit, unit.members.count])
                }
                try db.execute(sql: "CREATE INDEX orgUnitMember_person ON orgUnitMember(personId)")
            case .people(let units):
                let current = try db.cachedStatement(sql: "SELECT unit FROM orgUnitMember WHERE personId = ?")
                let delete = try db.cachedStatement(sql: "DELETE FROM orgUnitMember WHERE personId = ?")
                let insert = try db.cachedStatement(sql: "INSERT INTO orgUnitMember (unit, personId) VALUES (?, ?)")
                var delta: [String: Int] = [:]
                for (id, now) in units {
                    let before = try String.fetchAll(current, arguments: [id.rawValue])
                    for unit in before { delta[unit, default: 0] -= 1 }
                    try delete.execute(arguments: [id.rawValue])
                    for unit in now {
                        try insert.execute(arguments: [unit, id.rawValue])
                        delta[unit, default: 0] += 1
                    }
                }
                let count = try db.cachedStatement(
                    sql: """
                        INSERT INTO orgUnitFile (unit, members, pending) VALUES (?, ?, 0)
                        ON CONFLICT(unit) DO UPDATE SET members = members + excluded.members
                        """)
                for (unit, change) in delta where change != 0 { try count.execute(arguments: [unit, change]) }
                try db.execute(sql: "UPDATE orgUnitFile SET pending = 0 WHERE pending")
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO outputMarker (name, audit, fingerprint) VALUES (?, ?, ?)",
                arguments: [OutputMarker.orgUnitsName, marker.audit, marker.fingerprint])
        }
    }
}
