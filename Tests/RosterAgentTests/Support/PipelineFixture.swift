import Foundation
import GRDB
import Logging
import RosterAgent
import RosterCore
import RosterStore

/// A state folder in a fresh temporary folder, a store and a pipeline over it, for suites that run
/// files through the pipeline. The suite removes `root` when a test ends.
struct PipelineFixture {
    let root: String
    let state: StateLayout
    let store: SQLiteStore
    let pipeline: Pipeline
    let desk: ProposalDesk

    /// - Parameters:
    ///   - label: The start of the temporary folder's name.
    ///   - inMemory: An in-memory store, for tests that run many transactions and don't check
    ///     durability; otherwise `state/roster.sqlite`.
    init(_ label: String, inMemory: Bool = false) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        state = StateLayout(root: root + "/state")
        try state.prepare()
        store = inMemory ? try SQLiteStore(writer: DatabaseQueue()) : try SQLiteStore(path: state.database)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        pipeline = Pipeline(state: state, config: RosterConfig(), store: store, logger: logger)
        desk = ProposalDesk(state: state, store: store, placeholders: [], logger: logger)
    }
}
