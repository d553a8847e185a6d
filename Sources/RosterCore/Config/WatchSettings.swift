/// How `roster watch` takes files from the drop folder: the `[watch]` table of `roster.toml`.
public struct WatchSettings: Sendable, Equatable {
    /// The patterns ignored unless ``useDefaultIgnores`` is false: dotfiles, editor backups, swap
    /// files and probes, and the partial files of downloads and copies.
    public static let defaultIgnores = [
        ".*", "*~", "*.swp", "*.swx", "4913", "*.tmp", "*.part", "*.crdownload", "~$*", "README.md",
    ]

    /// How long, in milliseconds, a file's size and modification time must stay unchanged before
    /// it is taken.
    public var settleMilliseconds: Int
    /// Poll the folder every so many seconds instead of using inotify; nil chooses inotify, unless
    /// the folder is on a network or FUSE file system.
    public var pollSeconds: Double?
    /// The interval of the safety-net rescan when inotify is used.
    public var rescanSeconds: Double
    /// The largest file taken, in bytes; larger ones are rejected.
    public var maxFileSize: Int
    /// Extra shell patterns (`fnmatch`) of file names to leave alone.
    public var ignore: [String]
    /// Whether ``defaultIgnores`` apply as well as ``ignore``.
    public var useDefaultIgnores: Bool

    public init(
        settleMilliseconds: Int = 25,
        pollSeconds: Double? = nil,
        rescanSeconds: Double = 60,
        maxFileSize: Int = 1 << 30,
        ignore: [String] = [],
        useDefaultIgnores: Bool = true
    ) {
        self.settleMilliseconds = settleMilliseconds
        self.pollSeconds = pollSeconds
        self.rescanSeconds = rescanSeconds
        self.maxFileSize = maxFileSize
        self.ignore = ignore
        self.useDefaultIgnores = useDefaultIgnores
    }

    /// Every pattern in force.
    public var ignorePatterns: [String] {
        (useDefaultIgnores ? Self.defaultIgnores : []) + ignore
    }
}
