import ArgumentParser
import RosterAgent
import RosterCore
import RosterStore

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say why each account belongs to its person: file and line, rule or decision.")

    @OptionGroup var options: CommonOptions
    @Argument(help: "An email, a person id (U-000017) or an account (integration:account_id).") var subject: String

    func run() throws {
        let (_, store, _) = try options.openDesk()
        let what: ExplainSubject
        if subject.contains("@") {
            what = .email(subject)
        } else if let person = PersonID(parsing: subject) {
            what = .person(person)
        } else if let colon = subject.firstIndex(of: ":") {
            what = .account(
                AccountKey(
                    integration: String(subject[..<colon]), accountID: String(subject[subject.index(after: colon)...])))
        } else {
            throw ValidationError("'\(subject)' is not an email, a person id (U-000017) or integration:account_id.")
        }
        guard let explanation = try storeCall({ try store.explain(what) }) else {
            var message = "Nothing in the roster matches '\(subject)'."
            // `integration:github:jdoe`, or a misspelt integration: say which there are.
            if case .account(let key) = what, let known = try? store.integrations(), !known.contains(key.integration) {
                message +=
                    " There is no integration '\(key.integration)'; the roster has "
                    + (known.isEmpty ? "none yet" : known.joined(separator: ", "))
                    + ". Name an account as integration:account_id, e.g. \(known.first ?? "github"):jdoe."
            }
            printError(message)
            throw ExitCode(1)
        }
        if let alias = explanation.aliasOf { print("\(alias) was merged into \(explanation.person).") }
        print("\(explanation.person) \(explanation.name)")
        print("  emails: \(explanation.emails.isEmpty ? "none" : explanation.emails.joined(separator: ", "))")
        for account in explanation.accounts {
            print("  \(account.key)\(account.pinned ? " (pinned by a users CSV)" : "")")
            for step in account.steps { print("    \(step)") }
        }
    }
}
