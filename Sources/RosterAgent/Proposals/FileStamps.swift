import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The size, modification time and inode of each proposal file as Roster last wrote it or read it
/// as pending, kept in `proposals.stamps` beside the folder so that a refresh parses only the files an admin edited.
///
/// A file whose stamp differs (or that has none) is read again; a lost or damaged stamps file
/// only means that every file is read once more.
struct FileStamps {
    struct Stamp: Equatable {
        var size: Int64
        var seconds: Int64
        var nanoseconds: Int64
        var inode: UInt64
    }

    let folder: String
    let path: String
    /// The `.yaml` files in the folder now.
    private var present: [String: Stamp] = [:]
    /// The recorded stamps.
    private var recorded: [String: Stamp] = [:]
    private var dirty = false

    init(folder: String, path: String) {
        self.folder = folder
        self.path = path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasSuffix(".yaml") {
            if let stamp = Self.stamp(of: folder + "/" + name) { present[name] = stamp }
        }
        if let data = FileManager.default.contents(atPath: path) {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: "\t")
                guard fields.count == 5, let size = Int64(fields[1]), let seconds = Int64(fields[2]),
                    let nanoseconds = Int64(fields[3]), let inode = UInt64(fields[4])
                else { continue }
                recorded[String(fields[0])] = Stamp(
                    size: size, seconds: seconds, nanoseconds: nanoseconds, inode: inode)
            }
        }
    }

    /// The `.yaml` files whose stamp is not the recorded one, sorted.
    func changedNames() -> [String] {
        present.filter { recorded[$0.key] != $0.value }.keys.sorted()
    }

    /// The stamp the file had when the folder was listed.
    func current(_ name: String) -> Stamp? {
        present[name]
    }

    /// Whether the file exists (as of the listing, or since recorded).
    func exists(_ name: String) -> Bool {
        present[name] != nil
    }

    /// Records the file's stamp as known (written by Roster, or read as pending).
    mutating func record(_ name: String, _ stamp: Stamp? = nil) {
        guard let stamp = stamp ?? Self.stamp(of: folder + "/" + name) else { return }
        present[name] = stamp
        if recorded[name] != stamp {
            recorded[name] = stamp
            dirty = true
        }
    }

    /// Writes the stamps of the files still there, when any changed. Best effort.
    mutating func save() {
        var kept: [String: Stamp] = [:]
        for (name, stamp) in recorded where access(folder + "/" + name, F_OK) == 0 { kept[name] = stamp }
        if kept.count != recorded.count { dirty = true }
        recorded = kept
        guard dirty else { return }
        var text = ""
        for (name, s) in recorded.sorted(by: { $0.key < $1.key }) {
            text += "\(name)\t\(s.size)\t\(s.seconds)\t\(s.nanoseconds)\t\(s.inode)\n"
        }
        try? AtomicFile.write(path, bytes: Array(text.utf8))
        dirty = false
    }

    static func stamp(of path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(
            size: Int64(info.st_size), seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int64(info.st_mtim.tv_nsec),
            inode: UInt64(info.st_ino))
    }
}
