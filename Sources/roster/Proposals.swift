import ArgumentParser
import Foundation
import RosterAgent
import RosterCore
import RosterStore

struct Proposals: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show and decide merge proposals (duplicate people).",
        discussion: """
            Open proposals are also files in <state>/proposals/: set `decision:` to accept or reject \
            and save, and the agent applies it. Decided proposals move to <state>/proposals/decided/.
            """,
        subcommands: [List.self, Show.self, Accept.self, Reject.self, Refresh.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the open proposals.")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Print JSON: one object per proposal with its people and accounts.") var json = false

        func run() throws {
            let (_, store, _) = try options.openDesk()
            let proposals = try storeCall { try store.openProposals() }
            if json {
                var items: [[String: Any]] = []
                for proposal in proposals {
                    let people = try storeCall { try store.matchPeople(proposal.draft.people) }
                    items.append([
                        "id": proposal.id.description, "confidence": proposal.draft.confidence,
                        "survivor": proposal.draft.survivor.description, "flags": proposal.draft.flags,
                        "evidence": proposal.draft.evidence,
                        "people": people.map { person in
                            [
                                "id": person.id.description, "name": person.name, "emails": person.emails,
                                "accounts": person.accounts.map(\.key.description),
                            ] as [String: Any]
                        },
                    ])
                }
                let data = try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            if proposals.isEmpty { print("No open proposals.") }
            for proposal in proposals {
                let flag = proposal.draft.flags.isEmpty ? "" : "  FLAGGED"
                let first = proposal.draft.evidence.first ?? ""
                print(
                    "\(proposal.id)  \(String(format: "%.3f", proposal.draft.confidence))  \(proposal.draft.people.map(\.description).joined(separator: " "))\(flag)  \(first)"
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one proposal, open or decided.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The proposal id, such as P-000042.") var id: String

        func run() throws {
            let (desk, _, _) = try options.openDesk()
            let id = try parseProposal(id)
            for path in ["\(desk.folder)/\(id).yaml", "\(desk.decidedFolder)/\(id).yaml"] {
                if let data = FileManager.default.contents(atPath: path) {
                    print(String(decoding: data, as: UTF8.self), terminator: "")
                    return
                }
            }
            printError("There is no proposal \(id). Run `roster proposals list` for the open ones.")
            throw ExitCode(1)
        }
    }

    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept proposals: merge each one's people into its survivor.",
            discussion: "Flagged proposals (snowballs, shared mailboxes, bots) are accepted only by id.")
        @OptionGroup var options: CommonOptions
        @Flag(help: "Accept every open proposal (at or above --min-confidence), flagged ones excepted.") var all = false
        @Option(help: "With --all: only proposals with at least this confidence.") var minConfidence: Double = 0
        @Flag(help: "With --all: flagged proposals too.") var includeFlagged = false
        @Argument(help: "Proposal ids, such as P-000042.") var ids: [String] = []

        func validate() throws {
            if all == !ids.isEmpty { throw ValidationError("Give proposal ids or --all, not both.") }
            if !(0...1).contains(minConfidence) {
                throw ValidationError("--min-confidence takes a number from 0 to 1.")
            }
        }

        func run() throws {
            let (desk, store, pipeline) = try options.openDesk()
            var targets = try ids.map(parseProposal)
            if all {
                targets = try storeCall { try store.openProposals() }.filter {
                    (includeFlagged || $0.draft.flags.isEmpty) && $0.draft.confidence >= minConfidence
                }.map(\.id)
            }
            var failed = false
            for id in targets {
                do {
                    print(ProposalDesk.line(try desk.accept(id, by: "command")))
                } catch let error as StoreError {
                    printError("\(id): \(error)")
                    failed = true
                }
            }
            try storeCall { try pipeline.refreshOutputs() }
            if failed { throw ExitCode(1) }
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject proposals: their people are never proposed together again.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "Proposal ids, such as P-000042.") var ids: [String]

        func run() throws {
            let (desk, _, pipeline) = try options.openDesk()
            var failed = false
            for id in try ids.map(parseProposal) {
                do {
                    try desk.reject(id, by: "command")
                    print("\(id): rejected")
                } catch let error as StoreError {
                    printError("\(id): \(error)")
                    failed = true
                }
            }
            try storeCall { try pipeline.refreshOutputs() }
            if failed { throw ExitCode(1) }
        }
    }

    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Apply edited decisions and bring the proposals up to date now (ingest and watch do it on their own).")
        @OptionGroup var options: CommonOptions
        @Flag(
            help:
                "Match every person and rebuild the blocking-key index, not only the people changed since the last pass."
        )
        var full = false

        func run() throws {
            let (desk, _, pipeline) = try options.openDesk()
            let result = try storeCall { try desk.refresh(full: full) }
            if !result.decided.isEmpty { try storeCall { try pipeline.refreshOutputs() } }
            for line in result.decided { print(line) }
            print(
                "People: \(result.people). Proposals opened: \(result.sync.opened.count), updated: \(result.sync.updated.count), unchanged: \(result.sync.unchanged.count), closed: \(result.sync.closed.count). \(String(format: "%.2f", result.seconds)) s."
            )
        }
    }
}

func parseProposal(_ text: String) throws -> ProposalID {
    guard let id = ProposalID(parsing: text) else {
        throw ValidationError("'\(text)' is not a proposal id such as P-000042.")
    }
    return id
}

/// Runs a store or file operation, turning a failure into exit 70 with the reason.
func storeCall<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("\(error)")
        throw ExitCode(70)
    }
}

extension CommonOptions {
    /// Opens the store and the proposal desk, with a pipeline for refreshing the outputs.
    func openDesk() throws -> (ProposalDesk, any SQLRosterStore, Pipeline) {
        let logger = makeLogger()
        let config = try loadConfig()
        let layout = try stateLayout(config)
        let store = try openStore(layout)
        let desk = ProposalDesk(state: layout, store: store, placeholders: config.placeholderEmails, logger: logger)
        return (desk, store, Pipeline(state: layout, config: config, store: store, logger: logger))
    }
}
