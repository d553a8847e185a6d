import ArgumentParser
import RosterAgent
import RosterCore
import RosterStore

struct Unmerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Undo a merge: restore its people as they were before it.",
        discussion: """
            Give the accepted proposal's id (P-000042) or a merged person's id (U-000231). Emails and \
            accounts go back to the people they came from; anything that changed since the merge is \
            reported and left as it is now. The people are not proposed together again.
            """
    )

    @OptionGroup var options: CommonOptions
    @Argument(help: "A proposal id or a merged person's id.") var id: String

    func run() throws {
        let (_, store, pipeline) = try options.openDesk()
        let target: UnmergeTarget
        if let proposal = ProposalID(parsing: id), id.uppercased().hasPrefix("P") {
            target = .proposal(proposal)
        } else if let person = PersonID(parsing: id) {
            target = .person(person)
        } else {
            throw ValidationError("'\(id)' is neither a proposal id (P-000042) nor a person id (U-000017).")
        }
        let outcome: UnmergeOutcome
        do {
            outcome = try store.unmerge(target, now: Timestamp.now())
        } catch let error as StoreError {
            printError("\(error)")
            throw ExitCode(1)
        }
        print("Restored \(outcome.restored.map(\.description).joined(separator: ", ")) from \(outcome.survivor)")
        for line in outcome.changedSince { print("  changed since the merge: \(line)") }
        try storeCall { try pipeline.refreshOutputs() }
    }
}
