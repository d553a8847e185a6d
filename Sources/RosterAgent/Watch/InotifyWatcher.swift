import CInotifyTools
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What the watcher reports about the drop folder.
public enum WatchEvent: Sendable, Equatable {
    /// A file was closed after writing, or renamed into the folder.
    case file(String)
    /// Something was created in the folder: a file that is still being written (taken at its
    /// close), or a link, FIFO or directory, which never sends a close.
    case created(String)
    /// Events may have been missed; the folder must be scanned.
    case rescan(reason: String)
    /// The folder itself was removed or renamed; the watcher waits for it to come back.
    case folderGone
}

/// A failure to watch, with what to do about it.
public struct WatchError: Error, CustomStringConvertible, Sendable {
    public var code: Int32?
    public var message: String

    public init(code: Int32? = nil, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// The inotify limits of this machine, logged at start.
public struct InotifyLimits: Sendable {
    public var maxUserWatches: Int
    public var maxUserInstances: Int
    public var maxQueuedEvents: Int
}

/// Watches one folder through libinotifytools, on one dedicated thread.
///
/// libinotifytools keeps process-global state and is not thread-safe, so there is one watcher per
/// process: set up on the caller's thread by ``start(folder:events:)``, then used only by its
/// thread, which waits for events with a one-second timeout (`inotifytools_next_event(0)` would
/// block forever) and copies each one out of the library's static storage before passing it on.
/// This is the only file that imports `CInotifyTools`.
public final class InotifyWatcher: Sendable {
    private let stopped = Atomic<Bool>(false)
    private static let started = Atomic<Bool>(false)

    public init() {}

    /// The limits of `fs.inotify`, as the kernel reports them.
    public static func limits() -> InotifyLimits {
        // Read from /proc: inotifytools_get_max_queued_events() reports -1 on this libinotifytools.
        func read(_ name: String) -> Int {
            let text = try? String(contentsOfFile: "/proc/sys/fs/inotify/\(name)", encoding: .utf8)
            return text.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? -1
        }
        return InotifyLimits(
            maxUserWatches: read("max_user_watches"), maxUserInstances: read("max_user_instances"),
            maxQueuedEvents: read("max_queued_events"))
    }

    /// Starts watching `folder` and passes what happens to `events`, called on a new thread.
    ///
    /// The watch is in place when this returns, so a scan made afterwards misses nothing.
    ///
    /// - Throws: ``WatchError`` when inotify can't be set up or the folder can't be watched, naming
    ///   the sysctl to raise when a limit is hit.
    public func start(folder: String, events: @escaping @Sendable (WatchEvent) -> Void) throws {
        guard !Self.started.exchange(true, ordering: .acquiringAndReleasing) else {
            throw WatchError("Can't watch '\(folder)': libinotifytools allows one watcher per process.")
        }
        guard inotifytools_initialize() == 1 else {
            let code = inotifytools_error()
            if code == EMFILE {
                throw WatchError(
                    code: code,
                    "Can't start inotify: this user has reached fs.inotify.max_user_instances (\(Self.limits().maxUserInstances)). "
                        + "Raise it (sysctl -w fs.inotify.max_user_instances=1024, and in /etc/sysctl.d/) or stop other watchers."
                )
            }
            throw WatchError(code: code, "Can't start inotify: \(String(cString: strerror(code))).")
        }
        try Self.addWatch(folder)
        let thread = Thread { [self] in
            self.loop(folder: folder, events: events)
        }
        thread.name = "roster-inotify"
        thread.start()
    }

    /// Asks the thread to stop; it does within a second.
    public func stop() {
        stopped.store(true, ordering: .releasing)
    }

    private static let mask =
        UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF)
        | UInt32(IN_ONLYDIR) | UInt32(IN_DONT_FOLLOW)

    private static func addWatch(_ folder: String) throws {
        guard inotifytools_watch_file(folder, Int32(bitPattern: mask)) == 1 else {
            let code = inotifytools_error()
            switch code {
            case ENOSPC:
                throw WatchError(
                    code: code,
                    "Can't watch '\(folder)': this user has reached fs.inotify.max_user_watches (\(limits().maxUserWatches)). "
                        + "Raise it (sysctl -w fs.inotify.max_user_watches=524288, and in /etc/sysctl.d/) or pass --poll."
                )
            case ENOENT:
                throw WatchError(
                    code: code,
                    "Can't watch '\(folder)': the directory does not exist. Create it or pass --watch <dir>.")
            case ENOTDIR:
                throw WatchError(
                    code: code, "Can't watch '\(folder)': it is not a directory. Pass --watch <dir> naming a folder.")
            case EACCES:
                throw WatchError(
                    code: code, "Can't watch '\(folder)': permission denied. Fix the owner or mode of the folder.")
            default:
                throw WatchError(code: code, "Can't watch '\(folder)': \(String(cString: strerror(code))).")
            }
        }
    }

    private func loop(folder: String, events: @Sendable (WatchEvent) -> Void) {
        var watching = true
        while !stopped.load(ordering: .acquiring) {
            if !watching {
                // The folder went away: look for it again every second.
                if (try? Self.addWatch(folder)) != nil {
                    watching = true
                    events(.rescan(reason: "the drop folder was re-created"))
                } else {
                    sleep(1)
                }
                continue
            }
            guard let event = inotifytools_next_event(1) else { continue }
            let mask = event.pointee.mask
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                events(.rescan(reason: "the inotify queue overflowed"))
                continue
            }
            if mask & UInt32(IN_IGNORED) != 0 {
                // The kernel dropped a watch: after IN_DELETE_SELF, or after we removed it.
                continue
            }
            if mask & (UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF)) != 0 {
                if mask & UInt32(IN_MOVE_SELF) != 0 {
                    // The watch follows the renamed folder; drop it and wait for the path.
                    _ = inotifytools_remove_watch_by_wd(event.pointee.wd)
                }
                watching = false
                events(.folderGone)
                continue
            }
            if mask & (UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)) != 0, let name = CInotifyTools_event_name(event) {
                events(.file(String(cString: name)))
            } else if mask & UInt32(IN_CREATE) != 0, let name = CInotifyTools_event_name(event) {
                events(.created(String(cString: name)))
            }
        }
    }
}

extension InotifyWatcher {
    /// The name of the network or FUSE file system `folder` is on, where inotify does not see other
    /// hosts' writes; nil for a local file system.
    public static func remoteFileSystem(_ folder: String) -> String? {
        var info = statfs()
        guard statfs(folder, &info) == 0 else { return nil }
        switch UInt64(UInt(bitPattern: Int(info.f_type))) & 0xFFFF_FFFF {
        case 0x6969: return "NFS"
        case 0x517B: return "SMB"
        case 0xFF53_4D42: return "CIFS"
        case 0xFE53_4D42: return "SMB2"
        case 0x6573_5546: return "FUSE"
        case 0x0102_1997: return "9P"
        case 0x0BD0_0BD0: return "Lustre"
        default: return nil
        }
    }
}
