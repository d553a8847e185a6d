import Foundation
import Testing

@Suite("roster ingest, export and status on real folders")
struct IngestCommandTests {
    @Test func validFileIsAppliedAndExported() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.fixture("roster.toml")
        let file = try roster.fixture("users-valid.csv")

        let result = try roster.run(["ingest", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("users-valid.csv: applied (3 rows, 3 people created"))

        let export = try roster.read("state/exports/users.csv")
        let lines = export.split(separator: "\n").map(String.init)
        #expect(lines.first == "id,full_name,email,other_emails,integration:github,integration:jira,team")
        #expect(
            lines.contains(
                "U-000001,José Álvarez,jose.alvarez@example.com,jalvarez@home.example.org,jalvarez,,Platform"))
        #expect(lines.contains("U-000002,\"Doe, Jane\",jane.doe@example.com,,jane-bot;jdoe,,Payments"))
        #expect(lines.contains("U-000003,\"Chris \"\"CJ\"\" Jones\",cj@example.com,,,,"))
        #expect(roster.list("state/archive") == ["users-valid.csv"])
        #expect(roster.exists(file), "ingest keeps the original unless --move is given")
        #expect(roster.list("state/reports").count == 1)
        for path in ["state/roster.sqlite", "state/exports/users.csv", "state/archive/users-valid.csv"] {
            let attributes = try FileManager.default.attributesOfItem(
                atPath: roster.folder.appendingPathComponent(path).path)
            let mode = try #require(attributes[.posixPermissions] as? Int)
            #expect(mode & 0o007 == 0, "\(path) is not readable by others")
        }

        let status = try roster.run(["status"])
        #expect(status.status == 0)
        #expect(status.stdout.hasPrefix("Roster store: state/roster.sqlite\n"), "\(status.stdout)")
        #expect(status.stdout.contains("People:                3"))
        #expect(status.stdout.contains("github: 3"))
        #expect(status.stdout.contains("Files applied:         1"))
    }

    @Test func invalidFileIsRejectedWithEveryProblemAndTheStoreIsUntouched() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.fixture("roster.toml")
        try roster.run(["ingest", try roster.fixture("users-valid.csv")])
        let before = try roster.read("state/exports/users.csv")

        let result = try roster.run(["ingest", try roster.fixture("users-invalid.csv")])
        #expect(result.status == 1)
        #expect(result.stdout.contains("users-invalid.csv: rejected (3 problems)"))
        let errors = try roster.read("state/rejected/users-invalid.csv.errors.csv")
        let rows = errors.split(separator: "\n").map(String.init)
        #expect(rows.first == "line,column,value,problem,fix")
        #expect(rows.contains { $0.hasPrefix("2,email,not-an-email,the email has no '@'") })
        #expect(rows.contains { $0.hasPrefix("3,full_name,,the name is empty") })
        #expect(
            rows.contains {
                $0.hasPrefix("4,team,Platfrom,not one of the allowed values") && $0.contains("did you mean Platform?")
            })
        #expect(roster.exists("state/rejected/users-invalid.csv"))

        // Nothing from the rejected file reached the store.
        #expect(try roster.run(["export"]).status == 0)
        #expect(try roster.read("state/exports/users.csv") == before)
        #expect(try roster.run(["status"]).stdout.contains("Files rejected:        1"))

        // A second rejected file of the same name does not overwrite the first.
        #expect(try roster.run(["ingest", "users-invalid.csv"]).status == 1)
        #expect(roster.list("state/rejected").contains("users-invalid-2.csv"))
        #expect(roster.list("state/rejected").contains("users-invalid-2.csv.errors.csv"))
    }

    @Test func theSameBytesUnderAnotherNameChangeNothing() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.fixture("roster.toml")
        try roster.run(["ingest", try roster.fixture("users-valid.csv")])
        let before = try roster.read("state/exports/users.csv")
        let again = try roster.fixture("users-valid.csv", as: "renamed.csv")

        let result = try roster.run(["ingest", again])
        #expect(result.status == 0)
        #expect(result.stdout.contains("renamed.csv: already applied (as users-valid.csv"))
        #expect(try roster.read("state/exports/users.csv") == before)
        #expect(try roster.run(["status"]).stdout.contains("Files applied:         1"))
    }

    @Test func exportIngestExportIsByteIdentical() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.fixture("roster.toml")
        try roster.run(["ingest", try roster.fixture("users-valid.csv")])
        #expect(try roster.run(["export", "--out", "first.csv"]).status == 0)

        let reimport = try roster.run(["ingest", "first.csv"])
        #expect(reimport.status == 0)
        #expect(reimport.stdout.contains("0 people created, 0 updated, 3 unchanged"))
        #expect(try roster.run(["export", "--out", "second.csv"]).status == 0)
        #expect(try roster.read("first.csv") == roster.read("second.csv"))
    }

    @Test func formulaCellsAreNeutralisedAndSurviveTheRoundTrip() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.write("evil.csv", "full_name,email\n\"=HYPERLINK(\"\"x\"\")\",evil@example.com\n")
        #expect(try roster.run(["ingest", "evil.csv"]).status == 0)

        let export = try roster.read("state/exports/users.csv")
        #expect(export.contains("U-000001,\"'=HYPERLINK(\"\"x\"\")\",evil@example.com"))

        // Read back, the name is the original, so nothing changes.
        let again = try roster.run(["ingest", "state/exports/users.csv"])
        #expect(again.stdout.contains("1 unchanged"))
        #expect(try roster.run(["export", "--out", "-"]).stdout == export)
    }

    @Test func anIDRowChangesThatPersonsEmail() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.write("a.csv", "full_name,email\nJane Doe,jane@old.example.com\n")
        try roster.run(["ingest", "a.csv"])
        try roster.write("b.csv", "id,full_name,email\nU-000001,Jane Doe,jane@new.example.com\n")
        let result = try roster.run(["ingest", "b.csv"])
        #expect(result.status == 0, "\(result.stdout)")
        let export = try roster.read("state/exports/users.csv")
        #expect(export.contains("U-000001,Jane Doe,jane@new.example.com,jane@old.example.com"))
    }

    @Test func usageErrorsAndBadConfigsHaveTheirExitCodes() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        #expect(try roster.run(["ingest"]).status == 64)
        #expect(try roster.run(["frobnicate"]).status == 64)

        try roster.write("bad.toml", "[[attributes]]\nkey = \"team\"\ntype = \"enumm\"\n")
        let result = try roster.run(["status", "--config", "bad.toml"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("bad.toml:3: attributes[1].type"))
        #expect(result.stderr.contains("did you mean 'enum'?"))

        let missing = try roster.run(["ingest", "nothing-here.csv"])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("nothing-here.csv: rejected"))
    }

    @Test func sampleExportHasTheConfiguredColumns() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.fixture("roster.toml")
        let result = try roster.run(["export", "--sample", "--out", "-"])
        #expect(result.stdout == "id,full_name,email,other_emails,integration:github,integration:jira,team\n")
    }
}
