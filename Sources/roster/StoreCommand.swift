import ArgumentParser
import Foundation
import RosterAgent
import RosterStore

/// `roster store copy`: moves a roster between stores.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move a roster between stores (SQLite and PostgreSQL).",
        subcommands: [Copy.self]
    )

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Copy a whole roster (people, accounts, journal, audit log, proposals, decisions) into a new, empty store.",
            discussion: """
                Ids are kept, so people, proposals and the audit log mean the same in both stores. \
                The copy is one transaction and is checked table by table (row counts and a SHA-256 \
                of the content); the source is only read. Stop the agents that write to the source \
                first. Example: roster store copy --from state/roster.sqlite --to postgresql://roster@db/roster
                """
        )

        @Option(
            help: ArgumentHelp("The store to copy: a path, a sqlite: URL or a postgresql:// URL.", valueName: "url"))
        var from: String

        @Option(
            help: ArgumentHelp(
                "The new, empty store to copy into (created when it is an SQLite file).", valueName: "url"))
        var to: String

        @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical."))
        var logLevel: String = "info"

        func run() throws {
            let source: StoreLocation
            let destination: StoreLocation
            do {
                source = try StoreLocation(from)
                destination = try StoreLocation(to)
            } catch {
                printError("\(error)")
                throw ExitCode(64)
            }
            if let path = source.sqlitePath, !FileManager.default.fileExists(atPath: path) {
                printError("There is no store at '\(path)'. Give the path of an existing roster.sqlite.")
                throw ExitCode(66)
            }
            do {
                let started = Date()
                let digests = try StoreCopy.copy(
                    from: StoreOpener.open(source), to: StoreOpener.open(destination))
                for digest in digests { print(digest) }
                print(
                    "Copied \(digests.reduce(0) { $0 + $1.rows }) rows from \(source) to \(destination) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; both sides checked equal."
                )
            } catch {
                printError("\(error)")
                throw ExitCode(70)
            }
        }
    }
}
