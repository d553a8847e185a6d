import RosterCore
import RosterStore
import Yams

/// The YAML file of one proposal: written readably by hand, read back with Yams.
enum ProposalFile {
    /// What an admin's edit of the file says.
    enum Decision: Equatable {
        case pending
        case accept(survivor: PersonID?)
        case reject
    }

    /// The file's text. `decided` adds the outcome of a decided or closed proposal.
    static func render(_ proposal: StoredProposal, people: [MatchPerson], decision: String = "pending") -> String {
        let draft = proposal.draft
        var text = "# Merge proposal \(proposal.id). Set decision to accept or reject, and save.\n"
        if proposal.status == .open {
            text += "# You may also set survivor to another of the people's ids. Roster rewrites this file when\n"
            text += "# new evidence arrives; `roster proposals accept|reject \(proposal.id)` does the same.\n"
        }
        text += "decision: \(decision)\n"
        text += "confidence: \(format(draft.confidence))\n"
        text += "survivor: \(draft.survivor)\n"
        if let outcome = proposal.outcome { text += "outcome: \(quote(outcome))\n" }
        if !draft.flags.isEmpty {
            text += "flags:\n" + draft.flags.map { "  - \(quote($0))\n" }.joined()
        }
        text += "people:\n"
        for id in draft.people {
            let person = people.first { $0.id == id }
            text += "  - id: \(id)\n"
            text += "    name: \(quote(person?.name ?? "(merged or removed)"))\n"
            text += "    emails: [\((person?.emails ?? []).map(quote).joined(separator: ", "))]\n"
            text +=
                "    accounts: [\((person?.accounts ?? []).map { quote($0.key.description) }.joined(separator: ", "))]\n"
        }
        text += "evidence:\n" + draft.evidence.map { "  - \(quote($0))\n" }.joined()
        return text
    }

    /// Reads the decision from the file's text.
    ///
    /// - Throws: A message for the note beside the file when the YAML is broken or the decision unknown.
    static func decision(in text: String) throws(ProposalFileError) -> Decision {
        let parsed: Any?
        do {
            parsed = try Yams.load(yaml: text)
        } catch {
            throw ProposalFileError(message: "The file is not valid YAML: \(error)")
        }
        guard let map = parsed as? [String: Any] else {
            throw ProposalFileError(message: "The file should be a YAML mapping with a `decision:` key.")
        }
        guard let raw = map["decision"] else {
            throw ProposalFileError(
                message: "The file has no `decision:` line. Add `decision: accept` or `decision: reject`.")
        }
        guard let word = raw as? String else {
            throw ProposalFileError(message: "`decision: \(raw)` is not one of accept, reject or pending.")
        }
        var survivor: PersonID?
        if let value = map["survivor"] {
            guard let text = value as? String, let id = PersonID(parsing: text.trimmingWhitespace()) else {
                throw ProposalFileError(message: "`survivor: \(value)` is not a person id such as U-000017.")
            }
            survivor = id
        }
        switch word.trimmingWhitespace().lowercased() {
        case "pending", "": return .pending
        case "accept", "accepted": return .accept(survivor: survivor)
        case "reject", "rejected": return .reject
        default:
            throw ProposalFileError(
                message: "`decision: \(word)` is not one of accept, reject or pending. Nothing was changed.")
        }
    }

    /// A double-quoted YAML scalar.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func format(_ confidence: Double) -> String {
        let thousandths = Int((confidence * 1000).rounded())
        let whole = thousandths / 1000
        let fraction = String(thousandths % 1000)
        return "\(whole)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

/// Why an edited proposal file can't be read.
struct ProposalFileError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
