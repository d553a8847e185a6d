import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The names, sizes and modification times of a folder's `.yaml` files, to notice edits cheaply.
struct FolderSnapshot {
    private var seen: [String: [Int64]] = [:]

    /// Whether a `.yaml` file appeared, changed or went away since the last call.
    mutating func changed(in folder: String) -> Bool {
        var now: [String: [Int64]] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasSuffix(".yaml") {
            var info = stat()
            guard stat("\(folder)/\(name)", &info) == 0 else { continue }
            now[name] = [
                Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec), Int64(info.st_ino),
            ]
        }
        defer { seen = now }
        return now != seen
    }

    /// Forgets what was seen, so that the next call reports a change.
    mutating func forget() {
        seen = [:]
    }
}
