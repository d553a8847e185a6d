import ArgumentParser
import RosterAgent
import RosterCore
import RosterStore

struct OrgUnits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org-units",
        abstract: "List the configured org units and their members.",
        subcommands: [List.self, Show.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each org unit, its parent and member count.")

        @OptionGroup var options: CommonOptions

        func run() throws {
            _ = options.makeLogger()
            let config = try options.loadConfig()
            if config.orgUnits.isEmpty {
                print("No org units are configured. Declare them as [[org_units]] in roster.toml.")
                return
            }
            let counts = try counts(options: options, config: config)
            let width = max(4, config.orgUnits.map(\.name.count).max() ?? 0)
            func pad(_ text: String) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
            print("\(pad("unit"))  members  parent")
            for (index, unit) in config.orgUnits.enumerated() {
                let count = String(counts[index])
                print(
                    "\(pad(unit.name))  \(String(repeating: " ", count: max(0, 7 - count.count)))\(count)  \(unit.parent ?? "-")"
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the members of an org unit, or why a person is in it or not.")

        @OptionGroup var options: CommonOptions

        @Argument(help: "The org unit's name.")
        var name: String

        @Option(
            name: .long, help: ArgumentHelp("Explain which filter admits or excludes this person.", valueName: "email"))
        var why: String?

        func run() throws {
            _ = options.makeLogger()
            let config = try options.loadConfig()
            guard let index = config.orgUnits.firstIndex(where: { $0.name == name }) else {
                var message = "No org unit is named '\(name)'."
                if let close = Closest.match(for: name, among: config.orgUnits.map(\.name)) {
                    message += " Did you mean '\(close)'?"
                }
                printError(message + " Run `roster org-units list` to see them.")
                throw ExitCode(64)
            }
            if let why {
                let address = EmailAddress.normalise(why)
                let store = try options.openStore(options.stateLayout(config))
                var found: OrgPerson?
                try store.forEachPerson { person in
                    let candidate = OrgUnitsExport.orgPerson(person)
                    if found == nil, candidate.emails.contains(address) { found = candidate }
                }
                guard let person = found else {
                    printError("No person in the roster has the email \(address).")
                    throw ExitCode(1)
                }
                print("\(person.id) \(person.name) <\(person.emails.first ?? "")>")
                var evaluator = try OrgUnitEvaluator(units: config.orgUnits, attributes: config.attributes)
                for line in evaluator.explain(person, unit: index) { print(line) }
                return
            }
            let unit = config.orgUnits[index]
            let attributes = unit.filterAttributes
            let members = try members(options: options, config: config, unit: index)
            print(CSVWriter.line(OrgUnitsExport.header(for: unit)))
            for person in members {
                print(CSVWriter.line(OrgUnitsExport.fields(person, attributes: attributes)))
            }
        }
    }
}

/// The member count of every unit: the stored ones when they are current, else evaluated over the store.
private func counts(options: CommonOptions, config: RosterConfig) throws -> [Int] {
    let store = try options.openStore(options.stateLayout(config))
    do {
        if let stored = try OrgUnitsExport.storedCounts(store: store, config: config) { return stored }
        return try OrgUnitsExport.evaluate(store: store, config: config).members.map(\.count)
    } catch {
        printError("\(error)")
        throw ExitCode(70)
    }
}

/// The members of one unit, as the users export shows them.
private func members(options: CommonOptions, config: RosterConfig, unit: Int) throws -> [ExportedPerson] {
    let store = try options.openStore(options.stateLayout(config))
    do {
        if let stored = try OrgUnitsExport.storedMembers(store: store, config: config) {
            return try store.exportedPeople(stored[unit])
        }
        return try OrgUnitsExport.evaluate(store: store, config: config).members[unit]
    } catch {
        printError("\(error)")
        throw ExitCode(70)
    }
}
