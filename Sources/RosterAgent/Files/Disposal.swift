#if canImport(Glibc)
    import Glibc
#endif

/// Puts processed inputs into `archive/` or `rejected/` under a name that never overwrites an
/// earlier file: `users.csv`, then `users-2.csv`, `users-3.csv`, …
enum Disposal {
    enum Mode: Sendable {
        /// Move the file (the drop folder is an inbox).
        case move
        /// Keep a copy and leave the original where it is (`roster ingest`).
        case copy
    }

    /// Moves or copies `source` into `folder`.
    ///
    /// - Returns: The path the file now has in `folder`.
    static func place(_ source: String, named name: String, into folder: String, mode: Mode) throws -> String {
        let name = safeName(name)
        switch mode {
        case .move:
            if let placed = try linkUnique(source, into: folder, name: name) {
                // The link stays: the next attempt finds it (same inode) instead of adding a copy.
                try removeInput(source)
                try AtomicFile.syncFolder(folder)
                try AtomicFile.syncFolder(AtomicFile.split(source).folder)
                return placed
            }
            // Another file system: copy, then remove the original.
            let placed = try copyUnique(source, into: folder, name: name)
            do {
                try removeInput(source)
            } catch {
                // Without this, every retry would keep one more copy of the same input.
                unlink(placed)
                throw error
            }
            try AtomicFile.syncFolder(AtomicFile.split(source).folder)
            return placed
        case .copy:
            return try copyUnique(source, into: folder, name: name)
        }
    }

    /// Removes a processed input from the drop folder. A failure (a read-only drop folder, a
    /// folder without write permission) is thrown: the input stays, and is taken again later.
    private static func removeInput(_ source: String) throws {
        guard unlink(source) == 0 || errno == ENOENT else {
            throw FileError.syscall("remove the processed file from the drop folder", path: source)
        }
    }

    /// Hard-links `source` as the first free name in `folder`; nil when they are on different
    /// file systems.
    private static func linkUnique(_ source: String, into folder: String, name: String) throws -> String? {
        for attempt in 1... {
            let target = "\(folder)/\(numbered(name, attempt))"
            if link(source, target) == 0 { return target }
            switch errno {
            case EEXIST:
                // A crash between linking and unlinking the input left both: it is already kept.
                if isSameFile(source, target) { return target }
                continue
            case EXDEV, EPERM, EMLINK: return nil
            default: throw FileError.syscall("keep a copy of the file in", path: folder)
            }
        }
        return nil
    }

    private static func isSameFile(_ first: String, _ second: String) -> Bool {
        var a = stat()
        var b = stat()
        return lstat(first, &a) == 0 && lstat(second, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    private static func copyUnique(_ source: String, into folder: String, name: String) throws -> String {
        let temporary = "\(folder)/.\(name).incoming-\(getpid())"
        unlink(temporary)
        let writer = try FileWriter(creating: temporary)
        do {
            let input = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard input >= 0 else { throw FileError.syscall("read", path: source) }
            defer { close(input) }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw FileError.syscall("read", path: source)
                }
                if count == 0 { break }
                try writer.write(Array(buffer[0..<count]))
            }
            try writer.finish()
        } catch {
            writer.abandon()
            unlink(temporary)
            throw error
        }
        defer { unlink(temporary) }
        guard let placed = try linkUnique(temporary, into: folder, name: name) else {
            throw FileError("Can't keep a copy of '\(source)' in '\(folder)': the file system refuses hard links.")
        }
        try AtomicFile.syncFolder(folder)
        return placed
    }

    /// `users.csv` → `users-2.csv` for attempt 2.
    static func numbered(_ name: String, _ attempt: Int) -> String {
        guard attempt > 1 else { return name }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return "\(name[..<dot])-\(attempt)\(name[dot...])"
        }
        return "\(name)-\(attempt)"
    }

    /// A file name that is safe to create inside the state folder: no path separators, control
    /// characters or leading dots.
    static func safeName(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            if scalar == "/" || scalar.properties.generalCategory == .control {
                scalars.append("_")
            } else {
                scalars.append(scalar)
            }
        }
        var safe = String(scalars)
        while safe.hasPrefix(".") { safe.removeFirst() }
        if safe.isEmpty { safe = "unnamed" }
        if safe.utf8.count > 200 { safe = String(safe.prefix(200)) }
        return safe
    }
}
