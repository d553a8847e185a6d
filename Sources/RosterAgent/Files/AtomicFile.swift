#if canImport(Glibc)
    import Glibc
#endif

/// Writes files so that readers see the old content or the new, never a part: a temporary file in
/// the same folder, fsync, rename over the target, fsync of the folder.
///
/// Files are created with mode 0640 (less the umask) and `O_NOFOLLOW | O_EXCL`, so that a symbolic
/// link planted in the state folder is never written through.
public enum AtomicFile {
    /// Writes `path` atomically with what `body` produces.
    ///
    /// - Parameter body: Receives a writer; what it writes becomes the file's content.
    /// - Throws: ``FileError``; the previous file, if any, is then left as it was.
    /// - Parameter durable: When false, neither the file nor the folder is synced: the caller
    ///   writes many files and makes them durable at once with ``syncFileSystem(of:)``.
    public static func write(_ path: String, durable: Bool = true, _ body: (FileWriter) throws -> Void) throws {
        let (folder, name) = split(path)
        let temporary = "\(folder)/.\(name).tmp-\(getpid())"
        let writer = try FileWriter(creating: temporary)
        do {
            try body(writer)
            try writer.finish(sync: durable)
        } catch {
            writer.abandon()
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = FileError.syscall("replace", path: path)
            unlink(temporary)
            throw error
        }
        if durable { try syncFolder(folder) }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ path: String, bytes: [UInt8], durable: Bool = true) throws {
        try write(path, durable: durable) { try $0.write(bytes) }
    }

    /// Makes everything written on the file system that holds `folder` durable: one call after
    /// many ``write(_:durable:_:)`` with `durable: false`.
    public static func syncFileSystem(of folder: String) throws {
        // syncfs(2) is not in the Glibc module; sync(2) writes back every file system, once.
        sync()
        try syncFolder(folder)
    }

    /// Makes a rename or link in `folder` durable.
    static func syncFolder(_ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.syscall("open the folder", path: folder) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError.syscall("sync the folder", path: folder) }
    }

    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }
}

/// A buffered writer on a new file.
public final class FileWriter {
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []

    /// Creates `path`, which must not exist yet.
    init(creating path: String, mode: mode_t = 0o640) throws {
        self.path = path
        var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if fd < 0, errno == EEXIST {
            // A temporary file left by a crash: it is ours to replace, unless it is a link.
            unlink(path)
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        }
        guard fd >= 0 else { throw FileError.syscall("create", path: path) }
        descriptor = fd
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes `bytes`; a large run goes to the file as it is, past the buffer.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count < 1 << 16 {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError.syscall("write", path: path)
            }
            offset += written
        }
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { bytes in
                Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError.syscall("write", path: path)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs (unless told not to) and closes the file.
    func finish(sync: Bool = true) throws {
        try flush()
        guard !sync || fsync(descriptor) == 0 else { throw FileError.syscall("sync", path: path) }
        guard close(descriptor) == 0 else {
            descriptor = -1
            throw FileError.syscall("close", path: path)
        }
        descriptor = -1
    }

    func abandon() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    deinit {
        abandon()
    }
}
