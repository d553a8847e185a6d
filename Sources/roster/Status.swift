import ArgumentParser
import RosterAgent
import RosterCore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the roster holds and what was ingested last.")

    @OptionGroup var options: CommonOptions

    func run() throws {
        _ = options.makeLogger()
        let config = try options.loadConfig()
        let layout = try options.stateLayout(config)
        let store = try options.openStore(layout)
        let status: StoreStatusView
        do {
            status = StoreStatusView(try store.status())
        } catch {
            printError("\(error)")
            throw ExitCode(70)
        }
        print(status.text(store: layout.store))
    }
}
