import Foundation
import Testing

@Suite("SEI developers, DevLake team files, git mailmap and org units through the real roster")
struct NeighbourFormatsTests {
    static let config = """
        [[attributes]]
        key = "manager"
        [[attributes]]
        key = "role"
        [[attributes]]
        key = "sub_role"
        [[attributes]]
        key = "team"
        [[attributes]]
        key = "department"
        [[attributes]]
        key = "site"

        [[org_units]]
        name = "engineering"
        [[org_units.filters]]
        field = "department"
        operator = "equals"
        value = "engineering"

        [[org_units]]
        name = "payments"
        parent = "engineering"
        exclude = ["dee@example.com"]
        [[org_units.filters]]
        field = "team"
        operator = "equals"
        value = "Payments"
        [[org_units.filters]]
        group = 2
        field = "integration"
        operator = "equals"
        value = "github"
        """

    static let developers = """
        Full_Name,EMAIL,Manager Email,Role,Sub Role,Team,Department,Site
        Ann Lee,ann@example.com,,Director,Engineering,Leadership,Engineering,Berlin
        Bob Roe,bob@example.com,ann@example.com,Engineer,Backend,Payments,Engineering,Dublin
        "Cy, Jr",cy@example.com,bob@example.com,Engineer,Mobile,Payments,Engineering,=Remote
        Dee,dee@example.com,ann@example.com,Engineer,Web,Payments,Engineering,Berlin

        """

    func seeded() throws -> RosterRunner {
        let roster = try RosterRunner()
        try roster.write("roster.toml", Self.config)
        try roster.write("sei.csv", Self.developers)
        let result = try roster.run(["ingest", "sei.csv"])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("sei.csv: applied (4 rows, 4 people created"))
        return roster
    }

    @Test func seiDevelopersRoundTripChangesNothing() throws {
        let roster = try seeded()
        defer { roster.cleanUp() }
        let users = try roster.read("state/exports/users.csv")
        #expect(
            users.contains(
                "U-000003,\"Cy, Jr\",cy@example.com,,bob@example.com,Engineer,Mobile,Payments,Engineering,'=Remote"))

        let export = try roster.run(["export", "--format", "sei-developers", "--out", "sei-out.csv"])
        #expect(export.status == 0, "\(export.stderr)")
        let written = try roster.read("sei-out.csv")
        #expect(written.hasPrefix("full_name,email,manager email,role,sub role,team,department,site\n"))
        #expect(
            written.contains(
                "\"Cy, Jr\",cy@example.com,bob@example.com,Engineer,Mobile,Payments,Engineering,'=Remote\n"))

        let again = try roster.run(["ingest", "sei-out.csv"])
        #expect(again.status == 0, "\(again.stdout)")
        #expect(again.stdout.contains("applied (4 rows, 0 people created, 0 updated, 4 unchanged)"))
        #expect(try roster.read("state/exports/users.csv") == users)
    }

    @Test func seiRulesAreReportedPerLine() throws {
        let roster = try seeded()
        defer { roster.cleanUp() }
        try roster.write(
            "bad.csv",
            """
            full_name,email,manager email,role,sub role,team,department,
            Eve,eve@example.com,ann@example.com,Engineer,,Payments,Engineering,
            Fay,fay@example.com,gus@example.com,Engineer,Web,Payments,Engineering,
            Eve Again,EVE@example.com,ann@example.com,Engineer,Web,Payments,Engineering,
            Ann Lee,ann@example.com,bob@example.com,Director,Engineering,Leadership,Engineering,

            """)
        let result = try roster.run(["ingest", "bad.csv"])
        #expect(result.status == 1)
        let errors = try roster.read("state/rejected/bad.csv.errors.csv")
        #expect(errors.contains("1,column 8,,\"the column has no header, which SEI does not accept\""))
        #expect(errors.contains("2,sub role,,\"the value is blank, which SEI does not accept\""))
        #expect(
            errors.contains(
                "3,manager email,gus@example.com,the manager gus@example.com is not a developer in this file"))
        #expect(errors.contains("4,email,eve@example.com,the email is already given on line 2"))
        #expect(errors.contains("5,manager,bob@example.com,the manager chain loops: U-000001 → U-000002 → U-000001"))
    }

    @Test func devlakeFilesRoundTripAndAreNotTakenForRostersUsersCSV() throws {
        let roster = try seeded()
        defer { roster.cleanUp() }
        try roster.write("accounts.csv", "full_name,email,integration:github\nBob Roe,bob@example.com,bobr\n")
        #expect(try roster.run(["ingest", "accounts.csv"]).status == 0)
        let users = try roster.read("state/exports/users.csv")

        let export = try roster.run(["export", "--format", "devlake", "--out", "devlake"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(
            try roster.read("devlake/users.csv")
                == """
                Id,Name,Email,TeamIds
                U-000001,Ann Lee,ann@example.com,engineering
                U-000002,Bob Roe,bob@example.com,engineering;payments
                U-000003,"Cy, Jr",cy@example.com,engineering;payments
                U-000004,Dee,dee@example.com,engineering

                """)
        #expect(
            try roster.read("devlake/teams.csv")
                == "Id,Name,Alias,ParentId,SortingIndex\nengineering,engineering,engineering,,1\npayments,payments,payments,engineering,2\n"
        )
        #expect(
            try roster.read("devlake/user_account_mapping.csv")
                == "Id,Email,FullName,UserName,AvatarUrl,Organization,CreatedDate,Status,UserId\ngithub:bobr,,,,,,,,U-000002\n"
        )

        try FileManager.default.copyItem(
            at: roster.folder.appendingPathComponent("devlake/users.csv"),
            to: roster.folder.appendingPathComponent("users.csv"))
        let result = try roster.run(["ingest", "users.csv", "devlake/user_account_mapping.csv"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("users.csv: applied (4 rows, 0 people created, 0 updated, 4 unchanged)"))
        #expect(result.stdout.contains("1 unchanged"))
        #expect(try roster.read("state/exports/users.csv") == users)
        let report = try roster.list("state/reports").map { try roster.read("state/reports/\($0)") }
        #expect(report.contains { $0.contains("Kind:       DevLake users CSV") })
        #expect(report.contains { $0.contains("Kind:       DevLake user account mapping CSV") })
    }

    @Test func aDevlakeMappingMovesAnAccountToTheGivenPerson() throws {
        let roster = try seeded()
        defer { roster.cleanUp() }
        try roster.write("accounts.csv", "full_name,email,integration:github\nBob Roe,bob@example.com,bobr\n")
        #expect(try roster.run(["ingest", "accounts.csv"]).status == 0)
        try roster.write(
            "user_account_mapping.csv",
            "Id,Email,FullName,UserName,AvatarUrl,Organization,CreatedDate,Status,UserId\n"
                + "github:GithubAccount:1:bobr,,,,,,,,U-000003\ngithub:GithubAccount:1:other,,,,,,,,\n")
        let result = try roster.run(["ingest", "user_account_mapping.csv"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("1 moved"))
        #expect(try roster.read("state/exports/accounts.csv").contains("github,bobr,,,,U-000003,"))
    }

    @Test func theMailmapExportSatisfiesGitCheckMailmap() throws {
        let roster = try seeded()
        defer { roster.cleanUp() }
        try roster.write(
            "more.csv",
            "full_name,email,other_emails\nAnn Lee,ann@example.com,Ann.Old@Example.org;a.lee@example.net\n")
        #expect(try roster.run(["ingest", "more.csv"]).status == 0)
        let repo = roster.folder.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        let export = try roster.run(["export", "--format", "mailmap", "--out", "repo/.mailmap"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(
            try roster.read("repo/.mailmap")
                == "Ann Lee <ann@example.com> <a.lee@example.net>\nAnn Lee <ann@example.com> <ann.old@example.org>\n")

        #expect(try git(["init", "-q"], in: repo).status == 0)
        let checked = try git(
            ["check-mailmap", "Someone <ANN.OLD@example.org>", "Whoever <a.lee@example.net>", "Bob <bob@example.com>"],
            in: repo)
        #expect(checked.status == 0, "\(checked.output)")
        #expect(
            checked.output == "Ann Lee <ann@example.com>\nAnn Lee <ann@example.com>\nBob <bob@example.com>\n")
    }

    @Test func orgUnitsAreListedShownAndExplained() throws {
        let roster = try seeded()
        defer { roster.cleanUp() }
        #expect(
            try roster.read("state/exports/org-units.csv")
                == "unit,person_id\nengineering,U-000001\nengineering,U-000002\nengineering,U-000003\nengineering,U-000004\npayments,U-000002\npayments,U-000003\n"
        )
        #expect(
            try roster.read("state/exports/org-units/payments.csv")
                == "id,full_name,email,team\nU-000002,Bob Roe,bob@example.com,Payments\nU-000003,\"Cy, Jr\",cy@example.com,Payments\n"
        )

        let list = try roster.run(["org-units", "list"])
        #expect(list.status == 0)
        #expect(list.stdout.contains("engineering        4  -"))
        #expect(list.stdout.contains("payments           2  engineering"))

        let show = try roster.run(["org-units", "show", "payments"])
        #expect(show.stdout.hasPrefix("id,full_name,email,team\nU-000002,Bob Roe"))

        let why = try roster.run(["org-units", "show", "payments", "--why", "DEE@example.com"])
        #expect(why.status == 0)
        #expect(
            why.stdout.contains("payments: not a member\n  excluded: dee@example.com is in the unit's exclude list"))
        let ann = try roster.run(["org-units", "show", "payments", "--why", "ann@example.com"])
        #expect(ann.stdout.contains("    no : team equals Payments (the person's value: Leadership)"))
        #expect(ann.stdout.contains("    no : integration equals github (the person's value: empty)"))

        let unknown = try roster.run(["org-units", "show", "paymnts"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("Did you mean 'payments'?"))
    }

    @Test func memberListsFollowChangesIncrementallyAndRebuildWhenTheUnitsChange() throws {
        let roster = try seeded()
        defer { roster.cleanUp() }
        try roster.write(
            "change.csv", "full_name,email,team\nBob Roe,bob@example.com,Mobile\nEve,eve@example.com,Payments\n")
        let change = try roster.run(["ingest", "change.csv"])
        #expect(change.status == 0, "\(change.stderr)")
        #expect(change.stderr.contains("files.written=2 org_units.mode=incremental people=2"))
        #expect(
            try roster.read("state/exports/org-units/payments.csv")
                == "id,full_name,email,team\nU-000003,\"Cy, Jr\",cy@example.com,Payments\n",
            "Bob left; Eve has no department, so is not in the parent unit")
        #expect(
            try roster.read("state/exports/org-units.csv")
                == "unit,person_id\nengineering,U-000001\nengineering,U-000002\nengineering,U-000003\nengineering,U-000004\npayments,U-000003\n"
        )
        let list = try roster.run(["org-units", "list"])
        #expect(list.stdout.contains("payments           1  engineering"))

        // Another filter: everything is evaluated again.
        try roster.write(
            "roster.toml", Self.config.replacingOccurrences(of: "value = \"Payments\"", with: "value = \"Mobile\""))
        try roster.write("more.csv", "full_name,email\nFay,fay@example.com\n")
        let rebuilt = try roster.run(["ingest", "more.csv"])
        #expect(
            rebuilt.stderr.contains("org_units.mode=full org_units.reason=the org units or their attributes changed"))
        #expect(
            try roster.read("state/exports/org-units/payments.csv")
                == "id,full_name,email,team\nU-000002,Bob Roe,bob@example.com,Mobile\n")
        let show = try roster.run(["org-units", "show", "payments"])
        #expect(show.stdout == "id,full_name,email,team\nU-000002,Bob Roe,bob@example.com,Mobile\n")
    }

    @Test func aConfigNamingAnUnknownAttributeStops() throws {
        let roster = try RosterRunner()
        defer { roster.cleanUp() }
        try roster.write(
            "roster.toml",
            "[[org_units]]\nname = \"x\"\n[[org_units.filters]]\nfield = \"tema\"\noperator = \"equals\"\nvalue = \"a\"\n"
        )
        let result = try roster.run(["org-units", "list"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("roster.toml:4: org_units[1].filters[1].field: 'tema' is no declared attribute"))
    }

    private func git(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = folder
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
