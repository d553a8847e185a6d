import Foundation
import Testing

@testable import RosterAgent

/// The stamps tell a refresh which proposal files an admin edited since Roster wrote them.
@Suite struct FileStampsTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("roster-stamps-\(UUID().uuidString)")
        .path

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(root)/proposals/\(name)"))
    }

    @Test func onlyFilesChangedSinceTheyWereRecordedAreNamed() throws {
        try FileManager.default.createDirectory(atPath: root + "/proposals", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["P-000001.yaml", "P-000002.yaml", "P-000003.yaml", "P-000001.note.txt"] {
            try write(name, "decision: pending\n")
        }
        var stamps = FileStamps(folder: root + "/proposals", path: root + "/proposals.stamps")
        #expect(stamps.changedNames() == ["P-000001.yaml", "P-000002.yaml", "P-000003.yaml"])
        #expect(stamps.current("P-000002.yaml")?.size == 18)
        for name in stamps.changedNames() { stamps.record(name) }
        stamps.save()

        try write("P-000002.yaml", "decision: accept\n")
        let again = FileStamps(folder: root + "/proposals", path: root + "/proposals.stamps")
        #expect(again.changedNames() == ["P-000002.yaml"])
        #expect(again.presentNames == ["P-000001.yaml", "P-000002.yaml", "P-000003.yaml"])
    }

    @Test func savedStampsReadBackWhateverTheirValues() throws {
        try FileManager.default.createDirectory(atPath: root + "/proposals", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write("P-000001.yaml", "x")
        try write("P-000002.yaml", "y")
        var stamps = FileStamps(folder: root + "/proposals", path: root + "/proposals.stamps")
        let odd = FileStamps.Stamp(size: 0, seconds: -5, nanoseconds: 999_999_999, inode: UInt64.max)
        let plain = FileStamps.Stamp(size: 1_234_567, seconds: 1_790_000_000, nanoseconds: 0, inode: 10)
        stamps.record("P-000001.yaml", odd)
        stamps.record("P-000002.yaml", plain)
        stamps.save()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: root + "/proposals.stamps")))
        let read = bytes.withUnsafeBufferPointer { FileStamps.parse($0) }
        #expect(read == ["P-000001.yaml": odd, "P-000002.yaml": plain])
    }
}
