public import ArgumentParser
import Foundation
public import Logging
import RosterAgent
import RosterCore
import RosterStore

#if canImport(Glibc)
    import Glibc
#endif

/// The options every subcommand takes, so that `--state` and `--config` work the same everywhere.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The state folder (store, archive, exports, reports).", valueName: "dir"))
    var state: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The config file. Default: roster.toml in the working directory, if present.", valueName: "file"))
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store: a path or sqlite: URL (default: roster.sqlite in the state folder), or postgresql://user@host:port/db (password from PGPASSWORD or a passfile; sslmode and the other libpq parameters as query items).",
            valueName: "url"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical."))
    var logLevel: Logger.Level = .info

    /// Loads the config, or exits 78 with the reason.
    func loadConfig() throws -> RosterConfig {
        do {
            if let config { return try ConfigLoader.load(path: config, required: true) }
            return try ConfigLoader.load(path: "roster.toml", required: false)
        } catch let error as ConfigError {
            printError("Bad configuration: \(error)")
            throw ExitCode(78)
        }
    }

    /// The state folder: `--state`, else the config's, else `state`; and the store: `--store`, else
    /// the config's `[store] url`, else the SQLite file in the state folder. Exits 64 for a `--store`
    /// that can't be used.
    func stateLayout(_ config: RosterConfig) throws -> StateLayout {
        var layout = StateLayout(root: state ?? config.stateFolder ?? "state")
        layout.storePoolSize = config.storePoolSize
        if let url = store ?? config.storeURL {
            do {
                layout.store = try StoreLocation(url)
            } catch {
                printError("\(error)")
                throw ExitCode(64)
            }
        }
        return layout
    }

    /// Prepares the state folder and opens the store, or exits 70 with the reason.
    func openStore(_ layout: StateLayout) throws -> any SQLRosterStore {
        // The store, exports and reports hold names and emails: nothing Roster creates is
        // readable by others (files 0640, folders 0750 at most).
        umask(umask(0o027) | 0o027)
        do {
            try layout.prepare()
            return try StoreOpener.open(layout.store, poolSize: layout.storePoolSize)
        } catch {
            printError("\(error)")
            throw ExitCode(70)
        }
    }

    func makeLogger() -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .trace
            return handler
        }
        var logger = Logger(label: "roster")
        logger.logLevel = logLevel
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
