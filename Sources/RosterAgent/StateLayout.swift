import Foundation
public import RosterStore

#if canImport(Glibc)
    import Glibc
#endif

/// The folders and files under the state folder.
public struct StateLayout: Sendable {
    public let root: String
    /// The store: by default the SQLite file in the state folder.
    public var store: StoreLocation
    /// Connections kept to a PostgreSQL store.
    public var storePoolSize = 4

    public init(root: String, store: StoreLocation? = nil) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.store = store ?? .sqlite(path: "\(self.root)/roster.sqlite")
    }

    /// The SQLite store's file (the default one when the store is elsewhere).
    public var database: String { store.sqlitePath ?? "\(root)/roster.sqlite" }
    public var archive: String { "\(root)/archive" }
    public var rejected: String { "\(root)/rejected" }
    public var exports: String { "\(root)/exports" }
    public var reports: String { "\(root)/reports" }
    public var usersExport: String { "\(exports)/users.csv" }
    public var accountsExport: String { "\(exports)/accounts.csv" }

    /// Creates the state folder and its subfolders where missing.
    ///
    /// - Throws: ``FileError`` saying which folder can't be made or written and what to do.
    public func prepare() throws {
        for folder in [root, archive, rejected, exports, reports] {
            try Self.ensureFolder(folder, role: "the state folder")
        }
        removeStaleTemporaries()
    }

    /// Removes the temporary files that a process killed mid-write left behind (`.<name>.tmp-<pid>`,
    /// `.<name>.incoming-<pid>`, `.errors-<pid>-<n>.tmp`), when that process is gone. The finished
    /// files they were meant to replace are intact: temporaries are renamed over them only when
    /// complete.
    func removeStaleTemporaries() {
        for folder in [root, archive, rejected, exports, reports] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where name.hasPrefix(".") {
                guard let pid = Self.writerPID(of: name), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else {
                    continue
                }
                unlink("\(folder)/\(name)")
            }
        }
    }

    /// The process id in a temporary file's name, if it is one of Roster's.
    static func writerPID(of name: String) -> pid_t? {
        if name.hasPrefix(".errors-"), name.hasSuffix(".tmp") {
            return pid_t(name.dropFirst(".errors-".count).prefix { $0.isNumber })
        }
        for marker in [".tmp-", ".incoming-"] {
            if let range = name.range(of: marker, options: .backwards) {
                let digits = name[range.upperBound...]
                if !digits.isEmpty, digits.allSatisfy(\.isNumber) { return pid_t(digits) }
            }
        }
        return nil
    }

    /// Creates the drop folder if missing and checks that it is a writable directory.
    ///
    /// - Throws: ``FileError`` saying what is wrong with the folder and what to do.
    public static func ensureDropFolder(_ path: String) throws {
        try ensureFolder(path, role: "the drop folder")
    }

    /// Creates `path` if missing and checks that it is a writable directory.
    static func ensureFolder(_ path: String, role: String) throws {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw FileError.syscall("use \(role)", path: path) }
            if mkdir(path, 0o750) != 0, errno != EEXIST {
                throw FileError.syscall("create \(role)", path: path)
            }
        } else if (info.st_mode & S_IFMT) != S_IFDIR {
            throw FileError(
                "Can't use '\(path)' as \(role): it is not a directory. Remove it or choose another folder.")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw FileError(
                code: errno,
                "Can't use '\(path)' as \(role): it is not writable by this user. Fix its owner or mode, or choose another folder."
            )
        }
    }
}
