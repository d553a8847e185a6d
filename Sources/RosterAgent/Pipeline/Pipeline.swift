public import Foundation
public import Logging
public import RosterCore
public import RosterStore

#if canImport(Glibc)
    import Glibc
#endif

/// The ingest pipeline: recognise, parse, validate, reconcile in one transaction, keep the input,
/// report. The one-shot `roster ingest` and the watching agent both drive it.
///
/// Order of effects, chosen so that a crash at any point loses nothing and applies nothing twice:
/// the store commits the file's changes together with its sha256 in the journal; only then are the
/// report written and the input moved to `archive/`. After a crash in between, the input is still
/// in place and its sha256 is in the journal, so it is archived as "already applied".
public final class Pipeline: Sendable {
    public let state: StateLayout
    public let config: RosterConfig
    public let store: any RosterStore
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let maxFileSize: Int

    /// Where a processed input goes.
    public enum Disposition: Sendable {
        /// Move it out of the drop folder into `archive/` or `rejected/`.
        case move
        /// Leave it where it is and keep a copy.
        case copy

        var mode: Disposal.Mode { self == .move ? .move : .copy }
    }

    /// - Parameters:
    ///   - now: The clock, injected for reproducible report names.
    ///   - maxFileSize: The largest input taken, in bytes.
    public init(
        state: StateLayout,
        config: RosterConfig,
        store: any RosterStore,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() },
        maxFileSize: Int = 1 << 30
    ) {
        self.state = state
        self.config = config
        self.store = store
        self.logger = logger
        self.now = now
        self.maxFileSize = maxFileSize
    }

    // MARK: - One file

    /// Processes one file.
    ///
    /// Problems with the file itself (unreadable, wrong kind, bad rows) are an outcome, not an error.
    ///
    /// - Parameter checkpoint: Called before each row; returning false abandons the file (the
    ///   transaction rolls back and ``IngestError/stopped(_:)`` is thrown), so that a stopping agent
    ///   need not finish a long file. Also tells a watchdog that rows are being read.
    /// - Throws: Only failures of the store or the state folder (disk full, permissions), after
    ///   which the input is left where it was, to be processed again.
    public func ingest(
        path: String, disposition: Disposition, checkpoint: () -> Bool = { true }
    ) throws -> FileOutcome {
        let fileName = AtomicFile.split(path).name
        let startedAt = now()
        let clock = ContinuousClock.now
        var logger = self.logger
        logger[metadataKey: "file.name"] = "\(fileName)"

        let input: InputFile
        let sha256: String
        do {
            input = try InputFile(path: path, maxSize: maxFileSize)
            sha256 = try input.sha256()
        } catch let error as FileError {
            logger.warning("Can't read file", metadata: ["error": "\(error)"])
            return try refuse(
                path: path, fileName: fileName, sha256: nil, kind: nil, startedAt: startedAt,
                reason: error.message, problems: [Problem(line: 0, problem: error.message, fix: "")],
                // Gone, unreadable or not a file: nothing to keep, so it is refused where it is.
                disposition: disposition,
                canKeep: error.code != ENOENT && error.code != EACCES && !error.isNotARegularFile
            )
        }

        if let entry = try store.appliedIngest(sha256: sha256) {
            return try alreadyApplied(
                entry, path: path, fileName: fileName, startedAt: startedAt, disposition: disposition, logger: logger)
        }

        // Parse, check and apply in one transaction.
        let reader = CSVReader(source: input.source())
        var problems = ProblemLog(limit: 20)
        let errors = ErrorsFile(folder: state.rejected)
        defer { errors.discard() }
        var recognised: (kind: FileKind, reason: String)?
        var summary = IngestSummary()
        var fileProblem: String?

        let file = IngestFile(
            sha256: sha256, fileName: fileName, kind: "unknown", startedAt: Timestamp.string(startedAt))
        let json = try input.looksLikeJSON()
        let result = try store.apply(file) { ledger in
            func report(_ problem: Problem) throws {
                problems.add(problem)
                try errors.add(problem)
            }
            func reject(_ reason: String, _ problem: Problem) throws -> FileVerdict {
                fileProblem = reason
                try report(problem)
                return .reject(summary)
            }
            if json {
                var source = input.source()
                let bytes = try source.readAll()
                guard source.digest() == sha256 else { throw IngestError.changedWhileReading(path) }
                switch AccountJSON.parse(bytes, instance: config.source(for: fileName)?.integration) {
                case .failure(let problem):
                    return try reject(problem.problem, problem)
                case .success(let parsed):
                    recognised = (.accountsJSON(parsed.kind), parsed.reason)
                    for problem in parsed.problems { try report(problem) }
                    var reconciler = AccountsReconciler(
                        placeholders: config.placeholderEmails, botPatterns: config.botPatterns)
                    let batch = ledger.prefersPrefetch ? LedgerPrefetch.rows : 1
                    for start in stride(from: 0, to: parsed.accounts.count, by: batch) {
                        let accounts = parsed.accounts[start..<min(start + batch, parsed.accounts.count)]
                        if batch > 1 { try reconciler.prefetch(Array(accounts), ledger: &ledger) }
                        for account in accounts {
                            guard checkpoint() else { throw IngestError.stopped(path) }
                            try reconciler.apply(account, ledger: &ledger, report: report)
                        }
                        try ledger.flush()
                    }
                    summary = reconciler.summary
                }
            } else {
                guard let header = try reader.next() else {
                    return try reject(
                        "the file is empty",
                        Problem(line: 0, problem: "the file is empty", fix: "drop a CSV file with a header row"))
                }
                switch FileKind.recognise(csvHeader: header.fields, fileName: fileName, config: config) {
                case .problem(let reason):
                    return try reject(
                        reason,
                        Problem(
                            line: header.line, value: header.fields.prefix(8).joined(separator: ","), problem: reason,
                            fix: FileKind.expectedHeaders))
                case .kind(.usersCSV, _, let reason):
                    recognised = (.usersCSV, reason)
                    var reconciler = UsersCSVReconciler(config: config)
                    try reconciler.run(
                        header: header, reader: reader, ledger: &ledger, report: report,
                        checkpoint: { guard checkpoint() else { throw IngestError.stopped(path) } })
                    summary = reconciler.summary
                case .kind(let kind, _, let reason)
                where kind == .seiDevelopersCSV || kind == .devlakeUsersCSV || kind == .devlakeAccountMappingCSV:
                    recognised = (kind, reason)
                    summary = try NeighbourFormats.apply(
                        kind, header: header, reader: reader, config: config, ledger: &ledger, report: report,
                        checkpoint: { guard checkpoint() else { throw IngestError.stopped(path) } })
                case .kind(.accountsJSON, _, _), .kind(.seiDevelopersCSV, _, _), .kind(.devlakeUsersCSV, _, _),
                    .kind(.devlakeAccountMappingCSV, _, _):
                    // Handled above, or not a CSV kind: recognition never gives these here.
                    return try reject(
                        "the file's kind can't be read as CSV",
                        Problem(line: header.line, problem: "the file's kind can't be read as CSV", fix: ""))
                case .kind(.accountsCSV(let layout), let instance, let reason):
                    recognised = (.accountsCSV(layout), reason)
                    for problem in CSVIssues.problems(for: header, headers: []) { try report(problem) }
                    var reconciler = AccountsReconciler(
                        placeholders: config.placeholderEmails, botPatterns: config.botPatterns)
                    // Read ahead in batches when the ledger looks up faster that way; problems
                    // are still reported in line order.
                    let batch = ledger.prefersPrefetch ? LedgerPrefetch.rows : 1
                    var ahead: [(record: CSVRecord, account: AccountRecord?, problems: [Problem])] = []
                    var done = false
                    while !done {
                        ahead.removeAll(keepingCapacity: true)
                        while ahead.count < batch {
                            guard let record = try reader.next() else {
                                done = true
                                break
                            }
                            if record.fields.allSatisfy({ $0.trimmingWhitespace().isEmpty }), record.issues.isEmpty {
                                continue
                            }
                            let (account, rowProblems) = layout.account(from: record, instance: instance)
                            ahead.append((record, account, rowProblems))
                        }
                        if batch > 1 { try reconciler.prefetch(ahead.compactMap(\.account), ledger: &ledger) }
                        for (record, account, rowProblems) in ahead {
                            guard checkpoint() else { throw IngestError.stopped(path) }
                            for problem in CSVIssues.problems(for: record, headers: layout.headers) {
                                try report(problem)
                            }
                            for problem in rowProblems { try report(problem) }
                            if let account { try reconciler.apply(account, ledger: &ledger, report: report) }
                        }
                        try ledger.flush()
                    }
                    summary = reconciler.summary
                }
                if reader.sawInvalidUTF16 {
                    try report(
                        Problem(
                            line: 0, problem: "the UTF-16 text holds an unpaired surrogate",
                            fix: "save the file as UTF-8 (in Excel: CSV UTF-8)"))
                }
                if reader.source.digest() != sha256 {
                    // The bytes read are not the bytes hashed: someone is still writing the file.
                    throw IngestError.changedWhileReading(path)
                }
            }
            summary.problems = problems.count
            summary.kind = recognised?.kind.name ?? "unknown"
            return problems.count == 0 ? .apply(summary) : .reject(summary)
        }

        switch result {
        case .alreadyApplied(let entry):
            return try alreadyApplied(
                entry, path: path, fileName: fileName, startedAt: startedAt, disposition: disposition, logger: logger)
        case .rejected:
            let reason = fileProblem ?? "\(problems.count) \(problems.count == 1 ? "problem" : "problems")"
            logger.warning("Rejected file", metadata: ["problems": "\(problems.count)"])
            return try refuse(
                path: path, fileName: fileName, sha256: sha256, kind: recognised, startedAt: startedAt,
                reason: reason, problems: problems.first, problemCount: problems.count, errors: errors,
                summary: summary, disposition: disposition, canKeep: true)
        case .applied:
            let kept = try Disposal.place(path, named: fileName, into: state.archive, mode: disposition.mode)
            var outcome = FileOutcome(
                fileName: fileName, status: .applied(summary), kind: recognised?.kind, keptAt: kept)
            outcome.reportFile = try writeReport(
                outcome, sha256: sha256, recognised: recognised, startedAt: startedAt, problems: [])
            logger.info(
                "Applied file",
                metadata: [
                    "rows": "\(summary.rows)", "people.created": "\(summary.peopleCreated)",
                    "people.updated": "\(summary.peopleUpdated)",
                    "seconds": "\(LogTime.seconds(since: clock))",
                ])
            return outcome
        }
    }

    private func alreadyApplied(
        _ entry: JournalEntry, path: String, fileName: String, startedAt: Date, disposition: Disposition, logger: Logger
    ) throws -> FileOutcome {
        // A copy was kept when it was applied; only an inbox file needs to leave.
        let kept =
            disposition == .move ? try Disposal.place(path, named: fileName, into: state.archive, mode: .move) : nil
        var outcome = FileOutcome(fileName: fileName, status: .alreadyApplied(entry), kind: nil, keptAt: kept)
        outcome.reportFile = try writeReport(
            outcome, sha256: entry.sha256, recognised: nil, startedAt: startedAt, problems: [])
        logger.info("File already applied", metadata: ["ingest.id": "\(entry.id)"])
        return outcome
    }

    private func refuse(
        path: String, fileName: String, sha256: String?, kind: (kind: FileKind, reason: String)?, startedAt: Date,
        reason: String, problems: [Problem], problemCount: Int? = nil, errors: ErrorsFile? = nil,
        summary: IngestSummary = IngestSummary(), disposition: Disposition, canKeep: Bool
    ) throws -> FileOutcome {
        var outcome = FileOutcome(
            fileName: fileName, status: .rejected(reason: reason, problems: problemCount ?? problems.count),
            kind: kind?.kind)
        if canKeep {
            let kept = try Disposal.place(path, named: fileName, into: state.rejected, mode: disposition.mode)
            outcome.keptAt = kept
            let errorsPath = kept + ".errors.csv"
            if let errors {
                try errors.commit(to: errorsPath)
            } else {
                try AtomicFile.write(errorsPath) { writer in
                    var csv = CSVWriter { try writer.write($0) }
                    try csv.write(Problem.csvHeader)
                    for problem in problems { try csv.write(problem.csvFields) }
                    try csv.flush()
                }
            }
            outcome.errorsFile = errorsPath
        }
        if let sha256 {
            var summary = summary
            summary.problems = problemCount ?? problems.count
            try store.recordRejection(
                IngestFile(
                    sha256: sha256, fileName: fileName, kind: kind?.kind.name ?? "unknown",
                    startedAt: Timestamp.string(startedAt)),
                summary: summary)
        }
        outcome.reportFile = try writeReport(
            outcome, sha256: sha256, recognised: kind, startedAt: startedAt, problems: problems)
        return outcome
    }

    // MARK: - Outputs

    /// Rewrites `exports/users.csv` and `exports/accounts.csv` from the store, the org units'
    /// member lists where they changed, then applies edited proposal decisions and refreshes the
    /// merge proposals.
    ///
    /// - Parameter checkpoint: Asked now and then during the proposals pass; returning false
    ///   abandons it with ``MatchingStopped``, leaving the proposals as they were (the exports are
    ///   written already).
    public func refreshOutputs(checkpoint: () -> Bool = { true }) throws {
        // The exports first: they are what most readers wait for, and the proposals pass is the
        // slower part on a large roster.
        try writeExportsAndOrgUnits()
        // Only the files the refresh would rewrite or close are looked at for edits: a `stat` of
        // every file was a third of a refresh after 1,000 rows at 241,522 proposals. Edits
        // elsewhere are the agent's look at the folder's, or `roster proposals refresh`'s.
        let refresh = try ProposalDesk(
            state: state, store: store, placeholders: config.placeholderEmails, logger: logger
        )
        .refresh(readingEveryFile: false, checkpoint: checkpoint)
        // An edited file the pass would have rewritten had its decision applied first: the
        // merges it made are not in the exports just written.
        if !refresh.decided.isEmpty { try writeExportsAndOrgUnits() }
    }

    private func writeExportsAndOrgUnits() throws {
        let clock = ContinuousClock.now
        let mode = try ExportRefresh.refresh(store: store, config: config, state: state)
        var metadata: Logger.Metadata = ["exports.mode": "\(mode)", "seconds": "\(LogTime.seconds(since: clock))"]
        switch mode {
        case .patched(let people): metadata["people"] = "\(people)"
        case .whole(let reason): metadata["exports.reason"] = "\(reason)"
        }
        logger.info("Wrote the users and accounts exports", metadata: metadata)
        let started = ContinuousClock.now
        let units = try OrgUnitsExport.refresh(store: store, config: config, state: state)
        if !config.orgUnits.isEmpty || !units.written.isEmpty {
            var metadata: Logger.Metadata = [
                "org_units.mode": "incremental", "people": "\(units.people)",
                "files.written": "\(units.written.count)",
                "seconds": "\(LogTime.seconds(since: started))",
            ]
            if case .full(let reason) = units.mode {
                metadata["org_units.mode"] = "full"
                metadata["org_units.reason"] = "\(reason)"
            }
            logger.info("Refreshed org units", metadata: metadata)
        }
    }

    private func writeReport(
        _ outcome: FileOutcome, sha256: String?, recognised: (kind: FileKind, reason: String)?, startedAt: Date,
        problems: [Problem]
    ) throws -> String {
        let stamp = Self.reportStamp(startedAt)
        let name = Disposal.safeName("\(stamp)-\(outcome.fileName).txt")
        var text = "Roster ingest report\n\n"
        text += "File:       \(outcome.fileName)\n"
        if let sha256 { text += "SHA-256:    \(sha256)\n" }
        text += "Processed:  \(Timestamp.string(startedAt))\n"
        if let recognised { text += "Kind:       \(recognised.kind.title) (\(recognised.reason))\n" }
        switch outcome.status {
        case .applied(let s):
            text += "Outcome:    applied\n"
            if let kept = outcome.keptAt { text += "Kept at:    \(kept)\n" }
            text += "\nRows: \(s.rows). People created: \(s.peopleCreated), updated: \(s.peopleUpdated), "
            text += "unchanged: \(s.peopleUnchanged). Emails added: \(s.emailsAdded). "
            text +=
                "Accounts added: \(s.accountsCreated), updated: \(s.accountsUpdated), moved: \(s.accountsMoved), "
                + "unchanged: \(s.accountsUnchanged). Attribute values changed: \(s.attributesChanged).\n"
            if !s.details.isEmpty {
                text += "\nChanges:\n" + s.details.map { "  \($0)\n" }.joined()
                if s.detailsOmitted > 0 {
                    text += "  … and \(s.detailsOmitted) more (run `roster explain` on a person for the full history)\n"
                }
            } else {
                text += "\nNothing changed: the roster already held all of it.\n"
            }
        case .alreadyApplied(let entry):
            text += "Outcome:    already applied, nothing changed\n"
            text += "\nThe same content was applied as \(entry.fileName) at \(entry.finishedAt).\n"
            if let kept = outcome.keptAt { text += "Kept at:    \(kept)\n" }
        case .rejected(let reason, let count):
            text += "Outcome:    rejected (\(reason)); the roster was not changed\n"
            if let kept = outcome.keptAt { text += "Kept at:    \(kept)\n" }
            if let errors = outcome.errorsFile { text += "Problems:   \(errors) (\(count) in all)\n" }
            if !problems.isEmpty {
                text += "\nFirst problems:\n" + problems.map { "  \($0)\n" }.joined()
            }
            text += "\nFix the file and drop it again; nothing from it was applied.\n"
        }
        let path = try uniquePath(in: state.reports, name: name)
        try AtomicFile.write(path, bytes: Array(text.utf8))
        return path
    }

    private func uniquePath(in folder: String, name: String) throws -> String {
        for attempt in 1... {
            let path = "\(folder)/\(Disposal.numbered(name, attempt))"
            if access(path, F_OK) != 0 { return path }
        }
        fatalError("unreachable")
    }

    /// `20261122T104512Z`.
    static func reportStamp(_ date: Date) -> String {
        Timestamp.string(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
}

/// Failures of processing that leave the input in place to be tried again.
public enum IngestError: Error, CustomStringConvertible {
    case changedWhileReading(String)
    /// Processing was abandoned because the agent is stopping; nothing was applied.
    case stopped(String)

    public var description: String {
        switch self {
        case .changedWhileReading(let path):
            "'\(path)' changed while it was read; nothing was applied. Write files elsewhere and move them in when complete."
        case .stopped(let path):
            "'\(path)' was left unprocessed because Roster is stopping; it will be taken at the next start."
        }
    }
}

/// The first problems of a file, kept for the report and the terminal, and their count.
struct ProblemLog {
    let limit: Int
    private(set) var first: [Problem] = []
    private(set) var count = 0

    init(limit: Int) {
        self.limit = limit
    }

    mutating func add(_ problem: Problem) {
        count += 1
        if first.count < limit { first.append(problem) }
    }
}
