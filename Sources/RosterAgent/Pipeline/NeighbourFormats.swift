import RosterCore

/// Applies the files of neighbouring tools (SEI developers, DevLake users and account mappings)
/// inside the pipeline's transaction, like a users CSV.
enum NeighbourFormats {
    static func apply<Source>(
        _ kind: FileKind, header: CSVRecord, reader: CSVReader<Source>, config: RosterConfig,
        ledger: inout any RosterLedger, report: (Problem) throws -> Void, checkpoint: () throws -> Void
    ) throws -> IngestSummary {
        switch kind {
        case .seiDevelopersCSV:
            var reconciler = SEIDevelopersReconciler(config: config)
            if try reconciler.header(header, report: report) {
                while let record = try reader.next() {
                    try checkpoint()
                    try reconciler.row(record, ledger: &ledger, report: report)
                }
                try reconciler.finish(ledger: ledger, report: report)
            }
            return reconciler.summary
        case .devlakeUsersCSV:
            var reconciler = DevLakeUsersReconciler(config: config)
            if try reconciler.header(header, report: report) {
                while let record = try reader.next() {
                    try checkpoint()
                    try reconciler.row(record, ledger: &ledger, report: report)
                }
                try reconciler.finish(ledger: ledger, report: report)
            }
            return reconciler.summary
        case .devlakeAccountMappingCSV:
            var reconciler = DevLakeAccountMappingReconciler()
            if try reconciler.header(header, report: report) {
                while let record = try reader.next() {
                    try checkpoint()
                    try reconciler.row(record, ledger: &ledger, report: report)
                }
            }
            return reconciler.summary
        default:
            preconditionFailure("not a neighbouring tool's format: \(kind.name)")
        }
    }
}
