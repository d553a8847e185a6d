public import RosterCore

/// The org units' memberships as last written to their member files, so that a change to a few
/// people is brought into the files by re-evaluating those people only.
///
/// `orgUnitFile` keeps, per unit, its member count (to check that a member file still holds
/// what was written before patching it) and whether its file may already hold changes that
/// `orgUnitMember` does not (written, then stopped before the memberships were saved).
extension SQLRosterStore {
    public func exportedPeople(_ ids: [PersonID]) throws -> [ExportedPerson] {
        try database.read { db in try StoreSQL.exportedPeople(db, ids) }
    }

    public func exportChanges(sinceAudit audit: Int64, atMost limit: Int) throws -> ExportChanges? {
        try database.read { db in
            guard let (changed, latest) = try StoreSQL.peopleChanged(db, sinceAudit: audit, atMost: limit) else {
                return nil
            }
            let ids = changed.sorted()
            let people = try StoreSQL.exportedPeople(db, ids)
            let statement = try db.prepare(
                """
                SELECT integration, accountId, personId, login, displayName, email, status, isBot
                FROM account WHERE personId = ?
                """)
            var accounts: [ExportedAccount] = []
            for person in people {
                statement.bind(1, person.id.rawValue)
                try statement.forEach { accounts.append(StoreSQL.exportedAccount($0)) }
            }
            // In the order of the export (`ORDER BY integration, accountId`): byte-wise, as both
            // engines compare text.
            accounts.sort {
                $0.key.integration.utf8.lexicographicallyPrecedes($1.key.integration.utf8)
                    || $0.key.integration == $1.key.integration
                        && $0.key.accountID.utf8.lexicographicallyPrecedes($1.key.accountID.utf8)
            }
            return ExportChanges(
                latestAudit: latest, changed: ids, people: people, accounts: accounts,
                peopleTotal: try db.value("SELECT count(*) FROM person", as: Int.self) ?? 0,
                accountsTotal: try db.value("SELECT count(*) FROM account", as: Int.self) ?? 0)
        }
    }

    public func orgUnitMemberships(of ids: [PersonID]) throws -> [PersonID: Set<String>] {
        try database.read { db in
            let statement = try db.prepare("SELECT unit FROM orgUnitMember WHERE personId = ?")
            var units: [PersonID: Set<String>] = [:]
            for id in Set(ids) {
                statement.bind(1, id.rawValue)
                let names = try statement.all { $0.text(0) }
                if !names.isEmpty { units[id] = Set(names) }
            }
            return units
        }
    }

    public func orgUnitMembers(_ unit: String) throws -> [PersonID] {
        try database.read { db in
            try db.all("SELECT personId FROM orgUnitMember WHERE unit = ? ORDER BY personId", [.text(unit)]) {
                PersonID($0.int64(0))
            }
        }
    }

    public func orgUnitFiles() throws -> [String: OrgUnitFileState] {
        try database.read { db in
            var files: [String: OrgUnitFileState] = [:]
            for (unit, state) in try db.all(
                "SELECT unit, members, pending FROM orgUnitFile", [],
                {
                    ($0.text(0), OrgUnitFileState(members: Int($0.int64(1)), pending: $0.bool(2)))
                })
            {
                files[unit] = state
            }
            return files
        }
    }

    public func markOrgUnitFilesPending(_ units: [String]) throws {
        try database.write { db in
            let statement = try db.prepare(
                """
                INSERT INTO orgUnitFile (unit, members, pending) VALUES (?, 0, TRUE)
                ON CONFLICT(unit) DO UPDATE SET pending = TRUE
                """)
            for unit in units {
                statement.bind(1, unit)
                try statement.run()
            }
        }
    }

    public func saveOrgUnitMembers(_ change: OrgUnitMembersChange, marker: OutputMarker) throws {
        try database.write { db in
            switch change {
            case .all(let units):
                // Millions of rows: the person index is built once after them, by sorting, rather
                // than kept up to date row by row. A failure rolls the drop back with the rest.
                try db.execute(
                    "DROP INDEX orgUnitMember_person; DELETE FROM orgUnitMember; DELETE FROM orgUnitFile")
                let member = try db.prepare("INSERT INTO orgUnitMember (unit, personId) VALUES (?, ?)")
                let file = try db.prepare("INSERT INTO orgUnitFile (unit, members, pending) VALUES (?, ?, FALSE)")
                for unit in units {
                    for id in unit.members {
                        member.bind(1, unit.unit)
                        member.bind(2, id.rawValue)
                        try member.run()
                    }
                    file.bind(1, unit.unit)
                    file.bind(2, Int64(unit.members.count))
                    try file.run()
                }
                try db.execute("CREATE INDEX orgUnitMember_person ON orgUnitMember(personId)")
            case .people(let units):
                let current = try db.prepare("SELECT unit FROM orgUnitMember WHERE personId = ?")
                let delete = try db.prepare("DELETE FROM orgUnitMember WHERE personId = ?")
                let insert = try db.prepare("INSERT INTO orgUnitMember (unit, personId) VALUES (?, ?)")
                var delta: [String: Int] = [:]
                for (id, now) in units {
                    current.bind(1, id.rawValue)
                    for unit in try current.all({ $0.text(0) }) { delta[unit, default: 0] -= 1 }
                    delete.bind(1, id.rawValue)
                    try delete.run()
                    for unit in now {
                        insert.bind(1, unit)
                        insert.bind(2, id.rawValue)
                        try insert.run()
                        delta[unit, default: 0] += 1
                    }
                }
                let count = try db.prepare(
                    """
                    INSERT INTO orgUnitFile (unit, members, pending) VALUES (?, ?, FALSE)
                    ON CONFLICT(unit) DO UPDATE SET members = orgUnitFile.members + excluded.members
                    """)
                for (unit, change) in delta where change != 0 {
                    count.bind(1, unit)
                    count.bind(2, Int64(change))
                    try count.run()
                }
                try db.execute("UPDATE orgUnitFile SET pending = FALSE WHERE pending")
            }
            try StoreSQL.saveMarker(db, OutputMarker.orgUnitsName, marker)
        }
    }
}

extension StoreSQL {
    /// ``RosterStore/exportedPeople(_:)`` in `db`.
    static func exportedPeople(_ db: some SQLSession, _ ids: [PersonID]) throws -> [ExportedPerson] {
        let person = try db.prepare("SELECT name FROM person WHERE id = ?")
        let emails = try db.prepare(
            "SELECT address, isPrimary FROM email WHERE personId = ? ORDER BY isPrimary DESC, address")
        let accounts = try db.prepare(
            "SELECT integration, accountId FROM account WHERE personId = ? ORDER BY integration, accountId")
        let attributes = try db.prepare("SELECT key, value FROM attributeValue WHERE personId = ?")
        var people: [ExportedPerson] = []
        for id in Set(ids).sorted() {
            person.bind(1, id.rawValue)
            guard let name = try person.first({ $0.text(0) }) else { continue }
            var exported = ExportedPerson(id: id, name: name, primaryEmail: nil)
            emails.bind(1, id.rawValue)
            try emails.forEach { row in
                if row.bool(1) {
                    exported.primaryEmail = row.text(0)
                } else {
                    exported.otherEmails.append(row.text(0))
                }
            }
            accounts.bind(1, id.rawValue)
            try accounts.forEach { row in exported.accounts[row.text(0), default: []].append(row.text(1)) }
            attributes.bind(1, id.rawValue)
            try attributes.forEach { row in exported.attributes[row.text(0)] = row.text(1) }
            people.append(exported)
        }
        return people
    }
}
