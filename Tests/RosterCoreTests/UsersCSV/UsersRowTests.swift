import RosterCore
import Testing

@Suite struct UsersRowTests {
    static let layout: UsersCSVLayout = {
        let config = RosterConfig(attributes: [AttributeDefinition(key: "team")])
        let header = ["id", "full_name", "email", "other_emails", "team", "integration:github"]
        return UsersCSVLayout.parse(header: header, line: 1, config: config).layout!
    }()

    private func row(_ fields: String..., line: Int = 2) -> (row: UsersRow?, problems: [Problem]) {
        Self.layout.row(from: CSVRecord(fields: fields, line: line))
    }

    @Test func readsEveryColumn() throws {
        let (parsed, problems) = row(
            "U-000007", "  Jane Doe ", "Jane@Example.com", "j.doe@example.com; JANE@example.com,jd@example.com;;",
            " Platform ", "jdoe; jd2")
        #expect(problems.isEmpty)
        let found = try #require(parsed)
        #expect(found.line == 2)
        #expect(found.id == PersonID(7))
        #expect(found.name == "Jane Doe")
        #expect(found.email == "jane@example.com")
        #expect(found.otherEmails == ["j.doe@example.com", "jd@example.com"])
        #expect(
            found.accounts.map(\.key) == [
                AccountKey(integration: "github", accountID: "jdoe"),
                AccountKey(integration: "github", accountID: "jd2"),
            ])
        #expect(found.accounts.map(\.column) == ["integration:github", "integration:github"])
        #expect(found.attributes.map(\.key) == ["team"])
        #expect(found.attributes.map(\.value) == ["Platform"])
    }

    @Test func missingTrailingCellsAreEmpty() throws {
        let (parsed, problems) = row("", "Jane", "jane@example.com")
        #expect(problems.isEmpty)
        let found = try #require(parsed)
        #expect(found.id == nil)
        #expect(found.otherEmails.isEmpty)
        #expect(found.accounts.isEmpty)
        #expect(found.attributes.map(\.value) == [nil])
    }

    @Test(arguments: [
        ("Jane\u{7}Doe", "the name contains a control character (U+0007)"),
        ("Jane\nDoe", "the name contains a control character (U+000A)"),
        ("\u{202E}eoD enaJ", "the name contains a text-direction override (U+202E)"),
        ("Jane\u{2066}Doe", "the name contains a text-direction override (U+2066)"),
    ])
    func refusesANameWithHiddenCharacters(name: String, problem: String) throws {
        let (parsed, problems) = row("", name, "jane@example.com")
        #expect(parsed == nil)
        #expect(problems.map(\.problem) == [problem])
        #expect(problems.map(\.column) == ["full_name"])
        #expect(problems.first?.fix == "retype the name without hidden characters")
    }

    @Test func reportsABadOtherEmailButKeepsTheRow() throws {
        let (parsed, problems) = row("", "Jane", "jane@example.com", "ok@example.com;not an email")
        #expect(parsed?.otherEmails == ["ok@example.com"])
        #expect(problems.map(\.column) == ["other_emails"])
        #expect(problems.map(\.value) == ["not an email"])
    }

    @Test func reportsCellsBeyondTheHeaderButIgnoresEmptyOnes() {
        #expect(row("", "Jane", "jane@example.com", "", "", "", " ", "").problems.isEmpty)
        let (_, problems) = row("", "Jane", "jane@example.com", "", "", "", "", "Smith")
        #expect(problems.map(\.column) == ["column 7"])
        #expect(problems.first?.problem == "the row has 8 cells but the header only 6")
        #expect(problems.first?.fix.contains("a comma inside a value needs quotes") == true)
    }

    @Test func anEmptyEmailIsAProblemThatSaysWhereAPersonWithoutOneComesFrom() {
        let (parsed, problems) = row("", "Jane", "  ")
        #expect(parsed == nil)
        #expect(problems.map(\.problem) == ["the email is empty"])
        #expect(problems.first?.fix.contains("integration export") == true)
    }

    @Test func problemValuesAreShortenedAndNeutralisedForTheErrorsFile() {
        let long = String(repeating: "x", count: 300)
        let problem = Problem(line: 3, column: "team", value: long, problem: "p", fix: "f")
        #expect(problem.value.count == 201)
        #expect(problem.value.hasSuffix("…"))
        let formula = Problem(line: 3, column: "team", value: "=HYPERLINK(\"x\")", problem: "p", fix: "f")
        #expect(formula.csvFields == ["3", "team", "'=HYPERLINK(\"x\")", "p", "f"])
        #expect(
            Problem(line: 0, problem: "the file is empty", fix: "drop a CSV").description
                == "line 0: the file is empty. Drop a CSV")
    }

    @Test func aStringAttributeMayHoldLineBreaksButNotDirectionOverrides() throws {
        let multiLine = row("", "Jane", "jane@example.com", "", "Data\nScience", "")
        #expect(multiLine.problems.isEmpty)
        #expect(try #require(multiLine.row).attributes.first?.value == "Data\nScience")

        let spoofed = row("", "Jane", "jane@example.com", "", "Team\u{202E}A", "")
        #expect(spoofed.problems.map(\.problem) == ["the value contains a text-direction override (U+202E)"])
        #expect(spoofed.problems.first?.column == "team")
    }
}
