/// The sizes, modification times and inodes of a folder's proposal files, to notice edits
/// cheaply (``FileStamps/listing(_:expecting:)``).
struct FolderSnapshot {
    private var seen: [Int64: FileStamps.Stamp] = [:]

    /// Whether a proposal file appeared, changed or went away since the last call.
    mutating func changed(in folder: String) -> Bool {
        let now = FileStamps.listing(folder, expecting: seen.count)
        defer { seen = now }
        return now != seen
    }

    /// Forgets what was seen, so that the next call reports a change.
    mutating func forget() {
        seen = [:]
    }
}
