import ArgumentParser
import RosterAgent
import RosterCore

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate and apply files to the roster, one by one, in the order given.",
        discussion: """
            Prints one line per file: applied, already applied, or rejected. A rejected file leaves \
            the roster untouched; a copy of it and <name>.errors.csv (line, column, value, problem, \
            fix) go to <state>/rejected/. An applied file is copied to <state>/archive/. Files are \
            left in place unless --move is given. Exits 1 when any file was rejected.
            """
    )

    @OptionGroup var options: CommonOptions

    @Flag(help: "Move each file into the state folder instead of keeping a copy.")
    var move = false

    @Argument(help: ArgumentHelp("The files to apply.", valueName: "file"))
    var files: [String]

    func run() throws {
        let logger = options.makeLogger()
        let config = try options.loadConfig()
        let layout = try options.stateLayout(config)
        let store = try options.openStore(layout)
        let pipeline = Pipeline(state: layout, config: config, store: store, logger: logger)
        do {
            try store.syncAttributeDefinitions(config.attributes)
            try warnAboutUndeclaredAttributes(store, logger: logger)
        } catch {
            printError("\(error)")
            throw ExitCode(70)
        }
        var rejected = false
        var changed = false
        for file in files {
            do {
                let outcome = try pipeline.ingest(path: file, disposition: move ? .move : .copy)
                print(outcome.line)
                if outcome.isRejected { rejected = true }
                if case .applied = outcome.status { changed = true }
            } catch {
                printError("\(file): not processed: \(error)")
                throw ExitCode(70)
            }
        }
        do {
            let unitsMissing = !config.orgUnits.isEmpty && !FileExistence.exists(layout.orgUnitsIndex)
            if changed || unitsMissing || !FileExistence.exists(layout.usersExport) {
                try pipeline.refreshOutputs()
            }
        } catch {
            printError("Can't write the exports: \(error)")
            throw ExitCode(70)
        }
        if rejected { throw ExitCode(1) }
    }
}
