import Crypto
import RosterCore

#if canImport(Glibc)
    import Glibc
#endif

/// A dropped file, opened safely for reading: not through a symbolic link, regular files only.
final class InputFile {
    let path: String
    let descriptor: Int32
    let size: Int

    /// Opens `path` with `O_NOFOLLOW`, and checks that it is a regular file within `maxSize` bytes.
    ///
    /// - Throws: ``FileError`` saying why the file can't be taken.
    init(path: String, maxSize: Int) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileError.syscall("read", path: path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = FileError.syscall("inspect", path: path)
            close(fd)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            var error = FileError(
                "Can't read '\(path)': it is not a regular file (a FIFO, device or directory). Drop plain files only.")
            error.isNotARegularFile = true
            throw error
        }
        guard Int(info.st_size) <= maxSize else {
            close(fd)
            throw FileError(
                "Can't read '\(path)': it is \(info.st_size) bytes, over the limit of \(maxSize). "
                    + "Split the file, or raise max_file_size in roster.toml.")
        }
        // Reads block normally from here on.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit {
        close(descriptor)
    }

    /// A source that reads the file from its start, hashing what it reads.
    func source() -> Source {
        Source(file: self)
    }

    /// The hex SHA-256 of the whole file.
    func sha256() throws -> String {
        var source = source()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buffer.deallocate() }
        while try source.read(into: buffer) > 0 {}
        return source.digest()
    }

    /// Whether the first character that is not white space (after a UTF-8 byte-order mark) opens a
    /// JSON array or object.
    func looksLikeJSON() throws -> Bool {
        var head = [UInt8](repeating: 0, count: 512)
        let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        var bytes = head[0..<count]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let first = bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        return first == UInt8(ascii: "[") || first == UInt8(ascii: "{")
    }

    /// Reads the file with `pread` from offset 0, so that several passes don't disturb each other.
    struct Source: ByteSource {
        let file: InputFile
        var offset: Int64 = 0
        var hasher = SHA256()

        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            while true {
                let count = pread(file.descriptor, buffer.baseAddress, buffer.count, off_t(offset))
                if count < 0 {
                    if errno == EINTR { continue }
                    throw FileError.syscall("read", path: file.path)
                }
                if count > 0 {
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    offset += Int64(count)
                }
                return count
            }
        }

        /// Reads the rest of the file into memory (the caller caps the file's size).
        mutating func readAll() throws -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(file.size)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
            defer { buffer.deallocate() }
            while true {
                let count = try read(into: buffer)
                if count == 0 { return bytes }
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        }

        /// The hex SHA-256 of what was read so far.
        func digest() -> String {
            hasher.finalize().map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
        }
    }
}
