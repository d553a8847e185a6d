import Crypto
import Foundation
public import RosterStore

/// Copies a whole roster from one store to another (SQLite to PostgreSQL and back), with its
/// journal, audit log, proposals and decisions, and proves the copy by counts and a checksum of
/// every table's content.
///
/// Rows keep their ids, so that `U-000042`, `P-000007`, the audit log's references and the
/// journal mean the same on both sides. The destination must be a new, empty store (migrated by
/// opening it); everything is written in one transaction, so a failed copy leaves it empty.
public enum StoreCopy {
    /// A column and how its values are read for the checksum, the same on every engine.
    enum Kind { case integer, text, boolean, real }

    struct Table {
        var name: String
        var columns: [(name: String, kind: Kind)]
        var order: String
    }

    /// Every table of the roster, parents before the tables that refer to them.
    static let tables: [Table] = [
        Table(
            name: "person",
            columns: [
                ("id", .integer), ("name", .text), ("isBot", .boolean), ("createdAt", .text), ("updatedAt", .text),
            ], order: "id"),
        Table(
            name: "ingest",
            columns: [
                ("id", .integer), ("sha256", .text), ("fileName", .text), ("kind", .text), ("outcome", .text),
                ("startedAt", .text), ("finishedAt", .text), ("summary", .text),
            ], order: "id"),
        Table(
            name: "email", columns: [("address", .text), ("personId", .integer), ("isPrimary", .boolean)],
            order: "address"),
        Table(
            name: "account",
            columns: [
                ("id", .integer), ("integration", .text), ("accountId", .text), ("login", .text),
                ("displayName", .text), ("email", .text), ("status", .text), ("isBot", .boolean),
                ("personId", .integer), ("pinned", .boolean),
            ], order: "id"),
        Table(
            name: "attributeDefinition",
            columns: [
                ("key", .text), ("title", .text), ("type", .text), ("description", .text), ("required", .boolean),
                ("enumValues", .text), ("position", .integer), ("declared", .boolean),
            ], order: "key"),
        Table(
            name: "attributeValue", columns: [("personId", .integer), ("key", .text), ("value", .text)],
            order: "personId, key"),
        Table(
            name: "audit",
            columns: [
                ("id", .integer), ("ingestId", .integer), ("line", .integer), ("action", .text),
                ("personId", .integer), ("subject", .text), ("before", .text), ("after", .text), ("at", .text),
            ], order: "id"),
        Table(
            name: "mergeProposal",
            columns: [
                ("id", .integer), ("status", .text), ("peopleKey", .text), ("survivor", .integer),
                ("confidence", .real), ("evidence", .text), ("flags", .text), ("outcome", .text),
                ("createdAt", .text), ("updatedAt", .text),
            ], order: "id"),
        Table(
            name: "mergeProposalPerson", columns: [("proposalId", .integer), ("personId", .integer)],
            order: "proposalId, personId"),
        Table(
            name: "mergeDecision",
            columns: [
                ("id", .integer), ("proposalId", .integer), ("survivor", .integer), ("merged", .text),
                ("decidedBy", .text), ("before", .text), ("at", .text), ("undoneAt", .text),
            ], order: "id"),
        Table(
            name: "rejectedPair",
            columns: [("low", .integer), ("high", .integer), ("proposalId", .integer), ("at", .text)],
            order: "low, high"),
        Table(
            name: "personAlias", columns: [("alias", .integer), ("personId", .integer), ("mergeId", .integer)],
            order: "alias"),
        Table(
            name: "outputMarker", columns: [("name", .text), ("audit", .integer), ("fingerprint", .text)],
            order: "name"),
        Table(name: "orgUnitMember", columns: [("unit", .text), ("personId", .integer)], order: "unit, personId"),
        Table(
            name: "orgUnitFile", columns: [("unit", .text), ("members", .integer), ("pending", .boolean)],
            order: "unit"),
        Table(name: "matchKey", columns: [("hash", .integer), ("personId", .integer)], order: "hash, personId"),
        // Each person's keys as the index holds them: a refresh replaces a changed person's keys by
        // these, so an index copied without them took every key of a changed person as new.
        Table(name: "matchKeyList", columns: [("personId", .integer), ("hashes", .text)], order: "personId"),
    ]

    /// One table's row count and content checksum.
    public struct Digest: Equatable, Sendable, CustomStringConvertible {
        public var table: String
        public var rows: Int
        public var sha256: String

        public var description: String { "\(table): \(rows) rows, sha256 \(sha256.prefix(16))…" }
    }

    /// Copies everything from `source` into the empty `destination`, then checks that both hold the
    /// same rows.
    ///
    /// - Returns: The digests of the tables, equal on both sides.
    /// - Throws: ``StoreError`` when the destination is not empty, or the copy differs.
    public static func copy(from source: some SQLRosterStore, to destination: some SQLRosterStore) throws
        -> [Digest]
    {
        try source.database.read { from in
            try destination.database.write { to in
                for table in tables {
                    if try to.value("SELECT 1 FROM \(table.name) LIMIT 1", as: Int64.self) != nil {
                        throw StoreError(
                            "The destination store is not empty (table \(table.name) has rows). Copy into a new, empty database or file."
                        )
                    }
                }
                for table in tables { try copy(table, from: from, to: to) }
                if destination is PostgresStore {
                    // Identity columns don't follow explicit ids: start them after the copied ones.
                    for table in tables where table.columns.first?.name == "id" {
                        try to.execute(
                            """
                            SELECT setval(pg_get_serial_sequence('\(table.name.lowercased())', 'id'),
                                coalesce((SELECT max(id) FROM \(table.name)), 0) + 1, false)
                            """)
                    }
                }
            }
        }
        let copied = try digests(of: source)
        let written = try digests(of: destination)
        guard copied == written else {
            let differing = zip(copied, written).filter { $0 != $1 }.map { "\($0.0) vs \($0.1)" }
            throw StoreError("The copy differs from the source: \(differing.joined(separator: "; "))")
        }
        return written
    }

    /// Every table's row count and a SHA-256 of its rows in key order, each value written the same
    /// way whatever the engine (booleans as 0/1, NULL apart from the empty string).
    public static func digests(of store: some SQLRosterStore) throws -> [Digest] {
        try store.database.read { db in
            try tables.map { table in
                var hash = SHA256()
                var rows = 0
                var cursor = try db.cursor(
                    "SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.order)",
                    [])
                while let row = try cursor.next() {
                    rows += 1
                    var line = ""
                    for (index, column) in table.columns.enumerated() {
                        if index > 0 { line += "\t" }
                        if row.isNull(index) {
                            line += "\\N"
                            continue
                        }
                        switch column.kind {
                        case .integer: line += String(row.int64(index))
                        case .boolean: line += row.bool(index) ? "1" : "0"
                        case .real: line += "\(row.double(index))"
                        case .text: line += row.text(index).replacingOccurrences(of: "\\", with: "\\\\")
                        }
                    }
                    line += "\n"
                    hash.update(data: Data(line.utf8))
                }
                let hex = hash.finalize().map { String(format: "%02x", $0) }.joined()
                return Digest(table: table.name, rows: rows, sha256: hex)
            }
        }
    }

    private static func copy(_ table: Table, from: some SQLSession, to: some SQLSession) throws {
        let names = table.columns.map(\.name).joined(separator: ", ")
        let marks = table.columns.map { _ in "?" }.joined(separator: ", ")
        let insert = try to.prepare("INSERT INTO \(table.name) (\(names)) VALUES (\(marks))")
        var cursor = try from.cursor("SELECT \(names) FROM \(table.name) ORDER BY \(table.order)", [])
        while let row = try cursor.next() {
            for (index, column) in table.columns.enumerated() {
                let position = Int32(index + 1)
                if row.isNull(index) {
                    insert.bind(position, nil as String?)
                    continue
                }
                switch column.kind {
                case .integer: insert.bind(position, row.int64(index))
                case .boolean: insert.bind(position, row.bool(index))
                case .real: insert.bind(position, row.double(index))
                case .text: insert.bind(position, row.text(index))
                }
            }
            try insert.run()
        }
    }
}
