import RosterCore
import Testing

@Suite("Org units: operators per type, groups, parents, include and exclude, explanations")
struct OrgUnitEvaluatorTests {
    static let config = RosterConfig(
        attributes: [
            AttributeDefinition(key: "team", type: .enumeration(["Platform", "Payments", "Mobile"])),
            AttributeDefinition(key: "site"),
            AttributeDefinition(key: "level", type: .number),
            AttributeDefinition(key: "start", type: .date),
            AttributeDefinition(key: "remote", type: .boolean),
            AttributeDefinition(key: "buddy", type: .email),
        ])

    static let ann = OrgPerson(
        id: PersonID(1), name: "Ann Lee", emails: ["ann@example.com", "ann@home.example.org"],
        attributes: [
            "team": "Payments", "site": "Berlin", "level": "5", "start": "2021-03-01", "remote": "true",
            "buddy": "bob@example.com",
        ],
        integrations: ["github", "jira"])
    static let bob = OrgPerson(
        id: PersonID(2), name: "Bob Roe", emails: ["bob@example.com"],
        attributes: ["team": "Platform", "site": "Dublin", "level": "10", "start": "2024-07-15"],
        integrations: ["slack"])
    static let cy = OrgPerson(id: PersonID(3), name: "cy", emails: [])

    func filter(_ field: String, _ op: String, _ values: [String] = [], caseSensitive: Bool = false) throws
        -> OrgUnitFilter
    {
        try OrgUnitFilter.checked(
            field: field, operator: op, values: values, caseSensitive: caseSensitive, config: Self.config
        ).get()
    }

    /// The names of the people in `unit` among Ann, Bob and Cy.
    func members(_ groups: [[OrgUnitFilter]], include: [String] = [], exclude: [String] = []) throws -> [String] {
        let unit = OrgUnit(name: "u", groups: groups, include: include, exclude: exclude)
        var evaluator = try OrgUnitEvaluator(units: [unit], attributes: Self.config.attributes)
        return [Self.ann, Self.bob, Self.cy].filter { evaluator.units(of: $0)[0] }.map(\.name)
    }

    static let cases: [(field: String, op: String, values: [String], expected: [String])] = [
        ("team", "equals", ["payments"], ["Ann Lee"]),
        ("team", "equals", ["Payments", "Platform"], ["Ann Lee", "Bob Roe"]),
        ("team", "not_equals", ["Payments"], ["Bob Roe", "cy"]),
        ("team", "starts_with", ["PLAT"], ["Bob Roe"]),
        ("team", "is_empty", [], ["cy"]),
        ("team", "is_not_empty", [], ["Ann Lee", "Bob Roe"]),
        ("site", "contains", ["erl"], ["Ann Lee"]),
        ("site", "starts_with", ["d", "b"], ["Ann Lee", "Bob Roe"]),
        ("full_name", "contains", ["ROE"], ["Bob Roe"]),
        ("full_name", "equals", ["cy"], ["cy"]),
        ("email", "equals", ["ANN@HOME.example.org"], ["Ann Lee"]),
        ("email", "contains", ["@Example.com"], ["Ann Lee", "Bob Roe"]),
        ("email", "is_empty", [], ["cy"]),
        ("level", "between", ["4", "9"], ["Ann Lee"]),
        ("level", "between", ["5", "10"], ["Ann Lee", "Bob Roe"]),
        ("level", "equals", ["10.0"], ["Bob Roe"]),
        ("level", "not_equals", ["5"], ["Bob Roe", "cy"]),
        ("start", "between", ["2021-01-01", "2021-12-31"], ["Ann Lee"]),
        ("start", "equals", ["2024-07-15"], ["Bob Roe"]),
        ("remote", "equals", ["yes"], ["Ann Lee"]),
        ("remote", "is_empty", [], ["Bob Roe", "cy"]),
        ("buddy", "equals", ["BOB@example.com"], ["Ann Lee"]),
        ("integration", "equals", ["jira"], ["Ann Lee"]),
        ("integration", "not_equals", ["jira"], ["Bob Roe", "cy"]),
        ("integration", "is_empty", [], ["cy"]),
        ("integration", "starts_with", ["sl"], ["Bob Roe"]),
    ]

    @Test(arguments: cases)
    func eachOperatorOnEachType(_ example: (field: String, op: String, values: [String], expected: [String])) throws {
        let result = try members([[filter(example.field, example.op, example.values)]])
        #expect(result == example.expected, "\(example.field) \(example.op) \(example.values)")
    }

    @Test func textIsCaseInsensitiveUnlessAskedOtherwise() throws {
        #expect(try members([[filter("site", "equals", ["berlin"])]]) == ["Ann Lee"])
        #expect(try members([[filter("site", "equals", ["berlin"], caseSensitive: true)]]) == [])
        #expect(try members([[filter("site", "equals", ["Berlin"], caseSensitive: true)]]) == ["Ann Lee"])
    }

    @Test func filtersInAGroupAreCombinedWithAndGroupsWithOr() throws {
        let payments = try filter("team", "equals", ["Payments"])
        let dublin = try filter("site", "equals", ["Dublin"])
        #expect(try members([[payments, dublin]]) == [])
        #expect(try members([[payments], [dublin]]) == ["Ann Lee", "Bob Roe"])
        #expect(try members([]) == [], "a unit without filters holds only its includes")
    }

    @Test func includeAdmitsAndExcludeWinsOverEverything() throws {
        let payments = try filter("team", "equals", ["Payments"])
        #expect(try members([[payments]], include: ["bob@example.com"]) == ["Ann Lee", "Bob Roe"])
        #expect(try members([[payments]], exclude: ["ann@home.example.org"]) == [])
        #expect(
            try members([[payments]], include: ["bob@example.com"], exclude: ["bob@example.com"]) == ["Ann Lee"])
        #expect(try members([], include: ["bob@example.com"]) == ["Bob Roe"])
    }

    @Test func aChildsMembersAlsoSatisfyItsParent() throws {
        let units = [
            OrgUnit(name: "senior", parent: "engineering", groups: [[try filter("level", "between", ["5", "100"])]]),
            OrgUnit(name: "engineering", groups: [[try filter("team", "equals", ["Payments", "Mobile"])]]),
            OrgUnit(name: "senior-remote", parent: "senior", include: ["bob@example.com", "ann@example.com"]),
        ]
        var evaluator = try OrgUnitEvaluator(units: units, attributes: Self.config.attributes)
        #expect(evaluator.units(of: Self.ann) == [true, true, true])
        // Bob's level fits "senior" but his team is not in "engineering"; the include can't lift him past it.
        #expect(evaluator.units(of: Self.bob) == [false, false, false])
        #expect(evaluator.order.firstIndex(of: 1)! < evaluator.order.firstIndex(of: 0)!)
    }

    @Test func unknownParentsAndParentLoopsAreRefused() throws {
        #expect(throws: OrgUnitError.self) {
            try OrgUnitEvaluator(units: [OrgUnit(name: "a", parent: "b")], attributes: [])
        }
        let loop = [OrgUnit(name: "a", parent: "b"), OrgUnit(name: "b", parent: "a")]
        let error = try #require(throws: OrgUnitError.self) { try OrgUnitEvaluator(units: loop, attributes: []) }
        #expect(error.key == "parent")
        #expect(error.message.contains("loop"))
    }

    @Test func unknownAttributesAndOperatorsThatDontFitAreRefused() {
        func problem(_ field: String, _ op: String, _ values: [String]) -> FilterProblem? {
            if case .failure(let problem) = OrgUnitFilter.checked(
                field: field, operator: op, values: values, caseSensitive: false, config: Self.config)
            {
                return problem
            }
            return nil
        }
        #expect(problem("teem", "equals", ["x"])?.message.contains("did you mean 'team'?") == true)
        #expect(problem("teem", "equals", ["x"])?.key == "field")
        #expect(problem("level", "contains", ["1"])?.key == "operator")
        #expect(problem("level", "contains", ["1"])?.message.contains("number") == true)
        #expect(problem("team", "between", ["a", "b"])?.key == "operator")
        #expect(problem("team", "equals", ["Payment"])?.message.contains("did you mean Payments?") == true)
        #expect(problem("level", "between", ["9", "1"])?.key == "values")
        #expect(problem("start", "equals", ["31/12/2024"])?.key == "values")
        #expect(problem("site", "equalz", ["x"])?.message.contains("did you mean 'equals'?") == true)
        #expect(problem("site", "is_empty", ["x"])?.key == "values")
        #expect(problem("site", "equals", [])?.key == "values")
        #expect(problem("manager", "equals", ["boss@example.com"]) == nil, "manager is built in")
    }

    @Test func whyNamesTheFilterThatDecided() throws {
        let units = [
            OrgUnit(name: "engineering", groups: [[try filter("team", "equals", ["Payments", "Platform"])]]),
            OrgUnit(
                name: "berlin-seniors", parent: "engineering",
                groups: [
                    [try filter("site", "equals", ["Berlin"]), try filter("level", "between", ["5", "9"])],
                    [try filter("integration", "equals", ["slack"])],
                ], exclude: ["ann@home.example.org"]),
        ]
        var evaluator = try OrgUnitEvaluator(units: units, attributes: Self.config.attributes)
        let bob = evaluator.explain(Self.bob, unit: 1)
        #expect(
            bob == [
                "engineering: member",
                "  admitted by filters:",
                "    yes: team equals [Payments, Platform] (the person's value: Platform)",
                "berlin-seniors: member",
                "  not admitted by filter group 1:",
                "    no : site equals Berlin (the person's value: Dublin)",
                "    no : level between 5 and 9 (the person's value: 10)",
                "  admitted by filter group 2:",
                "    yes: integration equals slack (the person's value: slack)",
            ])
        let ann = evaluator.explain(Self.ann, unit: 1)
        #expect(ann.last == "  excluded: ann@home.example.org is in the unit's exclude list")
        let cy = evaluator.explain(Self.cy, unit: 1)
        #expect(cy.contains("  excluded: not a member of the parent unit 'engineering'"))
    }

    @Test func membershipsFollowChangesPersonByPerson() throws {
        let unit = OrgUnit(name: "payments", groups: [[try filter("team", "equals", ["Payments"])]])
        var memberships = OrgUnitMemberships(
            evaluator: try OrgUnitEvaluator(units: [unit], attributes: Self.config.attributes))
        memberships.recompute([Self.ann, Self.bob, Self.cy])
        #expect(memberships.members[0] == [PersonID(1)])
        var moved = Self.bob
        moved.attributes["team"] = "Payments"
        #expect(memberships.update(moved) == [0])
        #expect(memberships.update(moved) == [])
        #expect(memberships.members[0] == [PersonID(1), PersonID(2)])
        #expect(memberships.remove(PersonID(1)) == [0])
        #expect(memberships.members[0] == [PersonID(2)])
    }
}
