import PropertyBased
import Testing

@testable import RosterCore

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

    @Test func theByteParserAnswersAsTheCharacterParser() async {
        let pieces = ["U", "u", "P", "-", "0", "1", "7", "9", " ", "+", "x", "00000", "99999999"]
        let text = Gen.int(in: 0...(pieces.count - 1)).map { pieces[$0] }.array(of: 0...6).map { $0.joined() }
        await propertyCheck(count: 500, input: text) { text in
            for required in [true, false] {
                #expect(
                    PrefixedID.parseASCII(text.utf8, prefix: "U", prefixRequired: required)
                        == .some(PrefixedID.parseCharacters(text, prefix: "U", prefixRequired: required)))
            }
        }
        #expect(PrefixedID.parseASCII("U-١٢".utf8, prefix: "U", prefixRequired: true) == nil)
    }

    @Test func aListParsesAsItsItemsOneByOne() async {
        let pieces = ["U", "u", "-", "0", "1", "7", ",", ",", " ", "x", "é", "00000"]
        let text = Gen.int(in: 0...(pieces.count - 1)).map { pieces[$0] }.array(of: 0...12).map { $0.joined() }
        await propertyCheck(count: 500, input: text) { text in
            let items = text.split(separator: ",", omittingEmptySubsequences: false)
            #expect(PersonID.list(parsing: text) == items.compactMap { PersonID(parsing: $0) })
        }
        #expect(PersonID.list(parsing: "U-000001,U-000017") == [PersonID(1), PersonID(17)])
        #expect(PersonID.list(parsing: "").isEmpty)
    }

    @Test func ordersByNumber() {
        #expect(PersonID(2) < PersonID(10))
        #expect([PersonID(10), PersonID(2), PersonID(7)].sorted() == [PersonID(2), PersonID(7), PersonID(10)])
    }
}
