import Foundation
import GRDB
import Logging
import RosterAgent
import RosterCore
import RosterStore
import Testing

@Suite("Org unit member lists: written atomically, and only when their content changes")
struct OrgUnitsExportTests {
    static let config = """
        [[attributes]]
        key = "team"

        [[org_units]]
        name = "payments"
        [[org_units.filters]]
        field = "team"
        operator = "equals"
        value = "Payments"

        [[org_units]]
        name = "everyone-else"
        [[org_units.filters]]
        field = "team"
        operator = "not_equals"
        value = "Payments"
        """

    @Test func memberFilesAreRewrittenOnlyWhenTheyChange() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("roster-ou-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let state = StateLayout(root: root + "/state")
        try state.prepare()
        let config = try ConfigLoader.parse(Self.config)
        let store = try SQLiteStore(path: state.database)
        let pipeline = Pipeline(
            state: state, config: config, store: store,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        func drop(_ name: String, _ text: String) throws {
            let path = root + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            _ = try pipeline.ingest(path: path, disposition: .move)
        }

        try drop("a.csv", "full_name,email,team\nAnn,ann@example.com,Payments\nBob,bob@example.com,=Platform\n")
        var written = try OrgUnitsExport.refresh(store: store, config: config, state: state).written
        #expect(written.count == 3)
        let payments = state.orgUnitsFolder + "/payments.csv"
        let others = state.orgUnitsFolder + "/everyone-else.csv"
        #expect(
            try String(contentsOfFile: payments, encoding: .utf8)
                == "id,full_name,email,team\nU-000001,Ann,ann@example.com,Payments\n")
        #expect(
            try String(contentsOfFile: others, encoding: .utf8)
                == "id,full_name,email,team\nU-000002,Bob,bob@example.com,'=Platform\n",
            "formula cells are neutralised")
        #expect(
            try String(contentsOfFile: state.orgUnitsIndex, encoding: .utf8)
                == "unit,person_id\npayments,U-000001\neveryone-else,U-000002\n")

        written = try OrgUnitsExport.refresh(store: store, config: config, state: state).written
        #expect(written.isEmpty, "nothing changed, nothing written")

        try drop("b.csv", "full_name,email,team\nCy,cy@example.com,Mobile\n")
        written = try OrgUnitsExport.refresh(store: store, config: config, state: state).written
        #expect(written == [others, state.orgUnitsIndex])

        // A unit that leaves the config leaves the folder.
        var fewer = config
        fewer.orgUnits.removeLast()
        try OrgUnitsExport.refresh(store: store, config: fewer, state: state)
        #expect(!FileManager.default.fileExists(atPath: others))
        #expect(FileManager.default.fileExists(atPath: payments))
    }
}
