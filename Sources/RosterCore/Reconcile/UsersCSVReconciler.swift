/// Applies the rows of a users CSV to the roster, by the rules of DESIGN.md.
///
/// A row is keyed by `id` when given, else by its email. It sets the name and attributes, adds
/// emails, links the listed accounts (moving them from another person: an explicit edit wins) and
/// never deletes what it does not mention. An email is never moved between people by a users CSV:
/// a row whose email belongs to someone else is an error, to be settled by a merge.
///
/// Feed it the header, then every record; it applies each good row through the ledger before the
/// next one, and reports problems through the sink. A file with any problem must be rolled back by
/// the caller: the reconciler keeps going after a problem only to find the others.
public struct UsersCSVReconciler {
    public private(set) var summary = IngestSummary()
    private let config: RosterConfig
    private var layout: UsersCSVLayout?
    /// The line that last set each person, to find a person given twice in one file.
    private var touched: [PersonID: Int] = [:]
    /// The line and person that each account was given to in this file.
    private var linked: [AccountKey: (line: Int, person: PersonID)] = [:]
    /// The managers this file sets, checked once every row is in.
    private var managers = ManagerCheck()
    /// Rows parsed ahead by ``prefetch(_:ledger:)``, by line, for ``row(_:ledger:report:)``.
    private(set) var parsedAhead: [Int: (row: UsersRow?, problems: [Problem])] = [:]

    public init(config: RosterConfig) {
        self.config = config
    }

    /// Reads the header record.
    ///
    /// - Returns: Whether the rows can be read; problems with the header went to `report` either way.
    public mutating func header(_ record: CSVRecord, report: (Problem) throws -> Void) rethrows -> Bool {
        let byteProblems = CSVIssues.problems(for: record, headers: [])
        summary.problems += byteProblems.count
        for problem in byteProblems { try report(problem) }
        let (layout, problems) = UsersCSVLayout.parse(header: record.fields, line: record.line, config: config)
        self.layout = layout
        summary.problems += problems.count
        for problem in problems { try report(problem) }
        return layout != nil
    }

    /// Checks one data record and applies it when it has no problem.
    public mutating func row<Ledger: RosterLedger>(
        _ record: CSVRecord,
        ledger: inout Ledger,
        report: (Problem) throws -> Void
    ) throws {
        guard let layout else { preconditionFailure("header(_:report:) must succeed before row(_:ledger:report:)") }
        // Taken out first, blank rows' too: what is parsed ahead is held only until its row comes.
        let ahead = parsedAhead.removeValue(forKey: record.line)
        if record.fields.allSatisfy({ $0.trimmingWhitespace().isEmpty }), record.issues.isEmpty { return }
        summary.rows += 1
        var problems = CSVIssues.problems(for: record, headers: layout.headers)
        let (parsed, rowProblems) = ahead ?? layout.row(from: record)
        problems += rowProblems
        if let parsed {
            try reconcile(parsed, ledger: &ledger, problems: &problems)
        }
        summary.problems += problems.count
        for problem in problems { try report(problem) }
    }

    public var checker: (@Sendable (CSVRecord) -> (row: UsersRow?, problems: [Problem]))? {
        guard let layout else { return nil }
        return { record in layout.row(from: record) }
    }

    public mutating func take(_ checked: (row: UsersRow?, problems: [Problem]), line: Int) {
        parsedAhead[line] = checked
    }

    /// Parses the records ahead and has the ledger look up their emails and accounts in one go.
    public mutating func prefetch<Ledger: RosterLedger>(_ records: [CSVRecord], ledger: inout Ledger) throws {
        guard let layout else { return }
        parsedAhead.removeAll(keepingCapacity: true)
        var emails: [String] = []
        var accounts: [AccountKey] = []
        for record in records {
            let parsed = layout.row(from: record)
            parsedAhead[record.line] = parsed
            guard let row = parsed.row else { continue }
            emails.append(row.email)
            emails += row.otherEmails
            accounts += row.accounts.map(\.0)
        }
        try ledger.prefetch(emails: emails, accounts: accounts)
    }

    private mutating func reconcile<Ledger: RosterLedger>(
        _ row: UsersRow,
        ledger: inout Ledger,
        problems: inout [Problem]
    ) throws {
        let line = row.line
        let emailColumn = layout!.headers[layout!.email]

        // Who is this row about?
        var existing: PersonSnapshot?
        if let given = row.id {
            let idColumn = layout!.headers[layout!.id!]
            guard let person = try ledger.person(given) else {
                problems.append(
                    Problem(
                        line: line, column: idColumn, value: given.description,
                        problem: "no person has the id \(given)",
                        fix: "leave id empty to add a new person, or take the id from a current users export"))
                return
            }
            // A merged person's id resolves to the person it was merged into.
            let id = person.id
            if let earlier = touched[id] {
                let named = id == given ? "\(id)" : "\(given) (merged into \(id))"
                problems.append(
                    Problem(
                        line: line, column: idColumn, value: given.description,
                        problem: "\(named) is already given on line \(earlier)",
                        fix: "keep one row per person: merge the two rows"))
                return
            }
            if let owner = try ledger.owner(ofEmail: row.email), owner != id {
                problems.append(emailConflict(row.email, owner: owner, line: line, column: emailColumn, target: id))
                return
            }
            if id != given { summary.note("line \(line): \(given) was merged into \(id); the row applies to \(id)") }
            existing = person
        } else if let owner = try ledger.owner(ofEmail: row.email) {
            if let earlier = touched[owner] {
                problems.append(
                    Problem(
                        line: line, column: emailColumn, value: row.email,
                        problem: "the same person (\(owner)) is already given on line \(earlier)",
                        fix: "keep one row per person: merge the two rows, or give this person another email"))
                return
            }
            existing = try ledger.person(owner)
        }

        // Check the emails and accounts before changing anything.
        let targetID = existing?.id
        var newEmails: [String] = []
        for address in row.otherEmails {
            guard let owner = try ledger.owner(ofEmail: address) else {
                newEmails.append(address)
                continue
            }
            if owner != targetID {
                let column = layout!.otherEmails.map { layout!.headers[$0] } ?? "other_emails"
                problems.append(emailConflict(address, owner: owner, line: line, column: column, target: targetID))
            }
        }
        var accountChanges: [(AccountKey, AccountSnapshot?)] = []
        for (key, column) in row.accounts {
            if let earlier = linked[key] {
                problems.append(
                    Problem(
                        line: line, column: column, value: key.accountID,
                        problem: "the account \(key) is also given on line \(earlier.line)",
                        fix: "give each account to one person only"))
                continue
            }
            let account = try ledger.account(key)
            if let account, account.person == targetID { continue }
            accountChanges.append((key, account))
        }

        // Apply.
        let person: PersonID
        var changed = false
        if let existing {
            person = existing.id
            if existing.name != row.name {
                try ledger.apply(.rename(from: existing.name, to: row.name), to: person, line: line)
                summary.note("line \(line): \(person) renamed from \"\(existing.name)\" to \"\(row.name)\"")
                changed = true
            }
            if existing.primaryEmail != row.email {
                try ledger.apply(.setPrimaryEmail(row.email, previous: existing.primaryEmail), to: person, line: line)
                if !existing.otherEmails.contains(row.email) { summary.emailsAdded += 1 }
                let before = existing.primaryEmail.map { " (was \($0), kept as another email)" } ?? ""
                summary.note("line \(line): \(person) primary email set to \(row.email)\(before)")
                changed = true
            }
        } else {
            person = try ledger.createPerson(name: row.name, primaryEmail: row.email, isBot: false, line: line)
            summary.peopleCreated += 1
            summary.emailsAdded += 1
            summary.note("line \(line): created \(person) \"\(row.name)\" <\(row.email)>")
        }
        for address in newEmails {
            try ledger.apply(.addEmail(address), to: person, line: line)
            summary.emailsAdded += 1
            summary.note("line \(line): \(person) email \(address) added")
            changed = true
        }
        for (key, account) in accountChanges {
            try ledger.apply(.linkAccount(key, from: account?.person), to: person, line: line)
            if let from = account?.person {
                summary.accountsMoved += 1
                summary.note("line \(line): account \(key) moved from \(from) to \(person) (explicit edit)")
            } else {
                summary.accountsCreated += 1
                summary.note("line \(line): account \(key) added to \(person)")
            }
            changed = true
            linked[key] = (line, person)
        }
        for (key, value, _) in row.attributes {
            let before = existing?.attributes[key]
            guard before != value else { continue }
            try ledger.apply(.setAttribute(key: key, from: before, to: value), to: person, line: line)
            summary.attributesChanged += 1
            summary.note(
                "line \(line): \(person) \(key) set to \(value.map { "\"\($0)\"" } ?? "nothing") (was \(before.map { "\"\($0)\"" } ?? "nothing"))"
            )
            changed = true
        }
        for (key, value, column) in row.attributes where key == AttributeDefinition.manager.key {
            if let value { managers.note(person: person, manager: value, line: line, column: column) }
        }
        for (key, _) in row.accounts where linked[key] == nil {
            linked[key] = (line, person)
        }
        if existing != nil {
            if changed { summary.peopleUpdated += 1 } else { summary.peopleUnchanged += 1 }
        }
        touched[person] = line
    }

    /// Checks what can only be checked once every row is applied: that each manager set by the
    /// file is a person and that no manager chain loops. Call it inside the file's transaction.
    public mutating func finish(ledger: some RosterLedger, report: (Problem) throws -> Void) throws {
        let problems = try managers.problems(ledger: ledger)
        summary.problems += problems.count
        for problem in problems { try report(problem) }
    }

    private func emailConflict(_ address: String, owner: PersonID, line: Int, column: String, target: PersonID?)
        -> Problem
    {
        if let earlier = touched[owner] {
            return Problem(
                line: line, column: column, value: address,
                problem: "\(address) is already given to \(owner) on line \(earlier)",
                fix: "an email belongs to one person: remove it from one of the two rows")
        }
        return Problem(
            line: line, column: column, value: address,
            problem: "\(address) belongs to another person, \(owner)",
            fix: target == nil
                ? "to change that person, put \(owner) in the id column; if they are the same person, merge them first"
                : "an email belongs to one person: if they are the same person, merge them first; otherwise remove it here"
        )
    }
}

/// Turns the reader's byte-level findings into problems.
public enum CSVIssues {
    public static func problems(for record: CSVRecord, headers: [String]) -> [Problem] {
        record.issues.map { issue in
            let column = issue.field.map { $0 < headers.count ? headers[$0] : "column \($0 + 1)" } ?? ""
            switch issue.kind {
            case .invalidUTF8:
                let at = issue.byteOffset.map { " at byte offset \($0)" } ?? ""
                return Problem(
                    line: record.line, column: column,
                    problem: "the text is not valid UTF-8\(at)",
                    fix: "save the file as UTF-8 (in Excel: CSV UTF-8)")
            case .unterminatedQuote:
                return Problem(
                    line: record.line, column: column,
                    problem: "a quoted value opened on this line is never closed",
                    fix: "add the closing double quote; a quote inside a quoted value is written twice (\"\")")
            case .recordTooLarge(let limit):
                return Problem(
                    line: record.line, column: column,
                    problem: "the row is longer than \(limit) bytes",
                    fix: "check for a missing closing quote that swallows the rest of the file")
            case .tooManyFields(let limit):
                return Problem(
                    line: record.line, column: column,
                    problem: "the row has more than \(limit) columns",
                    fix: "check the delimiter: Roster reads comma-separated values")
            case .invalidUTF16:
                return Problem(
                    line: record.line, problem: "the UTF-16 text holds an unpaired surrogate",
                    fix: "save the file as UTF-8 (in Excel: CSV UTF-8)")
            }
        }
    }
}
