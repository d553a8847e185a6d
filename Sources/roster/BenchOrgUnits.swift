import ArgumentParser
import RosterCore

#if canImport(Glibc)
    import Glibc
#endif

/// Times org unit recomputation on generated people, for `bench/orgunits.sh`. Hidden from help.
struct BenchOrgUnits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-org-units",
        abstract: "Time recomputing org units over generated people.",
        shouldDisplay: false
    )

    @Option var people = 1_000_000
    @Option var units = 50
    @Option var changes = 1_000

    static let attributes = [
        AttributeDefinition(key: "team"),
        AttributeDefinition(key: "department"),
        AttributeDefinition(key: "site"),
        AttributeDefinition(key: "level", type: .number),
        AttributeDefinition(key: "start", type: .date),
    ]

    func run() throws {
        var random = SplitMix(seed: 42)
        let config = RosterConfig(attributes: Self.attributes)
        func filter(_ field: String, _ op: String, _ values: [String]) throws -> OrgUnitFilter {
            try OrgUnitFilter.checked(field: field, operator: op, values: values, caseSensitive: false, config: config)
                .get()
        }
        // 50 units × 3 filters: a department, a team prefix or site list, and a level or date range;
        // every fifth unit a child of the one before, every seventh with a second group on integrations.
        var declared: [OrgUnit] = []
        for index in 0..<units {
            let department = try filter("department", "equals", ["Department \(index % 20)"])
            let second =
                index % 2 == 0
                ? try filter("team", "starts_with", ["team \(index % 9)"])
                : try filter("site", "equals", ["Site \(index % 30)", "Site \((index + 7) % 30)"])
            let third =
                index % 3 == 0
                ? try filter("start", "between", ["2019-01-01", "2023-12-31"])
                : try filter("level", "between", ["\(index % 5 + 1)", "\(index % 5 + 4)"])
            var groups = [[department, second, third]]
            if index % 7 == 0 { groups.append([try filter("integration", "equals", ["jira"])]) }
            let parent = index % 5 == 4 ? "unit-\(index - 1)" : nil
            declared.append(OrgUnit(name: "unit-\(index)", parent: parent, groups: groups))
        }
        let integrations = ["github", "gitlab", "jira", "slack", "pagerduty"]
        func person(_ id: Int) -> OrgPerson {
            OrgPerson(
                id: PersonID(Int64(id)), name: "Person \(id)", emails: ["person\(id)@example.com"],
                attributes: [
                    "team": "Team \(random.next(300))", "department": "Department \(random.next(20))",
                    "site": "Site \(random.next(30))", "level": "\(random.next(10) + 1)",
                    "start": "20\(10 + random.next(15))-0\(random.next(9) + 1)-1\(random.next(9))",
                ],
                integrations: (0..<random.next(4)).map { _ in integrations[random.next(5)] })
        }
        let everyone = (1...people).map(person)
        print("generated \(people) people, \(units) units with 3 filters each")

        let clock = ContinuousClock()
        let cpuStart = Self.cpuSeconds()
        var memberships = OrgUnitMemberships(
            evaluator: try OrgUnitEvaluator(units: declared, attributes: Self.attributes))
        let full = clock.measure { memberships.recompute(everyone) }
        let total = memberships.members.reduce(0) { $0 + $1.count }
        let cpuFull = Self.cpuSeconds() - cpuStart
        print("full recompute: \(format(full)) wall, \(Double(Int(cpuFull * 100)) / 100) s CPU (\(total) memberships)")

        let changed = (0..<changes).map { _ in person(random.next(people) + 1) }
        var unitsChanged = Set<Int>()
        let incremental = clock.measure {
            for person in changed { unitsChanged.formUnion(memberships.update(person)) }
        }
        print("incremental, \(changes) changed people: \(format(incremental)) (\(unitsChanged.count) units changed)")
    }

    /// The CPU time of this process so far: on a busy machine, a steadier measure than wall time.
    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : "\(Double(Int(seconds * 100)) / 100) s"
    }
}

/// A small deterministic generator, so that runs are comparable.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
