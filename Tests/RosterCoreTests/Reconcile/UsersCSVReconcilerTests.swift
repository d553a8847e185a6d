import Testing

@testable import RosterCore

@Suite struct UsersCSVReconcilerTests {
    static let config = RosterConfig(
        attributes: [
            AttributeDefinition(key: "team"),
            AttributeDefinition(key: "level", type: .number),
            AttributeDefinition(key: "start", type: .date),
        ])

    private func ingest(_ text: String, into ledger: inout InMemoryLedger) throws -> IngestResult {
        try ingestUsersCSV(text, into: &ledger, config: Self.config)
    }

    private func github(_ id: String) -> AccountKey {
        AccountKey(integration: "github", accountID: id)
    }

    // MARK: - Creating and updating

    @Test func createsANewPersonForEachUnknownEmail() throws {
        var ledger = InMemoryLedger()
        let result = try ingest(
            """
            full_name,email,team,integration:github
            Jane Doe, Jane@Example.com ,Platform,jdoe
            John Roe,john@example.com,,
            """, into: &ledger)

        #expect(result.problems.isEmpty)
        #expect(ledger.people.count == 2)
        let jane = try #require(ledger.person(withEmail: "jane@example.com"))
        #expect(jane.name == "Jane Doe")
        #expect(jane.primaryEmail == "jane@example.com")
        #expect(jane.attributes == ["team": "Platform"])
        let john = try #require(ledger.person(withEmail: "john@example.com"))
        #expect(john.attributes.isEmpty)
        #expect(ledger.accounts[github("jdoe")] == AccountSnapshot(key: github("jdoe"), person: jane.id, pinned: true))
        #expect(ledger.created.map(\.line) == [2, 3])

        let summary = result.summary
        #expect(summary.rows == 2)
        #expect(summary.peopleCreated == 2)
        #expect(summary.emailsAdded == 2)
        #expect(summary.accountsCreated == 1)
        #expect(summary.attributesChanged == 1)
        #expect(summary.peopleUpdated == 0)
        #expect(summary.problems == 0)
        #expect(summary.changed)
    }

    @Test func aRowKeyedByEmailUpdatesTheNameAndAttributes() throws {
        var ledger = InMemoryLedger()
        let jane = ledger.seed("Jane Doe", "jane@example.com", attributes: ["team": "Platform", "level": "3"])
        let result = try ingest(
            """
            Name,EMAIL,Team,level
            Jane Q. Doe,JANE@example.COM,Data,3
            """, into: &ledger)

        #expect(result.problems.isEmpty)
        #expect(ledger.people.count == 1)
        #expect(ledger.people[jane]?.name == "Jane Q. Doe")
        #expect(ledger.people[jane]?.attributes == ["team": "Data", "level": "3"])
        #expect(
            ledger.applied.map(\.change) == [
                .rename(from: "Jane Doe", to: "Jane Q. Doe"),
                .setAttribute(key: "team", from: "Platform", to: "Data"),
            ])
        #expect(ledger.applied.allSatisfy { $0.line == 2 && $0.person == jane })
        #expect(result.summary.peopleUpdated == 1)
        #expect(result.summary.peopleCreated == 0)
        #expect(result.summary.emailsAdded == 0)
        #expect(result.summary.attributesChanged == 1)
        #expect(result.summary.details.contains { $0.hasPrefix("line 2: U-000001 renamed") })
    }

    @Test func aRowKeyedByIDWithANewEmailMakesItPrimaryAndKeepsTheOldOne() throws {
        var ledger = InMemoryLedger()
        let jane = ledger.seed("Jane Doe", "jane@old.example")
        let result = try ingest(
            """
            id,full_name,email
            U-000001,Jane Doe,Jane@New.example
            """, into: &ledger)

        #expect(result.problems.isEmpty)
        #expect(ledger.people[jane]?.primaryEmail == "jane@new.example")
        #expect(ledger.people[jane]?.otherEmails == ["jane@old.example"])
        #expect(ledger.applied.map(\.change) == [.setPrimaryEmail("jane@new.example", previous: "jane@old.example")])
        #expect(result.summary.emailsAdded == 1)
        #expect(result.summary.peopleUpdated == 1)
        #expect(result.summary.details.contains { $0.contains("was jane@old.example, kept as another email") })
    }

    @Test func aRowKeyedByIDCanPromoteOneOfThePersonsOtherEmails() throws {
        var ledger = InMemoryLedger()
        let jane = ledger.seed("Jane Doe", "jane@old.example", others: ["jane@new.example"])
        let result = try ingest("id,full_name,email\nu1,Jane Doe,jane@new.example\n", into: &ledger)

        #expect(result.problems.isEmpty)
        #expect(ledger.people[jane]?.primaryEmail == "jane@new.example")
        #expect(ledger.people[jane]?.otherEmails == ["jane@old.example"])
        #expect(result.summary.emailsAdded == 0)
    }

    @Test func createdPeopleAreVisibleToLaterRowsOfTheSameFile() throws {
        var ledger = InMemoryLedger()
        let result = try ingest(
            """
            id,full_name,email
            ,Jane Doe,jane@example.com
            U-000001,Jane Doe,jane@example.com
            """, into: &ledger)
        #expect(result.problems.map(\.problem) == ["U-000001 is already given on line 2"])
        #expect(result.problems.map(\.line) == [3])
    }

    @Test func anEmptyAttributeCellClearsTheValue() throws {
        var ledger = InMemoryLedger()
        let jane = ledger.seed("Jane", "jane@example.com", attributes: ["team": "Platform", "level": "2"])
        let result = try ingest("full_name,email,team,level\nJane,jane@example.com,  ,2\n", into: &ledger)

        #expect(result.problems.isEmpty)
        #expect(ledger.people[jane]?.attributes == ["level": "2"])
        #expect(ledger.applied.map(\.change) == [.setAttribute(key: "team", from: "Platform", to: nil)])
        #expect(result.summary.attributesChanged == 1)
        #expect(result.summary.peopleUpdated == 1)
        #expect(result.summary.details.contains { $0.contains("team set to nothing (was \"Platform\")") })
    }

    @Test func attributeValuesAreStoredInTheirNormalForm() throws {
        var ledger = InMemoryLedger()
        let config = RosterConfig(attributes: [
            AttributeDefinition(key: "remote", type: .boolean),
            AttributeDefinition(key: "dept", type: .enumeration(["Engineering", "Sales"])),
        ])
        let result = try ingestUsersCSV(
            "full_name,email,remote,dept\nJane,jane@example.com,Yes,engineering\n", into: &ledger, config: config)
        #expect(result.problems.isEmpty)
        #expect(ledger.person(withEmail: "jane@example.com")?.attributes == ["remote": "true", "dept": "Engineering"])
    }

    @Test func aRowThatMentionsNothingNewChangesNothing() throws {
        var ledger = InMemoryLedger()
        let jane = ledger.seed(
            "Jane Doe", "jane@example.com", others: ["jd@example.com"], attributes: ["team": "Platform", "level": "3"])
        ledger.seedAccount("github", "jdoe", of: jane, pinned: true)
        let before = ledger.people

        let result = try ingest(
            """
            full_name,email,other_emails,team,integration:github
            Jane Doe,jane@example.com,JD@example.com,Platform,jdoe
            """, into: &ledger)

        #expect(result.problems.isEmpty)
        #expect(ledger.applied.isEmpty)
        #expect(ledger.people == before)
        var expected = IngestSummary()
        expected.rows = 1
        expected.peopleUnchanged = 1
        #expect(result.summary == expected)
        #expect(!result.summary.changed)
    }

    @Test func neverDeletesWhatTheFileDoesNotMention() throws {
        var ledger = InMemoryLedger()
        let jane = ledger.seed(
            "Jane Doe", "jane@example.com", others: ["jd@example.com"], attributes: ["team": "Platform", "level": "3"])
        ledger.seedAccount("github", "jdoe", of: jane)
        let result = try ingest("full_name,email,team\nJane Doe,jane@example.com,Data\n", into: &ledger)

        #expect(result.problems.isEmpty)
        #expect(ledger.people[jane]?.otherEmails == ["jd@example.com"])
        #expect(ledger.people[jane]?.attributes == ["team": "Data", "level": "3"])
        #expect(ledger.accounts[github("jdoe")]?.person == jane)
    }

    @Test func blankRowsAreSkippedAndNotCounted() throws {
        var ledger = InMemoryLedger()
        let result = try ingest("full_name,email,team\n,,\n  , ,\nJane,jane@example.com,\n\n", into: &ledger)
        #expect(result.problems.isEmpty)
        #expect(result.summary.rows == 1)
        #expect(result.summary.peopleCreated == 1)
    }

    @Test func aUsersCSVWithBOMAndCRLFIsAccepted() throws {
        var ledger = InMemoryLedger()
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("full_name,email\r\nJane,jane@example.com\r\n".utf8)
        let result = try ingestUsersCSV(bytes, into: &ledger)
        #expect(result.headerAccepted)
        #expect(result.problems.isEmpty)
        #expect(ledger.person(withEmail: "jane@example.com")?.name == "Jane")
    }

    @Test func ingestingTheSameFileTwiceChangesNothingTheSecondTime() throws {
        var ledger = InMemoryLedger()
        let ann = ledger.seed("Ann", "ann@old.example", attributes: ["team": "Ops"])
        ledger.seed("Bob", "bob@example.com")
        ledger.seedAccount("github", "shared", of: ann)
        let file = """
            id,full_name,email,other_emails,team,level,start,integration:github,integration:jira
            U-000001,Ann Lee,ann@new.example,ann.lee@example.com,,2,2024-02-29,annl,A-1
            ,Cid,cid@example.com,,Data,,,shared,
            ,Bob,BOB@example.com,bob2@example.com,Sales,1.5,,,B-9
            """
        let first = try ingest(file, into: &ledger)
        #expect(first.problems.isEmpty)
        #expect(first.summary.changed)
        let afterFirst = ledger.people
        let accountsAfterFirst = ledger.accounts
        let appliedAfterFirst = ledger.applied.count

        let second = try ingest(file, into: &ledger)
        #expect(second.problems.isEmpty)
        #expect(ledger.people == afterFirst)
        #expect(ledger.accounts == accountsAfterFirst)
        #expect(ledger.applied.count == appliedAfterFirst)
        #expect(second.summary.peopleUnchanged == 3)
        #expect(!second.summary.changed)
        #expect(second.summary.details.isEmpty)
    }

    @Test func anIncompletePersonGetsAnEmailThroughTheIDColumn() throws {
        var ledger = InMemoryLedger()
        let jira = ledger.seed("J. Doe", nil)
        let result = try ingest("id,full_name,email\nU-000001,Jane Doe,jane@example.com\n", into: &ledger)
        #expect(result.problems.isEmpty)
        #expect(ledger.people[jira]?.primaryEmail == "jane@example.com")
        #expect(ledger.people[jira]?.otherEmails == [])
        #expect(ledger.applied.map(\.change).last == .setPrimaryEmail("jane@example.com", previous: nil))
        #expect(result.summary.details.last == "line 2: U-000001 primary email set to jane@example.com")
    }

    @Test func theReportListsAtMostTheDetailLimitAndCountsTheRest() throws {
        var ledger = InMemoryLedger()
        let rows = (1...(IngestSummary.detailLimit + 20)).map { "P\($0),p\($0)@example.com" }
        let result = try ingest("full_name,email\n" + rows.joined(separator: "\n"), into: &ledger)
        #expect(result.summary.peopleCreated == IngestSummary.detailLimit + 20)
        #expect(result.summary.details.count == IngestSummary.detailLimit)
        #expect(result.summary.detailsOmitted == 20)
    }

    // MARK: - Accounts

    @Test func anAccountIsMovedFromAnotherPersonBecauseAnExplicitEditWins() throws {
        var ledger = InMemoryLedger()
        let ann = ledger.seed("Ann", "ann@example.com")
        let bob = ledger.seed("Bob", "bob@example.com")
        ledger.seedAccount("github", "bobby", of: ann, pinned: true)
        ledger.seedAccount("jira", "b-1", of: ann, pinned: false)

        let result = try ingest(
            """
            full_name,email,integration:github,integration:jira
            Bob,bob@example.com,bobby,b-1
            """, into: &ledger)

        #expect(result.problems.isEmpty)
        #expect(ledger.accounts[github("bobby")] == AccountSnapshot(key: github("bobby"), person: bob, pinned: true))
        let jira = AccountKey(integration: "jira", accountID: "b-1")
        #expect(ledger.accounts[jira] == AccountSnapshot(key: jira, person: bob, pinned: true))
        #expect(
            ledger.applied.map(\.change) == [.linkAccount(github("bobby"), from: ann), .linkAccount(jira, from: ann)])
        #expect(result.summary.accountsMoved == 2)
        #expect(result.summary.accountsCreated == 0)
        #expect(result.summary.peopleUpdated == 1)
        #expect(result.summary.details.contains { $0.contains("moved from U-000001 to U-000002 (explicit edit)") })
    }

    @Test func severalAccountsInOneCellAreSplitOnSemicolons() throws {
        var ledger = InMemoryLedger()
        let result = try ingest("full_name,email,integration:github\nAnn,ann@example.com, a1 ;a2;;a1\n", into: &ledger)
        #expect(result.problems.isEmpty)
        let ann = try #require(ledger.person(withEmail: "ann@example.com")).id
        #expect(ledger.accounts[github("a1")]?.person == ann)
        #expect(ledger.accounts[github("a2")]?.person == ann)
        #expect(ledger.accounts.count == 2)
        #expect(result.summary.accountsCreated == 2)
    }

    @Test func oneAccountGivenToTwoPeopleInOneFileIsAProblem() throws {
        var ledger = InMemoryLedger()
        let result = try ingest(
            """
            full_name,email,integration:github
            Ann,ann@example.com,shared
            Bob,bob@example.com,other;shared
            """, into: &ledger)

        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.line == 3)
        #expect(problem.column == "integration:github")
        #expect(problem.value == "shared")
        #expect(problem.problem == "the account github:shared is also given on line 2")
        #expect(problem.fix == "give each account to one person only")
        #expect(result.summary.problems == 1)
    }

    @Test func anAccountAlreadyWithThePersonAndListedByALaterRowForSomeoneElseIsAProblem() throws {
        var ledger = InMemoryLedger()
        let ann = ledger.seed("Ann", "ann@example.com")
        ledger.seedAccount("github", "ann", of: ann)
        let result = try ingest(
            "full_name,email,integration:github\nAnn,ann@example.com,ann\nBob,bob@example.com,ann\n", into: &ledger)
        #expect(result.problems.map(\.problem) == ["the account github:ann is also given on line 2"])
    }

    // MARK: - Conflicts

    @Test func anIDWhoseEmailBelongsToSomeoneElseIsAProblem() throws {
        var ledger = InMemoryLedger()
        ledger.seed("Ann", "ann@example.com")
        ledger.seed("Bob", "bob@example.com")
        let result = try ingest("id,full_name,email,team\nU-000001,Ann,Bob@example.com,Data\n", into: &ledger)

        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.line == 2)
        #expect(problem.column == "email")
        #expect(problem.value == "bob@example.com")
        #expect(problem.problem == "bob@example.com belongs to another person, U-000002")
        #expect(problem.fix.contains("merge them first"))
        #expect(ledger.applied.isEmpty)
    }

    @Test(arguments: [
        ("U-000099", "U-000099", "no person has the id U-000099"),
        ("42", "42", "not a Roster person id"),
        ("U-0", "U-0", "not a Roster person id"),
    ])
    func anUnknownOrMalformedIDIsAProblem(id: String, value: String, problem: String) throws {
        var ledger = InMemoryLedger()
        ledger.seed("Ann", "ann@example.com")
        let result = try ingest("ID,full_name,email\n\(id),Ann,ann@example.com\n", into: &ledger)

        let found = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(found.line == 2)
        #expect(found.column == "ID")
        #expect(found.value == value)
        #expect(found.problem == problem)
        #expect(found.fix.contains("leave id empty"))
        #expect(ledger.applied.isEmpty)
        #expect(ledger.created.isEmpty)
    }

    @Test func theSameEmailTwiceInOneFileNamesTheEarlierLine() throws {
        var ledger = InMemoryLedger()
        let result = try ingest(
            """
            full_name,email
            Jane,jane@example.com
            Bob,bob@example.com
            Jane D,JANE@example.com
            """, into: &ledger)

        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.line == 4)
        #expect(problem.column == "email")
        #expect(problem.problem == "the same person (U-000001) is already given on line 2")
        #expect(problem.fix.contains("merge the two rows"))
        #expect(ledger.person(withEmail: "jane@example.com")?.name == "Jane")
    }

    @Test func theSameIDTwiceInOneFileNamesTheEarlierLine() throws {
        var ledger = InMemoryLedger()
        ledger.seed("Ann", "ann@example.com")
        let result = try ingest(
            """
            id,full_name,email
            U-000001,Ann,ann@example.com

            u1,Ann B,ann@example.com
            """, into: &ledger)

        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.line == 4)
        #expect(problem.column == "id")
        #expect(problem.value == "U-000001")
        #expect(problem.problem == "U-000001 is already given on line 2")
        #expect(ledger.people[PersonID(1)]?.name == "Ann")
    }

    @Test func anOtherEmailOfSomeoneElseIsAProblem() throws {
        var ledger = InMemoryLedger()
        let ann = ledger.seed("Ann", "ann@example.com", others: ["ann2@example.com"])
        ledger.seed("Bob", "bob@example.com")
        let result = try ingest(
            """
            full_name,email,Other_Emails
            Ann,ann@example.com,ann2@example.com; ann3@example.com
            Cid,cid@example.com,Bob@example.com
            """, into: &ledger)

        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.line == 3)
        #expect(problem.column == "Other_Emails")
        #expect(problem.value == "bob@example.com")
        #expect(problem.problem == "bob@example.com belongs to another person, U-000002")
        #expect(problem.fix.contains("put U-000002 in the id column"))
        #expect(ledger.people[ann]?.otherEmails == ["ann2@example.com", "ann3@example.com"])
    }

    @Test func anOtherEmailGivenTwiceInOneFileNamesTheEarlierLine() throws {
        var ledger = InMemoryLedger()
        let result = try ingest(
            """
            full_name,email,other_emails
            Ann,ann@example.com,shared@example.com
            Bob,bob@example.com,shared@example.com
            """, into: &ledger)
        #expect(result.problems.map(\.problem) == ["shared@example.com is already given to U-000001 on line 2"])
        #expect(result.problems.map(\.line) == [3])
    }

    @Test func aRowWhoseEmailIsAnOtherEmailGivenEarlierInTheFileIsAProblem() throws {
        var ledger = InMemoryLedger()
        let result = try ingest(
            """
            full_name,email,other_emails
            Ann,ann@example.com,a@example.com
            Ann A,a@example.com,
            """, into: &ledger)
        #expect(result.problems.map(\.problem) == ["the same person (U-000001) is already given on line 2"])
    }

    // MARK: - Reporting

    @Test func everyProblemIsReportedWithLineColumnAndFix() throws {
        var ledger = InMemoryLedger()
        ledger.seed("Ann", "ann@example.com")
        let result = try ingest(
            """
            id,full_name,email,level,start,teem
            ,Bob,bob@example,x,2024-02-30,
            ,,carl@example.com,1,,
            U-000009,Dan,dan@example.com,,,
            ,Eve,eve@example.com,2,2023-02-29,
            ,Fay,fay@example.com,3,,,extra
            ,Ann,ann@example.com,,,
            """, into: &ledger)

        let found = result.problems.map { "\($0.line) \($0.column)" }
        #expect(
            found == [
                "1 teem", "2 email", "2 level", "2 start", "3 full_name", "4 id", "5 start", "6 column 7",
            ])
        #expect(result.summary.problems == result.problems.count)
        #expect(result.summary.rows == 6)
        for problem in result.problems {
            #expect(!problem.problem.isEmpty)
            #expect(!problem.fix.isEmpty)
            #expect(problem.description.hasPrefix("line \(problem.line), column \(problem.column): "))
        }
        // The header problem suggests the closest column.
        #expect(result.problems.first?.fix.hasPrefix("did you mean") == true)
        // Typed attribute problems name the type.
        #expect(result.problems.contains { $0.problem == "not a number (level is of type number)" && $0.value == "x" })
        #expect(result.problems.contains { $0.problem == "not a date in the form YYYY-MM-DD (start is of type date)" })
    }

    @Test func aRequiredAttributeMustHaveAValue() throws {
        var ledger = InMemoryLedger()
        let config = RosterConfig(attributes: [AttributeDefinition(key: "team", required: true)])
        let result = try ingestUsersCSV("full_name,email,team\nAnn,ann@example.com,\n", into: &ledger, config: config)
        #expect(result.problems.map(\.problem) == ["team is required but empty"])
        #expect(result.problems.map(\.column) == ["team"])
    }

    @Test func aHeaderWithoutRequiredColumnsStopsBeforeTheRows() throws {
        var ledger = InMemoryLedger()
        let result = try ingest("full_name,mail\nAnn,ann@example.com\n", into: &ledger)
        #expect(!result.headerAccepted)
        #expect(result.problems.map(\.problem) == ["unknown column 'mail'", "the header has no email column"])
        #expect(result.summary.problems == 2)
        #expect(result.summary.rows == 0)
    }

    @Test func bytesThatAreNotUTF8AreReportedInTheirColumn() throws {
        var ledger = InMemoryLedger()
        let bytes = Array("full_name,email,team\nAnn,ann@example.com,Pl".utf8) + [0xE9] + Array("tform\n".utf8)
        let result = try ingestUsersCSV(bytes, into: &ledger, config: Self.config)
        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.line == 2)
        #expect(problem.column == "team")
        #expect(problem.problem == "the text is not valid UTF-8 at byte offset 43")
        #expect(problem.fix.contains("UTF-8"))
    }

    @Test func problemsInTheHeaderBytesAreCountedInTheSummary() throws {
        var ledger = InMemoryLedger()
        let bytes = Array("full_name,email,te".utf8) + [0xFF] + Array("am\nAnn,ann@example.com,x\n".utf8)
        let result = try ingestUsersCSV(bytes, into: &ledger, config: Self.config)
        #expect(result.problems.count == 2)
        #expect(result.problems.first?.problem == "the text is not valid UTF-8 at byte offset 18")
        #expect(result.summary.problems == result.problems.count)
    }

    @Test func aFormulaGuardedCellIsReadBackAsItWasWritten() throws {
        var ledger = InMemoryLedger()
        let result = try ingest("full_name,email,team\n'+1 Club,ann@example.com,'=Ops\n", into: &ledger)
        #expect(result.problems.isEmpty)
        let ann = try #require(ledger.person(withEmail: "ann@example.com"))
        #expect(ann.name == "+1 Club")
        #expect(ann.attributes["team"] == "=Ops")
    }

    /// A store that prefers to be told lookups ahead gets every email and account of the next
    /// rows before they come, and the outcome is the same as row by row, also where a row
    /// conflicts with one in an earlier batch.
    @Test func rowsToldAheadInBatchesGiveTheSameOutcome() throws {
        var lines = ["full_name,email,other_emails,integration:github"]
        // Rows past the first batch (1,024) give an email, another email and an account of rows
        // in it.
        for index in 0..<1100 {
            switch index {
            case 1030: lines.append("Again,user5@example.com,,")
            case 1031: lines.append("Other,user1031@example.com,user6@example.com,")
            case 1090: lines.append("Taken,user1090@example.com,,gh7")
            default: lines.append("User \(index),user\(index)@example.com,alt\(index)@example.org,gh\(index)")
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        func run(prefetching: Bool) throws -> (InMemoryLedger, IngestSummary, [Problem]) {
            var ledger = InMemoryLedger()
            ledger.seed("Known", "known@example.com")
            ledger.prefetching = prefetching
            let reader = CSVReader(source: BytesSource(Array(text.utf8)))
            var reconciler = UsersCSVReconciler(config: RosterConfig())
            var problems: [Problem] = []
            let header = try #require(try reader.next())
            try reconciler.run(
                header: header, reader: reader, ledger: &ledger, report: { problems.append($0) }, checkpoint: {})
            return (ledger, reconciler.summary, problems)
        }
        // Row by row on this thread, as the reference: `run` reads and checks ahead on another.
        func serial() throws -> (InMemoryLedger, IngestSummary, [Problem]) {
            var ledger = InMemoryLedger()
            ledger.seed("Known", "known@example.com")
            let reader = CSVReader(source: BytesSource(Array(text.utf8)))
            var reconciler = UsersCSVReconciler(config: RosterConfig())
            var problems: [Problem] = []
            #expect(reconciler.header(try #require(try reader.next()), report: { problems.append($0) }))
            while let record = try reader.next() {
                try reconciler.row(record, ledger: &ledger, report: { problems.append($0) })
            }
            return (ledger, reconciler.summary, problems)
        }
        let (reference, referenceSummary, referenceProblems) = try serial()
        let (plain, plainSummary, plainProblems) = try run(prefetching: false)
        let (told, toldSummary, toldProblems) = try run(prefetching: true)
        #expect(referenceProblems.map(\.line) == [1032, 1033, 1092])
        #expect(plainProblems == referenceProblems)
        #expect(toldProblems == referenceProblems)
        #expect(plainSummary.peopleCreated == referenceSummary.peopleCreated)
        #expect(toldSummary.peopleCreated == referenceSummary.peopleCreated)
        #expect(plain.applied == reference.applied)
        #expect(told.applied == reference.applied)
        #expect(plain.created.map(\.line) == reference.created.map(\.line))
        #expect(told.created.map(\.line) == reference.created.map(\.line))
    }

    /// What is checked ahead is held only until its row comes, blank rows included: memory stays
    /// bounded whatever the file holds.
    @Test func rowsCheckedAheadAreNotKeptAfterTheirTurn() throws {
        let text =
            "full_name,email\n" + (0..<3000).map { $0 % 3 == 0 ? " , \n" : "U \($0),u\($0)@example.com\n" }.joined()
        var ledger = InMemoryLedger()
        let reader = CSVReader(source: BytesSource(Array(text.utf8)))
        var reconciler = UsersCSVReconciler(config: RosterConfig())
        try reconciler.run(
            header: try #require(try reader.next()), reader: reader, ledger: &ledger, report: { _ in }, checkpoint: {})
        #expect(reconciler.summary.peopleCreated == 2000)
        #expect(reconciler.parsedAhead.count == 0)
    }

    /// A checkpoint that stops the file half-way stops the reading ahead too.
    @Test func aFileStoppedHalfWayStopsItsReadingAhead() throws {
        let text = "full_name,email\n" + (0..<20000).map { "User \($0),user\($0)@example.com\n" }.joined()
        var ledger = InMemoryLedger()
        let reader = CSVReader(source: BytesSource(Array(text.utf8)))
        var reconciler = UsersCSVReconciler(config: RosterConfig())
        let header = try #require(try reader.next())
        struct Stop: Error {}
        var rows = 0
        #expect(throws: Stop.self) {
            try reconciler.run(
                header: header, reader: reader, ledger: &ledger, report: { _ in },
                checkpoint: {
                    rows += 1
                    if rows > 1500 { throw Stop() }
                })
        }
        #expect(ledger.created.count == 1500)
        // The reader is this thread's again: it reads on from where the other thread stopped.
        // At most the batches that fit in its queue (1,024 rows each) were read past those taken.
        let next = try #require(try reader.next())
        #expect(next.line > 1501 && next.line < 10_000)
    }
}
