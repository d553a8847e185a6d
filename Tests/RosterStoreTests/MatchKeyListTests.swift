import Foundation
import GRDB
import PropertyBased
import RosterCore
import Testing

@testable import RosterStore

/// Each person's blocking keys are stored as one text (``MatchKeyList``) beside the key table.
@Suite struct MatchKeyListTests {
    /// Any 64 bits, often one at an edge of the signed or unsigned order.
    static let hash = zip(Gen.int(in: 0...7), Gen.uint64()).map { pick, random in
        [UInt64.min, UInt64.max, UInt64(1) << 63, (UInt64(1) << 63) - 1][safe: pick] ?? random
    }

    @Test func listsReadBackDistinctAndInIndexOrder() async {
        await propertyCheck(count: 500, input: Self.hash.array(of: 0...12)) { hashes in
            let text = MatchKeyList.encode(hashes)
            #expect(text.utf8.count == Set(hashes).count * 16)
            let expected = Set(hashes).sorted { Int64(bitPattern: $0) < Int64(bitPattern: $1) }
            #expect(MatchKeyList.decode(text) == expected)
        }
    }

    @Test func textNotWrittenAsAListIsRefused() {
        #expect(MatchKeyList.decode("") == [])
        #expect(MatchKeyList.decode("00000000000000ff") == [255])
        #expect(MatchKeyList.decode("00000000000000f") == nil, "not a whole number of keys")
        #expect(MatchKeyList.decode("00000000000000FF") == nil, "upper case is not what is written")
        #expect(MatchKeyList.decode("000000000000000g") == nil)
    }

    /// A store of migration v6 kept its keys in an index by person; v7 empties the key table and
    /// drops its marker, so that the next refresh is a full pass that writes keys and lists.
    @Test func aStoreOfTheEarlierSchemaRebuildsItsKeysOnTheNextPass() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-v7-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("roster.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v6 audit subjects indexed for accounts only")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO matchKey (hash, personId) VALUES (7, 1), (-3, 2)")
                try db.execute(
                    sql: "INSERT INTO outputMarker (name, audit, fingerprint) VALUES (?, 4, 'rules')",
                    arguments: [OutputMarker.matchKeys])
                try db.execute(
                    sql: "INSERT INTO outputMarker (name, audit, fingerprint) VALUES ('users-export', 4, 'x')")
            }
        }
        let store = try SQLiteStore(path: path)
        #expect(try store.outputMarker(OutputMarker.matchKeys) == nil, "the next refresh is a full pass")
        #expect(try store.outputMarker("users-export") != nil, "other outputs are not redone")
        #expect(try store.matchKeyHolders([7], atMost: { _ in 10 }) == [7: []])
        try store.rebuildMatchKeys(
            [MatchKeyEntry(hash: 7, person: PersonID(1)), MatchKeyEntry(hash: 9, person: PersonID(1))],
            pending: OutputMarker(audit: 4, fingerprint: "rules"))
        #expect(try store.matchKeys(of: [PersonID(1), PersonID(2)]) == [PersonID(1): [7, 9]])
        let indexes = try store.writer.read { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'matchKey'")
        }
        #expect(!indexes.contains("matchKey_person"))
    }

    /// `roster store copy` before migration v8 copied the key table without the lists: v8 empties
    /// the table and drops its marker in such a store, and leaves a whole index alone.
    @Test(arguments: [false, true])
    func anIndexCopiedWithoutItsListsIsRebuiltOnTheNextPass(listed: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-v8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("roster.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v7 match keys listed per person")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO matchKey (hash, personId) VALUES (7, 1), (-3, 2)")
                if listed {
                    try db.execute(
                        sql: "INSERT INTO matchKeyList (personId, hashes) VALUES (1, ?), (2, ?)",
                        arguments: [MatchKeyList.encode([7]), MatchKeyList.encode([UInt64(bitPattern: -3)])])
                }
                try db.execute(
                    sql: "INSERT INTO outputMarker (name, audit, fingerprint) VALUES (?, 4, 'rules')",
                    arguments: [OutputMarker.matchKeys])
            }
        }
        let store = try SQLiteStore(path: path)
        #expect((try store.outputMarker(OutputMarker.matchKeys) == nil) == !listed)
        #expect(try store.matchKeyHolders([7], atMost: { _ in 10 }) == [7: listed ? [PersonID(1)] : []])
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
