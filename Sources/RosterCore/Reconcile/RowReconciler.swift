/// What the reconcilers of row-by-row CSV inputs have in common: read the header, then every
/// record, then check what needs the whole file; the pipeline drives them all the same way.
public protocol RowReconciler {
    var summary: IngestSummary { get }
    /// Reads the header; false when the rows can't be read (its problems went to `report`).
    mutating func header(_ record: CSVRecord, report: (Problem) throws -> Void) throws -> Bool
    /// Checks one record and applies it when it has no problem.
    mutating func row<Ledger: RosterLedger>(
        _ record: CSVRecord, ledger: inout Ledger, report: (Problem) throws -> Void) throws
    /// Checks what needs every row, such as manager chains; nothing by default.
    mutating func finish(ledger: some RosterLedger, report: (Problem) throws -> Void) throws
    /// Tells the ledger the lookups of these records, about to come one by one to
    /// ``row(_:ledger:report:)`` (``RosterLedger/prefetch(emails:accounts:)``); nothing by default.
    mutating func prefetch<Ledger: RosterLedger>(_ records: [CSVRecord], ledger: inout Ledger) throws

    /// What ``checker`` finds in one record.
    associatedtype Checked: Sendable = Void
    /// Checks a record without the ledger, once the header is read: ``run(header:reader:ledger:report:checkpoint:)``
    /// calls it on another thread for the records ahead and hands each result to
    /// ``take(_:line:)`` before the record's ``row(_:ledger:report:)``. Nil (the default): no such work.
    var checker: (@Sendable (CSVRecord) -> Checked)? { get }
    /// Keeps what ``checker`` found in the record of `line`, for its ``row(_:ledger:report:)``.
    mutating func take(_ checked: Checked, line: Int)
}

extension RowReconciler {
    public mutating func finish(ledger: some RosterLedger, report: (Problem) throws -> Void) throws {}

    public mutating func prefetch<Ledger: RosterLedger>(_ records: [CSVRecord], ledger: inout Ledger) throws {}

    public var checker: (@Sendable (CSVRecord) -> Checked)? { nil }

    public mutating func take(_ checked: Checked, line: Int) {}

    /// Reads the header, then every record of `reader`, then finishes.
    ///
    /// - Parameter checkpoint: Called before each record; throws to abandon the file.
    public mutating func run<Source, Ledger: RosterLedger>(
        header: CSVRecord, reader: CSVReader<Source>, ledger: inout Ledger, report: (Problem) throws -> Void,
        checkpoint: () throws -> Void
    ) throws {
        guard try self.header(header, report: report) else { return }
        if ledger.prefersPrefetch {
            var batch: [CSVRecord] = []
            while true {
                batch.removeAll(keepingCapacity: true)
                while batch.count < LedgerPrefetch.rows, let record = try reader.next() { batch.append(record) }
                if batch.isEmpty { break }
                try prefetch(batch, ledger: &ledger)
                for record in batch {
                    try checkpoint()
                    try row(record, ledger: &ledger, report: report)
                }
                try ledger.flush()
            }
        } else if let checker {
            // Read and checked on another thread, a few batches ahead.
            let ahead = RecordsAhead(reader: reader, check: checker)
            defer { ahead.finish() }
            while let batch = try ahead.next() {
                for (record, checked) in batch {
                    try checkpoint()
                    take(checked, line: record.line)
                    try row(record, ledger: &ledger, report: report)
                }
            }
        } else {
            while let record = try reader.next() {
                try checkpoint()
                try row(record, ledger: &ledger, report: report)
            }
        }
        try finish(ledger: ledger, report: report)
    }
}

extension UsersCSVReconciler: RowReconciler {}
extension SEIDevelopersReconciler: RowReconciler {}
extension DevLakeUsersReconciler: RowReconciler {}
extension DevLakeAccountMappingReconciler: RowReconciler {}
