/// Applies the accounts of an integration export to the roster, by the rules of DESIGN.md.
///
/// 1. An account whose normalised email is a person's email joins that person.
/// 2. Otherwise it becomes a new person named by its display name (or login), with that email, or
///    without email ("incomplete") when it has none that can link.
/// 3. GitHub noreply addresses are login evidence, not emails; placeholder addresses link nobody,
///    nor does the list's address on a sender a mailing list rewrote (``ListSender``); bots are
///    flagged and never joined to a human by email.
/// 4. A newer export of a known account updates its login, name, email and status; when its email
///    now leads to another person it moves there, unless a human edit pinned it. Nothing missing
///    from an export is deleted.
///
/// A file with any problem must be rolled back by the caller.
public struct AccountsReconciler {
    public private(set) var summary = IngestSummary()
    private let placeholders: [String]
    private let botPatterns: [String]
    /// The line (or JSON position) of each account already read from this file.
    private var seen: [AccountKey: String] = [:]

    /// - Parameters:
    ///   - placeholders: Glob patterns of addresses that never link people, from the config.
    ///   - botPatterns: Glob patterns of logins or names that mark bots, from the config.
    public init(placeholders: [String] = [], botPatterns: [String] = []) {
        self.placeholders = placeholders
        self.botPatterns = botPatterns
    }

    /// Has the ledger look up, in one go, the accounts and linking emails of the records about to
    /// come to ``apply(_:ledger:report:)``.
    public func prefetch<Ledger: RosterLedger>(_ records: [AccountRecord], ledger: inout Ledger) throws {
        var emails: [String] = []
        for record in records where ListSender.sender(in: record.displayName, email: record.email) == nil {
            if case .address(let address) = EmailEvidence.classify(record.email, placeholders: placeholders) {
                emails.append(address)
            }
        }
        try ledger.prefetch(emails: emails, accounts: records.map(\.key))
    }

    /// Applies one account, or reports why it can't be.
    public mutating func apply<Ledger: RosterLedger>(
        _ record: AccountRecord,
        ledger: inout Ledger,
        report: (Problem) throws -> Void
    ) throws {
        var record = record
        if !record.isBot {
            // GitHub's `[bot]` suffix, and the configured patterns, on the login or the name.
            let names = [record.login, record.displayName].compactMap { $0 }
            record.isBot =
                names.contains { $0.lowercased().hasSuffix("[bot]") }
                || botPatterns.contains { pattern in names.contains { Glob.matches(pattern, $0) } }
        }
        summary.rows += 1
        let place = record.position.isEmpty ? "line \(record.line)" : record.position
        if let earlier = seen[record.key] {
            summary.problems += 1
            try report(
                Problem(
                    line: record.line, column: record.position, value: record.key.accountID,
                    problem: "the account id \(record.key.accountID) is already listed (\(earlier))",
                    fix: "list each account once; export the file again"))
            return
        }
        seen[record.key] = place
        // A list's rewritten sender: the address is the list's, not the person's.
        let listSender = ListSender.sender(in: record.displayName, email: record.email)
        let evidence =
            listSender != nil
            ? .placeholder : EmailEvidence.classify(record.email, placeholders: placeholders)
        var linkEmail: String?
        if case .address(let address) = evidence { linkEmail = address }

        if let existing = try ledger.account(record.key) {
            try update(existing, with: record, linkEmail: linkEmail, place: place, ledger: &ledger, report: report)
            return
        }

        // A new account: whose is it?
        var target: PersonID?
        var emailOwned = false
        if let explicit = record.person {
            guard try ledger.person(explicit) != nil else {
                summary.problems += 1
                try report(
                    Problem(
                        line: record.line, column: "person_id", value: explicit.description,
                        problem: "no person has the id \(explicit)",
                        fix: "leave person_id empty to let Roster place the account, or use an id from the export"))
                return
            }
            target = explicit
        } else if let linkEmail, let owner = try ledger.owner(ofEmail: linkEmail) {
            emailOwned = true
            let ownerIsBot = try ledger.isBot(owner) ?? false
            if ownerIsBot == record.isBot {
                target = owner
            } else {
                summary.note(
                    "\(place): \(record.key) has the email of \(owner) but \(record.isBot ? "is a bot" : "is a human and \(owner) a bot"); kept apart"
                )
            }
        }
        let person: PersonID
        if let target {
            person = target
        } else {
            let name = listSender ?? record.displayName ?? record.login ?? record.key.accountID
            let email = emailOwned ? nil : linkEmail
            person = try ledger.createPerson(name: name, primaryEmail: email, isBot: record.isBot, line: record.line)
            summary.peopleCreated += 1
            if let linkEmail = email {
                summary.emailsAdded += 1
                summary.note("\(place): created \(person) \"\(name)\" <\(linkEmail)> for \(record.key)")
            } else {
                let why =
                    listSender != nil
                    ? "its name reads \"… via …\": a mailing list's address, not the sender's" : Self.describe(evidence)
                summary.note("\(place): created \(person) \"\(name)\" without email for \(record.key) (\(why))")
            }
        }
        if record.person != nil {
            try ledger.apply(.linkAccount(record.key, from: nil), to: person, line: record.line)
            try ledger.apply(.updateAccount(record.key, from: nil, to: record.fields), to: person, line: record.line)
        } else {
            try ledger.apply(.createAccount(record.key, record.fields), to: person, line: record.line)
        }
        summary.accountsCreated += 1
        if target != nil { summary.note("\(place): \(record.key) linked to \(person) by its email") }
    }

    private mutating func update<Ledger: RosterLedger>(
        _ existing: AccountSnapshot,
        with record: AccountRecord,
        linkEmail: String?,
        place: String,
        ledger: inout Ledger,
        report: (Problem) throws -> Void
    ) throws {
        var changed = false
        if existing.fields != record.fields {
            try ledger.apply(
                .updateAccount(record.key, from: existing.fields, to: record.fields), to: existing.person,
                line: record.line)
            summary.accountsUpdated += 1
            changed = true
            if existing.fields?.active == true, !record.active {
                summary.note("\(place): \(record.key) is now inactive (kept)")
            }
        }
        if let explicit = record.person, explicit != existing.person {
            guard try ledger.person(explicit) != nil else {
                summary.problems += 1
                try report(
                    Problem(
                        line: record.line, column: "person_id", value: explicit.description,
                        problem: "no person has the id \(explicit)", fix: "use an id from the export"))
                return
            }
            try ledger.apply(.linkAccount(record.key, from: existing.person), to: explicit, line: record.line)
            summary.accountsMoved += 1
            summary.note("\(place): \(record.key) moved from \(existing.person) to \(explicit) (explicit edit)")
            return
        }
        let oldEmail = existing.fields.flatMap { fields -> String? in
            if case .address(let a) = EmailEvidence.classify(fields.email, placeholders: placeholders) { return a }
            return nil
        }
        if record.person == nil, let linkEmail, linkEmail != oldEmail {
            let owner = try ledger.owner(ofEmail: linkEmail)
            if let owner, owner != existing.person {
                if existing.pinned {
                    summary.note(
                        "\(place): \(record.key) now has the email of \(owner) but stays with \(existing.person), where a human edit placed it"
                    )
                } else if try (ledger.isBot(owner) ?? false) == record.isBot {
                    try ledger.apply(.relinkAccount(record.key, from: existing.person), to: owner, line: record.line)
                    summary.accountsMoved += 1
                    summary.note(
                        "\(place): \(record.key) moved from \(existing.person) to \(owner): its email changed to one of \(owner)'s"
                    )
                    return
                }
            } else if owner == nil {
                let person = try ledger.person(existing.person)
                if person?.primaryEmail == nil {
                    try ledger.apply(.setPrimaryEmail(linkEmail, previous: nil), to: existing.person, line: record.line)
                } else {
                    try ledger.apply(.addEmail(linkEmail), to: existing.person, line: record.line)
                }
                summary.emailsAdded += 1
                summary.note("\(place): \(existing.person) gets the new email of \(record.key), \(linkEmail)")
                changed = true
            }
        }
        if !changed { summary.accountsUnchanged += 1 }
    }

    static func describe(_ evidence: EmailEvidence) -> String {
        switch evidence {
        case .address: "its email belongs to someone else"
        case .githubLogin(let login): "a GitHub noreply address, evidence of the login \(login)"
        case .placeholder: "a placeholder email that links nobody"
        case .invalid: "its email is not a valid address"
        case .none: "no email"
        }
    }
}
