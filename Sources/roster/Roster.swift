import ArgumentParser

@main
struct Roster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Keeps one canonical roster of the people behind an organisation's tools.",
        discussion: """
            Roster reads users CSVs (the export admins edit and import again), validates them, \
            reconciles them into one store keyed by email, and writes refreshed exports.

            Exit codes: 0 success; 1 a file was rejected; 64 command-line misuse; \
            70 internal or storage failure; 78 bad configuration.
            """,
        subcommands: [
            Watch.self, Ingest.self, Export.self, Status.self, Proposals.self, Unmerge.self, Explain.self,
            OrgUnits.self, StoreCommand.self, BenchOrgUnits.self, BenchMatching.self,
        ]
    )
}
