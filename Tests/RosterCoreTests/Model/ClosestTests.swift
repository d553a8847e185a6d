import RosterCore
import Testing

@Suite struct ClosestTests {
    static let columns = ["full_name", "email", "other_emails", "team", "department", "cost_center"]

    @Test(arguments: [
        ("emal", "email"), ("EMAIL", "email"), ("full-name", "full_name"), ("fullname", "full_name"),
        ("teem", "team"), ("departmnt", "department"), ("cost centre", "cost_center"), ("other_email", "other_emails"),
    ])
    func suggestsAPlausibleTypo(name: String, expected: String) {
        #expect(Closest.match(for: name, among: Self.columns) == expected)
    }

    @Test(arguments: ["manager", "x", "", "phone_number", "location"])
    func suggestsNothingWhenNothingIsClose(_ name: String) {
        #expect(Closest.match(for: name, among: Self.columns) == nil)
    }

    @Test func prefersTheSmallerDistanceAndOnTiesTheFirstCandidate() {
        #expect(Closest.match(for: "teams", among: ["teamx", "teams1", "team"]) == "teamx")
        #expect(Closest.match(for: "abcd", among: ["abcx", "abcde"]) == "abcx")
        #expect(Closest.match(for: "abcd", among: ["abcde", "abcx"]) == "abcde")
        #expect(Closest.match(for: "abc", among: [String]()) == nil)
    }

    @Test func allowsOneEditForShortNamesAndAThirdOfTheLengthForLongOnes() {
        #expect(Closest.match(for: "ab", among: ["xb"]) == "xb")
        #expect(Closest.match(for: "ab", among: ["xy"]) == nil)
        #expect(Closest.match(for: "department", among: ["depXrtXent"]) == "depXrtXent")
        #expect(Closest.match(for: "department", among: ["dXpXrtXent"]) == "dXpXrtXent")
        #expect(Closest.match(for: "department", among: ["dXpXrXXent"]) == nil)
    }

    @Test(arguments: [("tema", "team"), ("emial", "email"), ("nmae", "name")])
    func countsASwapOfNeighboursAsOneEdit(name: String, expected: String) {
        #expect(Closest.match(for: name, among: ["team", "email", "name"]) == expected)
    }
}
