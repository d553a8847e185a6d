import ArgumentParser
import Foundation
import RosterAgent
import RosterCore

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the users CSV export on demand.",
        discussion: """
            The export has the layout the users CSV reader takes: edit it and ingest it again. \
            --sample writes only the header, with the configured integration and attribute columns.
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where to write; - for standard output. Default: <state>/exports/users.csv.", valueName: "file"))
    var out: String?

    @Flag(help: "Write a header-only sample with the configured columns.")
    var sample = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "users (default), sei-developers, devlake (a folder, with --out) or mailmap.", valueName: "format"))
    var format: ExportFormat = .users

    func run() throws {
        _ = options.makeLogger()
        let config = try options.loadConfig()
        if sample {
            try write(Array(UsersExport.sample(config: config).utf8), to: out ?? "-")
            return
        }
        let layout = options.stateLayout(config)
        let store = try options.openStore(layout)
        if format != .users {
            try exportOther(format, store: store, config: config, layout: layout)
            return
        }
        do {
            let target = out ?? layout.usersExport
            if target == "-" {
                try UsersExport.write(store: store, config: config) { FileHandle.standardOutput.write(Data($0)) }
            } else {
                try AtomicFile.write(target) { writer in
                    try UsersExport.write(store: store, config: config) { try writer.write($0) }
                }
                printError("Wrote \(target)")
            }
        } catch {
            printError("\(error)")
            throw ExitCode(70)
        }
    }

    func write(_ bytes: [UInt8], to target: String) throws {
        if target == "-" {
            FileHandle.standardOutput.write(Data(bytes))
        } else {
            try AtomicFile.write(target, bytes: bytes)
        }
    }
}
