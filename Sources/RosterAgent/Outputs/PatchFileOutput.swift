#if canImport(Glibc)
    import Glibc
#endif

/// A file mapped read-only, for a patch to read the old content of an export it rewrites.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    /// Maps `path`; nil when it can't be opened, is empty or can't be mapped.
    init?(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            return nil
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Lets go of the pages before `offset`: they are read again from the file if touched.
    ///
    /// A patch copies the old file front to back; without this, every page it copied stays in the
    /// process's resident set (184 MB of exports at 1,250,000 people).
    func release(before offset: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = offset / page * page
        guard end > 0, let base = bytes.baseAddress else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), end, MADV_DONTNEED)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}

/// A patch's output written to a file as it goes, the runs of the old file passed to the kernel
/// without a copy, and the old file's pages let go of once copied.
struct PatchFileOutput: PatchOutput {
    let writer: FileWriter
    let source: MappedFile
    /// The old file's bytes before this offset are copied and let go of.
    private var released = 0

    init(writer: FileWriter, source: MappedFile) {
        self.writer = writer
        self.source = source
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        try writer.write(UnsafeRawBufferPointer(bytes))
        guard let start = bytes.baseAddress, let base = source.bytes.baseAddress else { return }
        let offset = base.distance(to: UnsafeRawPointer(start))
        guard offset >= 0, offset <= source.bytes.count else { return }
        let end = offset + bytes.count
        // In steps of a few megabytes, not a system call per run.
        if end - released >= 1 << 22 {
            source.release(before: end)
            released = end
        }
    }

    mutating func append(_ bytes: [UInt8]) throws {
        try writer.write(bytes)
    }
}
