import ArgumentParser
import Foundation
import RosterCore

/// Times the matching core (profiles, blocking, scoring, grouping) on a generic accounts CSV as
/// `bench/gen_people_accounts.py` writes it, one person per account as an ingest makes them,
/// without the store or the proposal files. For `bench/proposals.sh`. Hidden from help.
struct BenchMatching: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-matching",
        abstract: "Time the merge-proposal matching over the accounts of a generic accounts CSV.",
        shouldDisplay: false
    )

    @Argument var file: String

    @Flag(help: "Match on one thread (the proposals are the same).") var sequential = false

    @Flag(help: "Print a digest of the proposals, to compare two builds (costs time and memory).")
    var digest = false

    func run() throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("Can't read '\(file)'.")
        }
        let clock = ContinuousClock()
        let threads = sequential ? 1 : ProcessInfo.processInfo.activeProcessorCount
        // Read and profiled a batch of people at a time, as a full pass reads them from the store.
        var people: [MatchPerson] = []
        var profiles: [MatchProfile] = []
        var (read, profile) = (Duration.zero, Duration.zero)
        func build() {
            profile += clock.measure { profiles += MatchProfile.profiles(of: people, threads: threads) }
            people.removeAll(keepingCapacity: true)
        }
        var start = clock.now
        for (number, line) in text.split(separator: "\n").dropFirst().enumerated() {
            // integration,account_id,login,display_name,email: no quoted fields in the generated file.
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count >= 5 else { continue }
            let email = cells[4].isEmpty ? nil : cells[4]
            people.append(
                MatchPerson(
                    id: PersonID(Int64(number + 1)), name: cells[3].isEmpty ? cells[2] : cells[3],
                    emails: email.map { [EmailAddress.normalise($0)] } ?? [],
                    accounts: [
                        MatchAccount(
                            key: AccountKey(integration: cells[0], accountID: cells[1]),
                            login: cells[2].isEmpty ? nil : cells[2], displayName: cells[3], email: email)
                    ]))
            if people.count == 0x2000 {
                read += start.duration(to: clock.now)
                build()
                start = clock.now
            }
        }
        read += start.duration(to: clock.now)
        build()
        var drafts: [ProposalDraft] = []
        var matcher = Matcher()
        matcher.threads = threads
        let match = clock.measure { drafts = matcher.proposals(profiles) }
        let largest = drafts.map(\.people.count).max() ?? 0
        print(
            "people \(profiles.count), proposals \(drafts.count) (largest \(largest) people); "
                + "read \(read), profiles \(profile), blocking + scoring + grouping \(match); "
                + "\(threads) thread\(threads == 1 ? "" : "s")")
        if digest { print("digest \(Self.digest(drafts))") }
    }

    /// A 64-bit FNV-1a hash of every proposal (people, survivor, confidence, evidence and flags),
    /// so that a change meant to make matching faster can be shown to change no proposal. The
    /// proposals are taken sorted by their text: the matcher orders them by first person only.
    static func digest(_ drafts: [ProposalDraft]) -> String {
        let texts = drafts.map { draft in
            ([draft.peopleKey, draft.survivor.description, String(Int((draft.confidence * 1000).rounded()))]
                + draft.evidence + ["flags"] + draft.flags).joined(separator: "\n")
        }
        var hash = FNV1a()
        for text in texts.sorted() {
            hash.add(text.utf8)
            hash.add(0)
        }
        return String(hash.value, radix: 16)
    }
}
