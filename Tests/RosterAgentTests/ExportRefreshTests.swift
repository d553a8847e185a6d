import Foundation
import Logging
import RosterCore
import RosterStore
import Testing

@testable import RosterAgent

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The users and accounts exports patched after a change: the same bytes as written whole")
struct ExportRefreshTests {
    static let config = """
        [[attributes]]
        key = "team"
        """

    /// A state folder, a real SQLite store and a pipeline over them.
    final class Fixture {
        let root: String
        let state: StateLayout
        let config: RosterConfig
        let store: SQLiteStore
        let pipeline: Pipeline
        private var drops = 0

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("roster-exr-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            state = StateLayout(root: root + "/state")
            try state.prepare()
            config = try ConfigLoader.parse(ExportRefreshTests.config)
            store = try SQLiteStore(path: state.database)
            pipeline = Pipeline(
                state: state, config: config, store: store,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }

        deinit {
            try? FileManager.default.removeItem(atPath: root)
        }

        /// Applies a users CSV, or an accounts file named after its integration.
        func drop(_ text: String, name: String = "users.csv") throws {
            drops += 1
            let path = "\(root)/\(drops)-\(name)"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let outcome = try pipeline.ingest(path: path, disposition: .move)
            guard case .applied = outcome.status else {
                Issue.record("not applied: \(outcome.line)")
                return
            }
        }

        @discardableResult
        func refresh(_ state: StateLayout? = nil) throws -> ExportRefresh.Mode {
            try ExportRefresh.refresh(store: store, config: config, state: state ?? self.state)
        }

        /// Another state folder on the same store, as a second agent on a shared store has.
        func otherState() throws -> StateLayout {
            let other = StateLayout(root: "\(root)/other-\(UUID().uuidString)")
            try other.prepare()
            return other
        }

        func users() throws -> String { try String(contentsOfFile: state.usersExport, encoding: .utf8) }
        func accounts() throws -> String { try String(contentsOfFile: state.accountsExport, encoding: .utf8) }

        /// Checks that both files hold exactly what writing them whole from the store gives.
        func expectSameAsWhole(sourceLocation: SourceLocation = #_sourceLocation) throws {
            var users: [UInt8] = []
            try UsersExport.write(store: store, config: config) { users += $0 }
            var accounts: [UInt8] = []
            try AccountsExport.write(store: store) { accounts += $0 }
            #expect(try self.users() == String(decoding: users, as: UTF8.self), sourceLocation: sourceLocation)
            #expect(try self.accounts() == String(decoding: accounts, as: UTF8.self), sourceLocation: sourceLocation)
        }

        /// The inode of a file: a new one means it was replaced.
        func inode(_ path: String) -> UInt64 {
            var info = stat()
            return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
        }
    }

    static let people = """
        full_name,email,team,integration:github,integration:jira
        Ann,ann@example.com,Payments,ann-gh,
        Bob,bob@example.com,Payments,,BOB-1
        Cy,cy@example.com,Platform,"=cy;cy2",
        Dee,dee@example.com,Mobile,,

        """

    @Test func changesArePatchedInAndGiveTheBytesOfAWholeWrite() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        #expect(try fixture.refresh() == .whole(reason: "no export was recorded yet"))
        try fixture.expectSameAsWhole()

        // Nothing changed: neither file is replaced.
        let inodes = [fixture.inode(fixture.state.usersExport), fixture.inode(fixture.state.accountsExport)]
        #expect(try fixture.refresh() == .patched(people: 0))
        #expect([fixture.inode(fixture.state.usersExport), fixture.inode(fixture.state.accountsExport)] == inodes)

        // A rename and a new primary email; an attribute edit.
        try fixture.drop("id,full_name,email,other_emails\nU-000001,Ann Smith,ann@corp.example.com,ann@example.com\n")
        try fixture.drop("full_name,email,team\nDee,dee@example.com,\"Payments, EU\"\n")
        #expect(try fixture.refresh() == .patched(people: 2))
        #expect(
            try fixture.users().contains("U-000001,Ann Smith,ann@corp.example.com,ann@example.com,ann-gh,,Payments"))
        try fixture.expectSameAsWhole()

        // Accounts whose ids and names need quoting or the formula guard, for new people and old,
        // and one moved from Bob to Dee by an explicit edit.
        try fixture.drop(
            """
            integration,account_id,login,display_name,email
            github,+eve,eve,"Eve, ""the"" Second",eve@example.com
            github,'=odd,odd,"Two
            lines",ann@corp.example.com
            github,a-first,first,First,first@example.com
            jira,zz-last,last,Last,

            """, name: "github.csv")
        try fixture.drop("full_name,email,integration:jira\nDee,dee@example.com,BOB-1\n")
        guard case .patched = try fixture.refresh() else {
            Issue.record("not patched")
            return
        }
        #expect(try fixture.accounts().contains("jira,BOB-1,,,,U-000004,active,false"))
        try fixture.expectSameAsWhole()

        // A merge and its undoing.
        let sync = try fixture.store.syncProposals(
            [
                ProposalDraft(
                    people: [PersonID(1), PersonID(2)], survivor: PersonID(1), confidence: 0.9, evidence: [], flags: [])
            ],
            scope: nil, now: "2026-01-01T00:00:00Z")
        _ = try fixture.store.accept(
            try #require(sync.opened.first), survivor: nil, decidedBy: "test", now: "2026-01-01T00:00:00Z")
        #expect(try fixture.refresh() == .patched(people: 2))
        #expect(!(try fixture.users()).contains("U-000002"))
        try fixture.expectSameAsWhole()
        _ = try fixture.store.unmerge(.person(PersonID(2)), now: "2026-01-02T00:00:00Z")
        guard case .patched = try fixture.refresh() else {
            Issue.record("not patched")
            return
        }
        #expect(try fixture.users().contains("U-000002,Bob"))
        try fixture.expectSameAsWhole()
    }

    @Test func aNewColumnOrAFileNotAsWrittenIsWrittenWhole() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        try fixture.refresh()

        // A new integration adds a column to the users export.
        try fixture.drop(
            "integration,account_id,login,display_name,email\nslack,S1,ann,Ann,ann@example.com\n", name: "slack.csv")
        #expect(try fixture.refresh() == .whole(reason: "the columns changed, or a file is not as Roster wrote it"))
        try fixture.expectSameAsWhole()

        // An admin edits the export in place, keeping its shape: the edit must not survive the next
        // change as if it were in the roster.
        let edited = try fixture.users().replacingOccurrences(of: "U-000002,Bob,", with: "U-000002,Robert,")
        try Data(edited.utf8).write(to: URL(fileURLWithPath: fixture.state.usersExport))
        try fixture.drop("full_name,email,team\nAnn,ann@example.com,Mobile\n")
        #expect(try fixture.refresh() == .whole(reason: "the columns changed, or a file is not as Roster wrote it"))
        #expect(try fixture.users().contains("U-000002,Bob,"))
        try fixture.expectSameAsWhole()

        // A file gone is written again, even when nothing changed.
        try FileManager.default.removeItem(atPath: fixture.state.accountsExport)
        #expect(try fixture.refresh() == .whole(reason: "the columns changed, or a file is not as Roster wrote it"))
        try fixture.expectSameAsWhole()
        #expect(try fixture.refresh() == .patched(people: 0))
    }

    @Test func aStopBeforeTheMarkersAreSavedLeavesTheNextRefreshToWriteWhole() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        try fixture.refresh()
        let name = ExportRefresh.markers(fixture.state).users
        let marker = try #require(try fixture.store.outputMarker(name))
        // The files of a later change written, then a stop before the markers moved.
        try fixture.drop("full_name,email,team\nCy,cy@example.com,Payments\n")
        try fixture.refresh()
        try fixture.store.setOutputMarker(name, to: marker)
        try fixture.drop("full_name,email,team\nBob,bob@example.com,Mobile\n")
        #expect(try fixture.refresh() == .whole(reason: "the columns changed, or a file is not as Roster wrote it"))
        try fixture.expectSameAsWhole()
    }

    @Test func twoStateFoldersOnOneStoreEachKeepTheirOwnFiles() throws {
        let fixture = try Fixture()
        try fixture.drop(Self.people)
        let other = try fixture.otherState()
        #expect(try fixture.refresh() == .whole(reason: "no export was recorded yet"))
        #expect(try fixture.refresh(other) == .whole(reason: "no export was recorded yet"))
        try fixture.drop("full_name,email,team\nCy,cy@example.com,Payments\n")
        #expect(try fixture.refresh() == .patched(people: 1))
        #expect(try fixture.refresh(other) == .patched(people: 1))
        #expect(try String(contentsOfFile: other.usersExport, encoding: .utf8) == (try fixture.users()))
        #expect(try String(contentsOfFile: other.accountsExport, encoding: .utf8) == (try fixture.accounts()))
        try fixture.expectSameAsWhole()
    }

    // MARK: - The accounts patch on its own

    static let header = Array("integration,account_id,login,display_name,email,person_id,status,bot\n".utf8)

    static func row(_ integration: String, _ id: String, person: Int64) -> AccountsCSVPatch.Row {
        let line =
            CSVWriter.line(
                [integration, FormulaGuard.neutralise(id), "", "", "", PersonID(person).description, "active", "false"])
            + "\n"
        return AccountsCSVPatch.Row(
            integration: Array(integration.utf8), accountID: Array(id.utf8), bytes: Array(line.utf8))
    }

    static func file(_ rows: [AccountsCSVPatch.Row]) -> [UInt8] {
        header + rows.flatMap(\.bytes)
    }

    static func apply(_ patch: AccountsCSVPatch, to file: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        return (try? file.withUnsafeBytes { try patch.patch($0, into: &output) }) == true ? output : nil
    }

    @Test func theAccountsPatchKeepsTheStoreOrderByteWise() throws {
        // `-x` and `+` are written `'-x` and `'+`, before `(` in the file's bytes, but sort after it as
        // stored; `Z` sorts before `a`.
        let old = [
            Self.row("github", "(", person: 1), Self.row("github", "-x", person: 3), Self.row("github", "Z", person: 1),
            Self.row("github", "b", person: 2), Self.row("jira", "J-1", person: 2),
        ]
        let patch = AccountsCSVPatch(
            header: Self.header, changed: [2, 4],
            rows: [
                Self.row("github", "+", person: 4), Self.row("github", "a", person: 4),
                Self.row("jira", "J-1", person: 4),
            ],
            expectedOthers: 3)
        let patched = try #require(Self.apply(patch, to: Self.file(old)))
        let expected = Self.file([
            Self.row("github", "(", person: 1), Self.row("github", "+", person: 4), Self.row("github", "-x", person: 3),
            Self.row("github", "Z", person: 1), Self.row("github", "a", person: 4), Self.row("jira", "J-1", person: 4),
        ])
        #expect(String(decoding: patched, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test func theAccountsPatchRefusesAFileNotAsWritten() {
        let rows = [Self.row("github", "a", person: 1), Self.row("github", "b", person: 2)]
        let patch = AccountsCSVPatch(header: Self.header, changed: [2], rows: [], expectedOthers: 1)
        #expect(Self.apply(patch, to: Self.file(rows)) != nil)
        // A row of someone else missing, rows out of order, another header.
        #expect(Self.apply(patch, to: Self.file([rows[1]])) == nil)
        #expect(Self.apply(patch, to: Self.file(rows.reversed())) == nil)
        #expect(Self.apply(patch, to: Array("integration,account_id\n".utf8) + rows.flatMap(\.bytes)) == nil)
        // An account written anew while its old row, of a person not changed, stays.
        let twice = AccountsCSVPatch(
            header: Self.header, changed: [2], rows: [Self.row("github", "a", person: 2)], expectedOthers: 1)
        #expect(Self.apply(twice, to: Self.file(rows)) == nil)
    }
}
