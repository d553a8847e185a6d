import RosterCore
import Testing

@Suite struct UsersCSVLayoutTests {
    static let config = RosterConfig(
        attributes: [
            AttributeDefinition(key: "team"),
            AttributeDefinition(key: "department", type: .enumeration(["Engineering", "Sales"])),
            AttributeDefinition(key: "cost_center", type: .number),
        ])

    static let configWithIntegrations = RosterConfig(
        attributes: config.attributes, integrations: ["github", "jira-prod", "slack"])

    private func parse(_ header: [String], config: RosterConfig = Self.config) -> (
        layout: UsersCSVLayout?, problems: [Problem]
    ) {
        UsersCSVLayout.parse(header: header, line: 1, config: config)
    }

    @Test func readsTrimmedCaseInsensitiveHeadersInAnyOrder() throws {
        let (layout, problems) = parse([" Email ", "TEAM", "Other_Emails", "Full_Name", " id", "Integration:GitHub"])
        #expect(problems.isEmpty)
        let found = try #require(layout)
        #expect(found.email == 0)
        #expect(found.name == 3)
        #expect(found.id == 4)
        #expect(found.otherEmails == 2)
        #expect(found.attributes.map(\.index) == [1])
        #expect(found.attributes.map(\.attribute.key) == ["team"])
        #expect(found.integrations.map(\.index) == [5])
        #expect(found.integrations.map(\.name) == ["github"])
        #expect(found.headers == ["Email", "TEAM", "Other_Emails", "Full_Name", "id", "Integration:GitHub"])
    }

    @Test func acceptsNameForFullName() throws {
        let (layout, problems) = parse(["email", "Name"])
        #expect(problems.isEmpty)
        #expect(try #require(layout).name == 1)
        #expect(try #require(layout).id == nil)
        #expect(try #require(layout).otherEmails == nil)
    }

    @Test(arguments: [
        (["email", "name", "full_name"], "full_name", "columns 2 and 3"),
        (["email", "full_name", "EMAIL"], "EMAIL", "columns 1 and 3"),
        (["team", "email", "name", " Team "], "Team", "columns 1 and 4"),
        (["integration:github", "email", "name", "integration:GitHub"], "integration:GitHub", "columns 1 and 4"),
    ])
    func reportsADuplicateColumnWithBothPositions(header: [String], column: String, positions: String) throws {
        let (layout, problems) = parse(header)
        #expect(layout != nil)
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.line == 1)
        #expect(problem.column == column)
        #expect(problem.problem == "the column appears twice (\(positions))")
        #expect(problem.fix == "keep one of the two columns and delete the other")
    }

    @Test func reportsEachMissingRequiredColumn() {
        let noName = parse(["email", "team"])
        #expect(noName.layout == nil)
        #expect(noName.problems.map(\.problem) == ["the header has no full_name column"])
        #expect(noName.problems.allSatisfy { $0.line == 1 && $0.fix.contains("full_name") })

        let noEmail = parse(["full_name"])
        #expect(noEmail.layout == nil)
        #expect(noEmail.problems.map(\.problem) == ["the header has no email column"])

        let neither = parse(["team", "nmae"])
        #expect(neither.layout == nil)
        #expect(
            neither.problems.map(\.problem) == [
                "unknown column 'nmae'", "the header has no full_name column", "the header has no email column",
            ])
    }

    @Test(arguments: [
        ("teem", "did you mean team? Otherwise declare the attribute in roster.toml ([[attributes]] key = \"teem\")"),
        (
            "Departmnt",
            "did you mean department? Otherwise declare the attribute in roster.toml ([[attributes]] key = \"departmnt\")"
        ),
        (
            "emails",
            "did you mean email? Otherwise declare the attribute in roster.toml ([[attributes]] key = \"emails\")"
        ),
        (
            "supervisor",
            "declare the attribute in roster.toml ([[attributes]] key = \"supervisor\"), or delete the column; declared attributes: team, department, cost_center"
        ),
    ])
    func anUnknownColumnNamesTheClosestDeclaredOne(header: String, fix: String) throws {
        let (layout, problems) = parse(["email", "full_name", header])
        #expect(layout != nil)
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.column == header)
        #expect(problem.value == header)
        #expect(problem.problem == "unknown column '\(header)'")
        #expect(problem.fix == fix)
    }

    @Test func anUnknownColumnWithoutDeclaredAttributesSaysHowToDeclareOne() throws {
        // manager is built in, so it is no unknown column; "supervisor" is.
        let (_, problems) = parse(["email", "full_name", "supervisor"], config: RosterConfig())
        #expect(
            problems.map(\.fix) == [
                "declare the attribute in roster.toml ([[attributes]] key = \"supervisor\"), or delete the column"
            ])
    }

    @Test func acceptsAnyIntegrationWhenNoneAreConfiguredAndSortsThemByName() throws {
        let (layout, problems) = parse([
            "email", "integration: slack", "name", "integration:GitHub", "integration:jira",
        ])
        #expect(problems.isEmpty)
        let found = try #require(layout)
        #expect(found.integrations.map(\.name) == ["github", "jira", "slack"])
        #expect(found.integrations.map(\.index) == [3, 4, 1])
    }

    @Test func acceptsAConfiguredIntegration() throws {
        let (layout, problems) = parse(
            ["email", "name", "integration:jira-prod", "integration:github"], config: Self.configWithIntegrations)
        #expect(problems.isEmpty)
        #expect(try #require(layout).integrations.map(\.name) == ["github", "jira-prod"])
    }

    @Test func anUnknownIntegrationNamesTheClosestConfiguredOne() throws {
        let (layout, problems) = parse(
            ["email", "name", "integration:jira-prd", "integration:pagerduty"], config: Self.configWithIntegrations)
        #expect(layout != nil)
        try #require(problems.count == 2)
        #expect(problems[0].column == "integration:jira-prd")
        #expect(problems[0].problem == "'jira-prd' is not a configured integration")
        #expect(
            problems[0].fix
                == "did you mean integration:jira-prod? Otherwise declare it under [integrations] in roster.toml, or use one of: github, jira-prod, slack"
        )
        #expect(problems[1].problem == "'pagerduty' is not a configured integration")
        #expect(
            problems[1].fix == "declare it under [integrations] in roster.toml, or use one of: github, jira-prod, slack"
        )
        #expect(try #require(layout).integrations.isEmpty)
    }

    @Test func anIntegrationColumnMustNameAnInstance() throws {
        let (layout, problems) = parse(["email", "name", " Integration:  "])
        #expect(layout != nil)
        #expect(problems.map(\.problem) == ["the integration column names no integration"])
        #expect(problems.map(\.column) == ["Integration:"])
        #expect(problems.first?.fix.contains("integration:github") == true)
    }

    @Test func remembersBlankHeadersWhoseCellsMustStayEmpty() throws {
        let (layout, problems) = parse(["email", "", "name", "  "])
        #expect(problems.isEmpty)
        let found = try #require(layout)
        #expect(found.blank == [1, 3])

        let (_, rowProblems) = found.row(from: CSVRecord(fields: ["a@x.org", "", "A", "stray"], line: 5))
        #expect(rowProblems.count == 1)
        #expect(rowProblems.first?.column == "column 4")
        #expect(rowProblems.first?.value == "stray")
        #expect(rowProblems.first?.line == 5)
    }

    @Test(arguments: [
        (["name", "email"], true), ([" FULL_NAME", "Email "], true), (["email"], false), (["name", "mail"], false),
        ([], false),
    ])
    func recognisesAUsersHeader(header: [String], matches: Bool) {
        #expect(UsersCSVLayout.matches(header: header) == matches)
        let recognised: Bool
        if case .kind(.usersCSV, _, _) = FileKind.recognise(
            csvHeader: header, fileName: "x.csv", config: RosterConfig())
        {
            recognised = true
        } else {
            recognised = false
        }
        #expect(recognised == matches)
    }

    @Test func anIntegrationColumnWrittenTwiceWithASpaceIsADuplicate() {
        let (_, problems) = parse(["full_name", "email", "integration:github", "integration: github"])
        #expect(problems.map(\.problem) == ["the column appears twice (columns 3 and 4)"])
    }
}
