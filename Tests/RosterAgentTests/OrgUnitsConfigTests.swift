import RosterAgent
import RosterCore
import Testing

@Suite("roster.toml: org units, their filters, and errors naming the line and key")
struct OrgUnitsConfigTests {
    static let attributes = """
        [[attributes]]
        key = "team"
        type = "enum"
        values = ["Platform", "Payments"]

        [[attributes]]
        key = "level"
        type = "number"

        """

    @Test func unitsWithFiltersGroupsAndListsAreRead() throws {
        let config = try ConfigLoader.parse(
            Self.attributes + """
                [[org_units]]
                name = "engineering"

                [[org_units.filters]]
                field = "team"
                operator = "equals"
                values = ["platform", "Payments"]

                [[org_units]]
                name = "senior"
                parent = "engineering"
                include = ["Jane@Example.com"]
                exclude = ["bob@example.com"]

                [[org_units.filters]]
                field = "level"
                operator = "between"
                values = ["5", "9"]

                [[org_units.filters]]
                field = "full_name"
                operator = "starts_with"
                value = "J"
                case_sensitive = true

                [[org_units.filters]]
                group = 2
                field = "integration"
                operator = "is_not_empty"
                """)
        #expect(config.orgUnits.count == 2)
        let engineering = config.orgUnits[0]
        #expect(
            engineering.groups == [
                [OrgUnitFilter(field: .attribute("team"), op: .equals, values: ["Platform", "Payments"])]
            ])
        let senior = config.orgUnits[1]
        #expect(senior.parent == "engineering")
        #expect(senior.include == ["jane@example.com"])
        #expect(senior.exclude == ["bob@example.com"])
        #expect(
            senior.groups == [
                [
                    OrgUnitFilter(field: .attribute("level"), op: .between, values: ["5", "9"]),
                    OrgUnitFilter(field: .fullName, op: .startsWith, values: ["J"], caseSensitive: true),
                ],
                [OrgUnitFilter(field: .integration, op: .isNotEmpty)],
            ])
        #expect(senior.filterAttributes == ["level"])
    }

    func error(_ text: String) throws -> ConfigError {
        try #require(throws: ConfigError.self) { try ConfigLoader.parse(Self.attributes + text) }
    }

    @Test func anUnknownAttributeNamesItsLineAndKey() throws {
        let error = try error(
            """
            [[org_units]]
            name = "a"

            [[org_units]]
            name = "b"
            [[org_units.filters]]
            field = "teem"
            operator = "equals"
            value = "Platform"
            """)
        #expect(error.line == 15)
        #expect(error.key == "org_units[2].filters[1].field")
        #expect(error.message.contains("'teem' is no declared attribute; did you mean 'team'?"))
    }

    @Test func anOperatorThatDoesntFitTheTypeNamesItsLine() throws {
        let error = try error(
            """
            [[org_units]]
            name = "a"
            [[org_units.filters]]
            field = "team"
            operator = "equals"
            value = "Platform"
            [[org_units.filters]]
            field = "level"
            operator = "starts_with"
            value = "1"
            """)
        #expect(error.line == 17)
        #expect(error.key == "org_units[1].filters[2].operator")
        #expect(error.message.contains("starts_with does not fit level, which is of type number"))
    }

    @Test func aFilterIsNumberedWithinItsUnitAndFoundOnItsLine() throws {
        let error = try error(
            """
            [[org_units]]
            name = "a"
            [[org_units.filters]]
            field = "team"
            operator = "equals"
            value = "Platform"

            [[org_units]]
            name = "b"
            [[org_units.filters]]
            field = "team"
            operator = "between"
            values = ["a", "b"]
            """)
        #expect(error.key == "org_units[2].filters[1].operator", "the first filter of the second unit")
        #expect(error.line == 20)
    }

    @Test func anUnknownParentAndABadNameAreRefused() throws {
        let parent = try error("[[org_units]]\nname = \"a\"\nparent = \"engineerin\"\n")
        #expect(parent.line == 11)
        #expect(parent.key == "org_units[1].parent")
        let name = try error("[[org_units]]\nname = \"a/b\"\n")
        #expect(name.key == "org_units[1].name")
        let unknown = try error("[[org_units]]\nname = \"a\"\nfilter = []\n")
        #expect(unknown.message.contains("did you mean 'filters'?"))
    }

    @Test func managerIsBuiltInAsAnEmail() throws {
        #expect(RosterConfig().attribute("manager")?.type == .email)
        let declared = try ConfigLoader.parse("[[attributes]]\nkey = \"manager\"\n")
        #expect(declared.attributes.first?.type == .email)
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader.parse("[[attributes]]\nkey = \"manager\"\ntype = \"string\"\n")
        }
        #expect(error.line == 3)
    }
}
