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
            throw FileError(
                "Can't read '\(path)': it is not a regular file (a FIFO, device or directory). Drop plain files only.")
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

        /// The hex SHA-256 of what was read so far.
        func digest() -> String {
            hasher.finalize().map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
        }
    }
}
