#if canImport(Glibc)
    import Glibc
#endif

/// What a `stat` says about a candidate file, enough to tell whether it is still being written.
public struct FileSignature: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Modification time, nanoseconds since the epoch.
    public var modified: Int64
    public var isRegular: Bool
    public var isSymlink: Bool

    public init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, isRegular: Bool, isSymlink: Bool) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.isRegular = isRegular
        self.isSymlink = isSymlink
    }

    /// `lstat`s `path`: links are described, not followed. Nil when the file is gone.
    public static func of(_ path: String) -> FileSignature? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        return FileSignature(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            isRegular: type == S_IFREG, isSymlink: type == S_IFLNK)
    }
}

/// The files waiting in the drop folder, in arrival order, each taken once its size and
/// modification time have stayed unchanged for the settle window.
///
/// A file announced by inotify (closed after writing, or renamed in) settles after `settle`. A file
/// found only by a scan could still have a writer that is pausing, so it must also have been left
/// alone for `scanQuiet`. A file whose modification time is already older than its window, by the
/// wall clock, has been stable that long and is taken at once (a file renamed in, or one dropped
/// while the agent was down).
///
/// The clocks and `stat` are injected, so that tests run without waiting.
public struct SettleTracker: Sendable {
    public enum Origin: Sendable {
        case event
        case scan
    }

    struct Entry: Sendable {
        var name: String
        var signature: FileSignature
        /// When ``signature`` was first seen, on the monotonic clock (nanoseconds).
        var observedAt: UInt64
        var window: UInt64
        /// Not before this time (after a failure).
        var notBefore: UInt64 = 0
    }

    public var settle: UInt64
    public var scanQuiet: UInt64
    /// Whether modification times can be compared with the wall clock (a local file system).
    public let trustModificationTimes: Bool
    private var entries: [Entry] = []

    /// - Parameters:
    ///   - settleNanoseconds: The settle window of files announced by an event.
    ///   - scanQuietNanoseconds: The window of files found by a scan (at least the settle window).
    public init(settleNanoseconds: UInt64, scanQuietNanoseconds: UInt64, trustModificationTimes: Bool) {
        settle = settleNanoseconds
        scanQuiet = max(settleNanoseconds, scanQuietNanoseconds)
        self.trustModificationTimes = trustModificationTimes
    }

    /// How many files wait.
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// Whether `name` waits.
    public func contains(_ name: String) -> Bool {
        entries.contains { $0.name == name }
    }

    /// Notes that `name` was announced or found, with its current signature.
    public mutating func note(_ name: String, signature: FileSignature, origin: Origin, now: UInt64) {
        let window = origin == .event ? settle : scanQuiet
        if let index = entries.firstIndex(where: { $0.name == name }) {
            entries[index].window = min(entries[index].window, window)
            if entries[index].signature != signature {
                entries[index].signature = signature
                entries[index].observedAt = now
            }
            return
        }
        entries.append(Entry(name: name, signature: signature, observedAt: now, window: window))
    }

    /// Forgets `name` (taken, or gone).
    public mutating func remove(_ name: String) {
        entries.removeAll { $0.name == name }
    }

    /// Puts `name` back to wait at least `delay` (after a failure that left it in place).
    public mutating func postpone(_ name: String, until time: UInt64) {
        guard let index = entries.firstIndex(where: { $0.name == name }) else { return }
        entries[index].notBefore = time
    }

    /// The files that have settled, oldest arrival first, after looking at each again.
    ///
    /// Files that are gone are forgotten; files that changed start their window again.
    ///
    /// - Parameters:
    ///   - now: The monotonic clock, nanoseconds.
    ///   - wallNow: The wall clock, nanoseconds since the epoch.
    ///   - look: `stat` for a name.
    /// - Returns: The settled names, and the monotonic time when the next one may settle.
    public mutating func settled(
        now: UInt64, wallNow: Int64, look: (String) -> FileSignature?
    ) -> (names: [String], nextCheck: UInt64?) {
        var ready: [String] = []
        var next: UInt64?
        var kept: [Entry] = []
        kept.reserveCapacity(entries.count)
        for var entry in entries {
            guard let current = look(entry.name) else { continue }
            if current != entry.signature {
                entry.signature = current
                entry.observedAt = now
            }
            let stableFor = now >= entry.observedAt ? now - entry.observedAt : 0
            let age = wallNow - entry.signature.modified
            let settledByAge = trustModificationTimes && age >= 0 && UInt64(age) >= entry.window
            if now >= entry.notBefore && (stableFor >= entry.window || settledByAge) {
                ready.append(entry.name)
            } else {
                let due = max(entry.observedAt + entry.window, entry.notBefore)
                next = min(next ?? due, due)
            }
            kept.append(entry)
        }
        entries = kept
        return (ready, next)
    }
}
