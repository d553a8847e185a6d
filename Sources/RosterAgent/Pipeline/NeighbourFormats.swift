import RosterCore

/// Applies the files of neighbouring tools (SEI developers, DevLake users and account mappings)
/// inside the pipeline's transaction, like a users CSV.
enum NeighbourFormats {
    static func apply<Source>(
        _ kind: FileKind, header: CSVRecord, reader: CSVReader<Source>, config: RosterConfig,
        ledger: inout any RosterLedger, report: (Problem) throws -> Void, checkpoint: () throws -> Void
    ) throws -> IngestSummary {
        func run(_ reconciler: some RowReconciler) throws -> IngestSummary {
            var reconciler = reconciler
            try reconciler.run(header: header, reader: reader, ledger: &ledger, report: report, checkpoint: checkpoint)
            return reconciler.summary
        }
        switch kind {
        case .seiDevelopersCSV:
            return try run(SEIDevelopersReconciler(config: config))
        case .devlakeUsersCSV:
            return try run(DevLakeUsersReconciler(config: config))
        case .devlakeAccountMappingCSV:
            return try run(DevLakeAccountMappingReconciler())
        default:
            preconditionFailure("not a neighbouring tool's format: \(kind.name)")
        }
    }
}
