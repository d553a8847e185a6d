import Foundation
import Glibc
import PropertyBased
import RosterCore
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
        // Only the names the desk writes count: not notes, nor another spelling of an id.
        for name in ["P-000001.yaml", "P-000002.yaml", "P-000003.yaml", "P-000001.note.txt", "P-4.yaml", "x.yaml"] {
            try write(name, "decision: pending\n")
        }
        let ids = [1, 2, 3].map { ProposalID(Int64($0)) }
        var stamps = FileStamps(folder: root + "/proposals", path: root + "/proposals.stamps")
        #expect(stamps.changed() == ids)
        #expect(stamps.current(ids[1])?.size == 18)
        for id in stamps.changed() { stamps.record(id) }
        stamps.save()

        try write("P-000002.yaml", "decision: accept\n")
        var again = FileStamps(folder: root + "/proposals", path: root + "/proposals.stamps")
        #expect(again.changed() == [ids[1]])
        #expect(again.presentIDs == ids)
        let exist = [again.exists(ids[2]), again.exists(ProposalID(4))]
        #expect(exist == [true, false])
    }

    @Test func savedStampsReadBackWhateverTheirValues() throws {
        try FileManager.default.createDirectory(atPath: root + "/proposals", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write("P-000001.yaml", "x")
        try write("P-000002.yaml", "y")
        var stamps = FileStamps(folder: root + "/proposals", path: root + "/proposals.stamps")
        let odd = FileStamps.Stamp(size: 0, seconds: -5, nanoseconds: 999_999_999, inode: UInt64.max)
        let plain = FileStamps.Stamp(size: 1_234_567, seconds: 1_790_000_000, nanoseconds: 0, inode: 10)
        stamps.record(ProposalID(1), odd)
        stamps.record(ProposalID(2), plain)
        stamps.save()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: root + "/proposals.stamps")))
        #expect(String(decoding: bytes, as: UTF8.self).contains("P-000001.yaml\t0\t-5\t999999999\t"))
        let read = bytes.withUnsafeBufferPointer { FileStamps.parse($0) }
        #expect(read == [1: odd, 2: plain])
    }

    @Test func laterStampsAreAppendedUntilTheFileIsWorthRewriting() throws {
        try FileManager.default.createDirectory(atPath: root + "/proposals", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/proposals.stamps"
        func lines() throws -> [String] {
            // Less the count of files a stamps file written whole starts with.
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
                .filter { !$0.hasPrefix(FileStamps.header) }
        }
        for number in 1...3 { try write(FileStamps.fileName(ProposalID(Int64(number))), "decision: pending\n") }
        var stamps = FileStamps(folder: root + "/proposals", path: path)
        for id in stamps.changed() { stamps.record(id) }
        stamps.save()
        #expect(try lines().count == 3)

        // One file edited and recorded again: one line more, which wins when read.
        try write("P-000002.yaml", "decision: pending # edited\n")
        stamps = FileStamps(folder: root + "/proposals", path: path)
        #expect(stamps.changed() == [ProposalID(2)])
        stamps.record(ProposalID(2))
        stamps.save()
        #expect(try lines().count == 4)
        #expect(FileStamps(folder: root + "/proposals", path: path).changed().isEmpty)

        // A file gone keeps its line until the file is rewritten, which happens once the lines
        // outgrow twice the files (plus a margin): then only the files there are kept.
        try FileManager.default.removeItem(atPath: root + "/proposals/P-000003.yaml")
        let one = FileStamps.Stamp(size: 1, seconds: 1, nanoseconds: 1, inode: 1)
        let two = FileStamps.Stamp(size: 2, seconds: 2, nanoseconds: 2, inode: 2)
        for round in 1...2 {
            stamps = FileStamps(folder: root + "/proposals", path: path)
            for time in 0..<600 { stamps.record(ProposalID(1), time % 2 == 0 ? one : two) }
            stamps.save()
            #expect(try lines().count == (round == 1 ? 604 : 2), "round \(round)")
        }
        let final = try lines()
        #expect(final.count == 2)
        #expect(final.contains { $0.hasPrefix("P-000002.yaml\t") } && !final.contains { $0.hasPrefix("P-000003.yaml") })
    }

    @Test func withoutAListingOnlyTheFilesAskedAboutAreLookedAtAndTheOthersAreKept() throws {
        try FileManager.default.createDirectory(atPath: root + "/proposals", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/proposals.stamps"
        let ids = (1...4).map { ProposalID(Int64($0)) }
        for id in ids { try write(FileStamps.fileName(id), "decision: pending\n") }
        var stamps = FileStamps(folder: root + "/proposals", path: path)
        for id in stamps.changed() { stamps.record(id) }
        stamps.save()
        let recorded = ids.map { FileStamps.stamp(of: root + "/proposals/" + FileStamps.fileName($0)) }

        // Edited and gone behind the stamps' back; without a listing, only a look tells.
        try write("P-000002.yaml", "decision: accept # edited\n")
        try FileManager.default.removeItem(atPath: root + "/proposals/P-000003.yaml")
        try FileManager.default.removeItem(atPath: root + "/proposals/P-000004.yaml")
        stamps = FileStamps(folder: root + "/proposals", path: path, listing: false)
        let (goneBefore, never) = (stamps.exists(ids[2]), stamps.exists(ProposalID(9)))
        #expect(goneBefore && !never, "as recorded until looked at")
        let looks = [stamps.look(at: [ids[0]]), stamps.look(at: [ids[1]]), stamps.look(at: [ids[2]])]
        #expect(looks == [false, true, false], "a file gone is not an edit")
        let goneAfter = stamps.exists(ids[2])
        #expect(!goneAfter)

        // Recorded often enough to be rewritten whole: the stamps never asked about are kept.
        let one = FileStamps.Stamp(size: 1, seconds: 1, nanoseconds: 1, inode: 1)
        let two = FileStamps.Stamp(size: 2, seconds: 2, nanoseconds: 2, inode: 2)
        for time in 0..<1100 { stamps.record(ProposalID(5), time % 2 == 0 ? one : two) }
        stamps.save()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let read = bytes.withUnsafeBufferPointer { FileStamps.parse($0) }
        #expect(read.count == 3, "P-000003.yaml and P-000004.yaml (never looked at) are gone, P-000005.yaml recorded")
        #expect(read[1] == recorded[0] && read[2] == recorded[1] && read[5] == two)
        #expect(bytes.withUnsafeBufferPointer { FileStamps.files(inHeaderOf: $0) } == 3)
    }

    @Test func aStampsFileWithoutItsCountIsWrittenWholeWithIt() throws {
        try FileManager.default.createDirectory(atPath: root + "/proposals", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/proposals.stamps"
        let old = FileStamps.Stamp(size: 3, seconds: 4, nanoseconds: 5, inode: 6)
        var bytes: [UInt8] = []
        for number in [1, 2] as [Int64] { FileStamps.appendLine(number, old, to: &bytes) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try write("P-000001.yaml", "decision: pending\n")
        try write("P-000002.yaml", "decision: pending\n")

        var stamps = FileStamps(folder: root + "/proposals", path: path, listing: false)
        stamps.record(ProposalID(1))
        stamps.save()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix(FileStamps.header + "2\n"))
        let read = Array(text.utf8).withUnsafeBufferPointer { FileStamps.parse($0) }
        #expect(read[2] == old)
        #expect(read[1] == FileStamps.stamp(of: root + "/proposals/P-000001.yaml"))

        // Once counted, a later stamp is appended.
        stamps = FileStamps(folder: root + "/proposals", path: path, listing: false)
        stamps.record(ProposalID(2))
        stamps.save()
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 4)
    }

    @Test func aStampsFileThatOutgrewItsCountIsWrittenWholeWithANewOne() throws {
        try FileManager.default.createDirectory(atPath: root + "/proposals", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/proposals.stamps"
        for number in 1...2 { try write(FileStamps.fileName(ProposalID(Int64(number))), "decision: pending\n") }
        var stamps = FileStamps(folder: root + "/proposals", path: path)
        for id in stamps.changed() { stamps.record(id) }
        stamps.save()
        func count() throws -> Int? {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            return bytes.withUnsafeBufferPointer { FileStamps.files(inHeaderOf: $0) }
        }
        #expect(try count() == 2)

        // A roster that grows: one new file after another, a hundred at a time, never a repeat.
        for round in 0..<11 {
            let ids = (0..<100).map { ProposalID(Int64(3 + round * 100 + $0)) }
            for id in ids { try write(FileStamps.fileName(id), "decision: pending\n") }
            stamps = FileStamps(folder: root + "/proposals", path: path, listing: round % 2 == 0)
            for id in ids { stamps.record(id) }
            stamps.save()
        }
        // 1,102 files and 1,103 lines outgrew 2 x 2 + 1,024: written whole, counted again.
        #expect(try count() == 1102)
    }

    @Test func aLargeFolderIsListedInPiecesWithTheSameStamps() throws {
        try FileManager.default.createDirectory(atPath: root + "/proposals", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // More files than one piece takes, of different sizes, and a name that is not a proposal's.
        for number in 1...5000 {
            let fd = open(
                "\(root)/proposals/\(FileStamps.fileName(ProposalID(Int64(number))))", O_WRONLY | O_CREAT, 0o644)
            #expect(fd >= 0)
            #expect(Glibc.write(fd, "xxxxxx", number % 7) == number % 7)
            close(fd)
        }
        try write("P-77.yaml", "x")
        let listed = FileStamps.listing(root + "/proposals")
        #expect(listed.count == 5000)
        for number in [1, 2, 1234, 2500, 4999, 5000] {
            let stamp = FileStamps.stamp(of: root + "/proposals/" + FileStamps.fileName(ProposalID(Int64(number))))
            #expect(listed[Int64(number)] == stamp, "P-\(number)")
            #expect(stamp?.size == Int64(number % 7))
        }
    }

    @Test func malformedLinesAreSkipped() {
        let text = """
            P-000001.yaml\t1\t2\t3\t4\t5
            P-000002.yaml\t1\t2\t3
            P-000003.yaml\t1\tx\t3\t4

            P-4.yaml\t1\t2\t3\t4
            P-000005.yaml\t10\t-20\t30\t40
            """
        let read = Array(text.utf8).withUnsafeBufferPointer { FileStamps.parse($0) }
        #expect(read == [5: FileStamps.Stamp(size: 10, seconds: -20, nanoseconds: 30, inode: 40)])
    }

    @Test func aProposalFileIsKnownByTheNameTheDeskGivesIt() async {
        await propertyCheck(count: 300, input: Gen.int(in: 1...99_999_999)) { number in
            let name = FileStamps.fileName(ProposalID(Int64(number)))
            let read = Array(name.utf8).withUnsafeBufferPointer { FileStamps.number(ofFileNamed: $0) }
            #expect(read == Int64(number))
        }
        for other in [
            "P-42.yaml", "P-0000042.yaml", "p-000042.yaml", "P-000042.yml", "P-000000.yaml", "P-00004a.yaml",
            "P-000042.yaml.tmp", "P-1234567890123456789.yaml", "",
        ] {
            #expect(Array(other.utf8).withUnsafeBufferPointer { FileStamps.number(ofFileNamed: $0) } == nil, "\(other)")
        }
    }
}
