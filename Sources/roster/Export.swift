import ArgumentParser
import Foundation
import RosterAgent
import RosterCore

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an export on demand: users, accounts, SEI developers, DevLake team files or a git mailmap.",
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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "users (default), accounts, sei-developers, devlake (a folder, with --out) or mailmap.",
            valueName: "format"))
    var format: ExportFormat = .users

    @Flag(help: "Write a header-only sample with the configured columns.")
    var sample = false

    func run() throws {
        _ = options.makeLogger()
        let config = try options.loadConfig()
        if sample {
            try write(Array(UsersExport.sample(config: config).utf8), to: out ?? "-")
            return
        }
        let layout = try options.stateLayout(config)
        let store = try options.openStore(layout)
        if format != .users, format != .accounts {
            try exportOther(format, store: store, config: config, layout: layout)
            return
        }
        func produce(_ sink: @escaping ([UInt8]) throws -> Void) throws {
            if format == .users {
                try UsersExport.write(store: store, config: config, sink: sink)
            } else {
                try AccountsExport.write(store: store, sink: sink)
            }
        }
        do {
            let target = out ?? (format == .users ? layout.usersExport : layout.accountsExport)
            if target == "-" {
                try produce { FileHandle.standardOutput.write(Data($0)) }
            } else {
                try AtomicFile.write(target) { writer in try produce { try writer.write($0) } }
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
