import Foundation
import RosterAgent
import RosterCore
import Testing

@Suite("roster.toml: what it declares, and errors that name the line and key")
struct ConfigLoaderTests {
    @Test func aFullConfigIsRead() throws {
        let config = try ConfigLoader.parse(
            """
            [folders]
            watch = "inbox"
            state = "/var/lib/roster"

            [integrations]
            instances = ["github", "jira-prod"]

            [[attributes]]
            key = "Team"
            type = "enum"
            values = ["Platform", "Payments"]
            required = true

            [[attributes]]
            key = "start_date"
            type = "date"
            title = "Start date"
            """)
        #expect(config.watchFolder == "inbox")
        #expect(config.stateFolder == "/var/lib/roster")
        #expect(config.integrations == ["github", "jira-prod"])
        #expect(
            config.attributes == [
                AttributeDefinition(
                    key: "team", title: "Team", type: .enumeration(["Platform", "Payments"]), required: true),
                AttributeDefinition(key: "start_date", title: "Start date", type: .date),
            ])
    }

    @Test func theStoreSectionNamesTheStoreAndItsPool() throws {
        let config = try ConfigLoader.parse(
            "[store]\nurl = \"postgresql://roster@db.example.com:5433/roster?sslmode=verify-full\"\npool_size = 8\n")
        #expect(config.storeURL == "postgresql://roster@db.example.com:5433/roster?sslmode=verify-full")
        #expect(config.storePoolSize == 8)
    }

    @Test func anEmptyConfigGivesTheDefaults() throws {
        #expect(try ConfigLoader.parse("") == RosterConfig())
    }

    @Test(
        arguments: [
            ("[folders]\nwach = \"x\"\n", 2, "folders.wach", "did you mean 'watch'?"),
            ("[[attributes]]\nkey = \"team\"\ntype = \"enumm\"\n", 3, "attributes[1].type", "did you mean 'enum'?"),
            (
                "[[attributes]]\nkey = \"a\"\n\n[[attributes]]\nkey = \"b\"\ntype = \"enum\"\n", 6,
                "attributes[2].type", "needs values"
            ),
            ("[[attributes]]\nkey = \"email\"\n", 2, "attributes[1].key", "built-in column"),
            ("[[attributes]]\nkey = \"x\"\n[[attributes]]\nkey = \"x\"\n", 4, "attributes[2].key", "declared twice"),
            (
                "[integrations]\ninstances = [\"Jira Prod\"]\n", 2, "integrations.instances",
                "not a usable instance name"
            ),
            ("title = 1\n", 1, "title", "unknown key 'title'"),
            ("[folders\nwatch = 1\n", 1, nil, "not valid TOML"),
            (
                "[store]\nurl = \"postgresql://roster:secret@db/roster\"\n", 2, "store.url",
                "give it in PGPASSWORD or a passfile"
            ),
            ("[store]\nurl = \"mysql://db/roster\"\n", 2, "store.url", "unknown scheme 'mysql:'"),
            ("[store]\npool_size = 0\n", 2, "store.pool_size", "from 1 to 64"),
            ("[store]\nurls = \"x\"\n", 2, "store.urls", "did you mean 'url'?"),
        ] as [(String, Int, String?, String)])
    func badConfigsNameTheLineAndKey(text: String, line: Int, key: String?, message: String) {
        do {
            _ = try ConfigLoader.parse(text, file: "roster.toml")
            Issue.record("expected an error for \(text)")
        } catch let error as ConfigError {
            #expect(error.line == line)
            #expect(error.key == key)
            #expect(error.description.contains(message), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite("The README's config example")
struct ReadmeConfigTests {
    @Test func theExampleInTheReadmeParses() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../README.md").standardized
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.range(of: "## Configuration: `roster.toml`"))
        let start = try #require(text.range(of: "```toml\n", range: section.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let config = try ConfigLoader.parse(String(text[start.upperBound..<end.lowerBound]), file: "README.md")
        #expect(config.integrations == ["github", "jira-prod", "slack"])
        #expect(config.sources.map(\.integration) == ["jira-prod", "harness-code"])
        #expect(config.sources[1].columns?.accountID == "uid")
        #expect(config.placeholderEmails == ["build@*", "*@ci.acme.io"])
        #expect(config.botPatterns == ["jenkins*", "*-bot"])
    }
}
