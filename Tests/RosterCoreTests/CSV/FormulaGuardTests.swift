import PropertyBased
import RosterCore
import Testing

@Suite struct FormulaGuardTests {
    @Test(arguments: [
        "=HYPERLINK(\"x\")", "+1", "-1", "@SUM(A1)", "\tabc", "\rabc", "=", "'=1", "''+1",
    ])
    func neutralisesAValueThatASpreadsheetWouldRun(_ value: String) {
        #expect(FormulaGuard.needsGuard(value))
        #expect(FormulaGuard.neutralise(value) == "'" + value)
        #expect(FormulaGuard.restore(FormulaGuard.neutralise(value)) == value)
    }

    @Test(arguments: ["", "Jane", "jane@example.com", "'quoted'", "'", "''", " =1", "a=b", "1-2", "é", "\nx"])
    func leavesAHarmlessValueAlone(_ value: String) {
        #expect(!FormulaGuard.needsGuard(value))
        #expect(FormulaGuard.neutralise(value) == value)
        #expect(FormulaGuard.restore(value) == value)
    }

    @Test func restoreRemovesExactlyOneApostrophe() {
        #expect(FormulaGuard.restore("'=1") == "=1")
        #expect(FormulaGuard.restore("''=1") == "'=1")
        #expect(FormulaGuard.restore("'abc") == "'abc")
    }

    /// `'` followed by a combining mark is one Character; dropping the first Character took the
    /// mark with it, so `'\u{301}=1`, never neutralised, came back as `=1`.
    @Test(arguments: ["'\u{301}=1", "'\u{200D}+1", "'\u{FE0F}'-1", "'\u{301}"])
    func restoreKeepsAnApostropheThatCarriesACombiningMark(_ value: String) {
        #expect(FormulaGuard.neutralise(value) == value)
        #expect(FormulaGuard.restore(value).unicodeScalars.elementsEqual(value.unicodeScalars))
    }

    @Test func neutraliseThenRestoreIsTheIdentity() async {
        await propertyCheck(count: 3_000, input: TextGen.formulaValue) { value in
            let cell = FormulaGuard.neutralise(value)
            #expect(FormulaGuard.restore(cell).unicodeScalars.elementsEqual(value.unicodeScalars))
        }
    }

    @Test func aNeutralisedCellNeverStartsWithATrigger() async {
        await propertyCheck(count: 1_000, input: TextGen.formulaValue) { value in
            let first = FormulaGuard.neutralise(value).unicodeScalars.first ?? "a"
            #expect(!(["=", "+", "-", "@", "\t", "\r"] as [Unicode.Scalar]).contains(first))
        }
    }
}
