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
}

extension RowReconciler {
    public mutating func finish(ledger: some RosterLedger, report: (Problem) throws -> Void) throws {}

    /// Reads the header, then every record of `reader`, then finishes.
    ///
    /// - Parameter checkpoint: Called before each record; throws to abandon the file.
    public mutating func run<Source, Ledger: RosterLedger>(
        header: CSVRecord, reader: CSVReader<Source>, ledger: inout Ledger, report: (Problem) throws -> Void,
        checkpoint: () throws -> Void
    ) throws {
        guard try self.header(header, report: report) else { return }
        while let record = try reader.next() {
            try checkpoint()
            try row(record, ledger: &ledger, report: report)
        }
        try finish(ledger: ledger, report: report)
    }
}

extension UsersCSVReconciler: RowReconciler {}
extension SEIDevelopersReconciler: RowReconciler {}
extension DevLakeUsersReconciler: RowReconciler {}
extension DevLakeAccountMappingReconciler: RowReconciler {}
