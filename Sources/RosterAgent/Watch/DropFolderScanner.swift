#if canImport(Glibc)
    import Glibc
#endif

/// Lists the drop folder: what a scan finds, at start, after an overflow, on SIGHUP and on the
/// safety timer.
public struct DropFolderScanner: Sendable {
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    /// The entries of the folder with their signatures, oldest modification first (then by name),
    /// which approximates the order they arrived in.
    ///
    /// - Throws: ``FileError`` when the folder can't be read.
    public func scan() throws -> [(name: String, signature: FileSignature)] {
        guard let directory = opendir(folder) else { throw FileError.syscall("list the drop folder", path: folder) }
        defer { closedir(directory) }
        var found: [(name: String, signature: FileSignature)] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            guard let signature = FileSignature.of("\(folder)/\(name)") else { continue }
            found.append((name, signature))
        }
        found.sort { ($0.signature.modified, $0.name) < ($1.signature.modified, $1.name) }
        return found
    }
}
