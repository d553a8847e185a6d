import Testing

@testable import RosterAgent

@Suite("Patching the records of some people into a file written in key order")
struct SortedCSVPatchTests {
    func patch(
        _ old: String, changed: [Int64], records: [(Int64, String)], others: Int, header: String = "id,name\n"
    ) -> String? {
        let patch = SortedCSVPatch(
            header: Array(header.utf8), layout: .idFirst, changed: changed,
            records: records.map { (SortedCSVPatch.Key(group: 0, id: $0.0), Array($0.1.utf8)) },
            expectedOthers: [others])
        let bytes = Array(old.utf8)
        return bytes.withUnsafeBytes { patch.apply(to: $0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func recordsAreReplacedDroppedAndInsertedInOrderAndQuotedLineEndsKept() {
        let old = "id,name\nU-000001,\"Ann\nLee, \"\"A\"\"\"\nU-000003,Cy\nU-000005,Eve\n"
        #expect(
            patch(old, changed: [2, 3, 6], records: [(2, "U-000002,Bob\n"), (6, "U-000006,Fay\n")], others: 2)
                == "id,name\nU-000001,\"Ann\nLee, \"\"A\"\"\"\nU-000002,Bob\nU-000005,Eve\nU-000006,Fay\n")
        #expect(
            patch(old, changed: [1], records: [(1, "U-000001,Ann\n")], others: 2)
                == "id,name\nU-000001,Ann\nU-000003,Cy\nU-000005,Eve\n")
        #expect(
            patch("id,name\n", changed: [4], records: [(4, "U-000004,Dee\n")], others: 0) == "id,name\nU-000004,Dee\n")
    }

    @Test(arguments: [
        ("id,full_name\nU-000001,Ann\n", "another header"),
        ("id,name\nU-000003,Cy\nU-000001,Ann\n", "out of order"),
        ("id,name\nU-000001,Ann\nU-000001,Ann\n", "a record twice"),
        ("id,name\nAnn,U-000001\n", "no id first"),
        ("id,name\nU-000001,Ann\nU-000003,Cy", "cut short"),
        ("id,name\nU-000001,Ann\n", "a record missing"),
    ])
    func aFileNotAsWrittenIsNotPatched(old: String, why: String) {
        #expect(patch(old, changed: [2], records: [], others: 2) == nil, "\(why)")
    }

    @Test func theIndexIsPatchedPerUnitIncludingUnitsWithoutRecordsYet() {
        let patch = SortedCSVPatch(
            header: Array("unit,person_id\n".utf8), layout: .unitThenID(["a": 0, "'-b": 1, "c": 2]), changed: [2, 3],
            records: [
                (SortedCSVPatch.Key(group: 1, id: 2), Array("'-b,U-000002\n".utf8)),
                (SortedCSVPatch.Key(group: 2, id: 3), Array("c,U-000003\n".utf8)),
            ],
            expectedOthers: [1, 0, 1])
        let old = Array("unit,person_id\na,U-000001\na,U-000002\nc,U-000001\n".utf8)
        let patched = old.withUnsafeBytes { patch.apply(to: $0) }.map { String(decoding: $0, as: UTF8.self) }
        #expect(patched == "unit,person_id\na,U-000001\n'-b,U-000002\nc,U-000001\nc,U-000003\n")
        let unknown = Array("unit,person_id\nx,U-000001\n".utf8)
        #expect(unknown.withUnsafeBytes { patch.apply(to: $0) } == nil, "a unit not configured")
    }
}
