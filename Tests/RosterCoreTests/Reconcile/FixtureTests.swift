import Foundation
import RosterCore
import Testing

/// Whole files as spreadsheets and editors save them.
@Suite struct FixtureTests {
    private func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    @Test(arguments: Chunking.all)
    func readsAnExcelExportWithBOMAndCRLF(chunking: Chunking) throws {
        let read = try readAll(try fixture("users-excel-bom-crlf"), chunking: chunking)
        #expect(read.encoding == .utf8WithBOM)
        #expect(read.records.map(\.line) == [1, 2, 4, 6])
        #expect(read.records.first?.fields == ["full_name", "Email", "id", "team", "integration:github"])
        #expect(read.records[1].fields == ["Doe, Jane", "jane.doe@example.com", "", "Platform", "jdoe"])
        #expect(read.records[2].fields == ["José Núñez", "JOSE@EXAMPLE.COM", "", "Data\r\nScience", "josen;jn2"])
        #expect(read.records[3].fields == ["Ann \"Nan\" Lee", "ann@example.com", "", "", ""])
    }

    @Test func appliesAnExcelExport() throws {
        var ledger = InMemoryLedger()
        let config = RosterConfig(attributes: [AttributeDefinition(key: "team")])
        let result = try ingestUsersCSV(try fixture("users-excel-bom-crlf"), into: &ledger, config: config)
        #expect(result.problems.isEmpty)
        #expect(result.summary.peopleCreated == 3)
        #expect(result.summary.accountsCreated == 3)
        let jose = try #require(ledger.person(withEmail: "jose@example.com"))
        #expect(jose.name == "José Núñez")
        #expect(jose.attributes["team"] == "Data\r\nScience")
        #expect(ledger.accounts[AccountKey(integration: "github", accountID: "jn2")]?.person == jose.id)
    }

    @Test(arguments: [("users-utf16le", CSVEncoding.utf16LittleEndian), ("users-utf16be", .utf16BigEndian)])
    func readsUTF16Files(name: String, encoding: CSVEncoding) throws {
        for chunking in Chunking.all {
            let read = try readAll(try fixture(name), chunking: chunking)
            #expect(read.encoding == encoding)
            #expect(!read.sawInvalidUTF16)
            #expect(
                read.records.map(\.fields) == [
                    ["full_name", "email", "team"],
                    ["Zoë Ångström", "zoe@example.com", "🚀 Rockets"],
                    ["李小龍", "lee@example.com", "Kung, Fu"],
                ])
            #expect(read.records.map(\.line) == [1, 2, 3])
        }
    }

    @Test func listsEveryProblemOfABadFile() throws {
        var ledger = InMemoryLedger()
        let config = RosterConfig(attributes: [AttributeDefinition(key: "level", type: .number)])
        let result = try ingestUsersCSV(try fixture("users-with-problems"), into: &ledger, config: config)
        #expect(
            result.problems.map { "\($0.line) \($0.column): \($0.problem)" } == [
                "1 teem: unknown column 'teem'",
                "2 email: the email's domain has no dot",
                "2 level: not a number (level is of type number)",
                "3 full_name: the name is empty",
                "5 email: a quoted value opened on this line is never closed",
            ])
        #expect(result.summary.problems == 5)
    }
}
