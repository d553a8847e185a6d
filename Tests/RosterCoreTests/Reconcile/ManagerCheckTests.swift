import RosterCore
import Testing

@Suite("The built-in manager attribute: the manager must exist, chains must not loop")
struct ManagerCheckTests {
    @Test func aManagerGivenLaterInTheSameFileCounts() throws {
        var ledger = InMemoryLedger()
        let result = try ingestUsersCSV(
            """
            full_name,email,manager
            Bob,bob@example.com,Ann@Example.com
            Ann,ann@example.com,
            """, into: &ledger)
        #expect(result.problems.isEmpty)
        #expect(ledger.person(withEmail: "bob@example.com")?.attributes["manager"] == "ann@example.com")
    }

    @Test func anUnknownManagerIsAProblemOnItsLine() throws {
        var ledger = InMemoryLedger()
        let result = try ingestUsersCSV(
            """
            full_name,email,manager
            Ann,ann@example.com,
            Bob,bob@example.com,nobody@example.com
            """, into: &ledger)
        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.line == 3)
        #expect(problem.column == "manager")
        #expect(problem.value == "nobody@example.com")
        #expect(problem.problem == "the manager nobody@example.com is no person in the roster")
    }

    @Test func aPersonCantManageThemselves() throws {
        var ledger = InMemoryLedger()
        let result = try ingestUsersCSV("full_name,email,manager\nAnn,ann@example.com,ann@example.com\n", into: &ledger)
        #expect(result.problems.map(\.line) == [2])
        #expect(result.problems.first?.problem.contains("their own manager") == true)
    }

    @Test func aLoopClosedAgainstTheStoreIsFound() throws {
        var ledger = InMemoryLedger()
        ledger.seed("Ann", "ann@example.com", attributes: ["manager": "bob@example.com"])
        ledger.seed("Bob", "bob@example.com", attributes: ["manager": "cy@example.com"])
        ledger.seed("Cy", "cy@example.com")
        let result = try ingestUsersCSV(
            """
            full_name,email,manager
            Dan,dan@example.com,ann@example.com
            Cy,cy@example.com,ann@example.com
            """, into: &ledger)
        #expect(result.problems.map(\.line) == [3])
        #expect(
            result.problems.first?.problem == "the manager chain loops: U-000003 → U-000001 → U-000002 → U-000003")
    }

    @Test func aLoopWithinTheFileIsReportedOnEachOfItsRows() throws {
        var ledger = InMemoryLedger()
        let result = try ingestUsersCSV(
            """
            full_name,email,manager
            Ann,ann@example.com,bob@example.com
            Bob,bob@example.com,ann@example.com
            Cy,cy@example.com,ann@example.com
            """, into: &ledger)
        #expect(result.problems.map(\.line) == [2, 3])
    }
}
