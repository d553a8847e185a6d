import ArgumentParser
import Foundation
import Logging
import RosterAgent
import RosterCore
import ServiceLifecycle

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent: take every file dropped into the drop folder, once.",
        discussion: """
            Applied files move to <state>/archive/, rejected ones to <state>/rejected/ with \
            <name>.errors.csv, and <state>/exports/users.csv is rebuilt after each batch. Write a file \
            elsewhere on the same file system and rename it into the drop folder. SIGTERM or SIGINT \
            stops (exit 0); SIGHUP reloads the config and rescans. Under systemd (Type=notify) it \
            reports READY, STATUS, WATCHDOG and STOPPING; logs go to standard error, one line per event.
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The drop folder. Default: the config's [folders] watch, else ./watch (created if missing).",
            valueName: "dir"))
    var watch: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Poll the folder every so many seconds instead of using inotify (for NFS, SMB, FUSE; automatic there).",
            valueName: "seconds"))
    var poll: Double?

    func validate() throws {
        if let poll, !(poll >= 0.1 && poll <= 86_400) {
            throw ValidationError("--poll takes a number of seconds from 0.1 to 86400, such as 2.")
        }
    }

    func run() async throws {
        let journal = JournalLogHandler.stderrIsJournal()
        let level = options.logLevel
        LoggingSystem.bootstrap { label in
            var handler = JournalLogHandler(label: label, journal: journal)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "roster")

        let config = try options.loadConfig()
        let layout = try options.stateLayout(config)
        let store = try options.openStore(layout)
        let folder = watch ?? config.watchFolder ?? "watch"
        do {
            try StateLayout.ensureDropFolder(folder)
            try store.syncAttributeDefinitions(config.attributes)
            try warnAboutUndeclaredAttributes(store, logger: logger)
        } catch {
            printError("\(error)")
            throw ExitCode(70)
        }

        let configPath = options.config
        let service = WatchService(
            folder: folder, state: layout, store: store, config: config, pollSeconds: poll,
            reloadConfig: {
                if let configPath { return try ConfigLoader.load(path: configPath, required: true) }
                return try ConfigLoader.load(path: "roster.toml", required: false)
            },
            notifier: SystemdNotifier(), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("The agent stopped", metadata: ["error": "\(error)"])
            printError("\(error)")
            throw ExitCode(70)
        }
    }
}
