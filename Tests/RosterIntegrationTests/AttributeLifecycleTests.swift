import Foundation
import Testing

@Suite("Declaring and removing attributes in roster.toml")
struct AttributeLifecycleTests {
    @Test func aRemovedAttributeLeavesTheExportsButKeepsItsValuesWithAWarning() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        let declared = "[[attributes]]\nkey = \"team\"\n[[attributes]]\nkey = \"site\"\n"
        try roster.write("roster.toml", declared)
        try roster.write("users.csv", "full_name,email,team,site\nAnn,ann@example.com,Payments,Berlin\n")
        #expect(try roster.run(["ingest", "users.csv"]).status == 0)
        #expect(try roster.read("state/exports/users.csv").hasPrefix("id,full_name,email,other_emails,team,site\n"))

        try roster.write("roster.toml", "[[attributes]]\nkey = \"team\"\n")
        try roster.write("more.csv", "full_name,email\nBob,bob@example.com\n")
        let without = try roster.run(["ingest", "more.csv"])
        #expect(without.status == 0)
        #expect(without.stderr.contains("attribute.key=site attribute.values=1"))
        #expect(without.stderr.contains("Attribute is no longer declared; its values are kept"))
        #expect(
            try roster.read("state/exports/users.csv")
                == "id,full_name,email,other_emails,team\nU-000001,Ann,ann@example.com,,Payments\nU-000002,Bob,bob@example.com,,\n"
        )

        try roster.write("roster.toml", declared)
        #expect(try roster.run(["export"]).status == 0)
        #expect(try roster.read("state/exports/users.csv").contains("U-000001,Ann,ann@example.com,,Payments,Berlin\n"))
    }
}
