import RosterCore
import Testing

@Suite struct PersonIDTests {
    @Test(
        arguments: [
            ("U-000017", 17), ("u-17", 17), ("U17", 17), ("U-1", 1), ("U-1234567", 1_234_567),
            ("U-999999999999999999", 999_999_999_999_999_999),
        ] as [(String, Int64)])
    func parsesTheFormsPeopleWrite(text: String, value: Int64) throws {
        let id = try #require(PersonID(parsing: text))
        #expect(id.rawValue == value)
    }

    @Test(arguments: [
        "", "U", "U-", "17", "X-17", "U-0", "U-000000", "U--1", "U-+1", "U- 1", "U-1a", "U-١٢", " U-1",
        "U-1000000000000000000", "U-99999999999999999999",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(PersonID(parsing: text) == nil)
    }

    @Test(
        arguments: [(1, "U-000001"), (17, "U-000017"), (999_999, "U-999999"), (1_234_567, "U-1234567")]
            as [(Int64, String)])
    func printsSixDigitsAtLeast(value: Int64, text: String) {
        #expect(PersonID(value).description == text)
        #expect(PersonID(parsing: text) == PersonID(value))
    }

    @Test func ordersByNumber() {
        #expect(PersonID(2) < PersonID(10))
        #expect([PersonID(10), PersonID(2), PersonID(7)].sorted() == [PersonID(2), PersonID(7), PersonID(10)])
    }
}
