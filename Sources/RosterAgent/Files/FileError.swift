#if canImport(Glibc)
    import Glibc
#endif

/// A file-system failure, with a message that names the object, the reason and the fix.
public struct FileError: Error, CustomStringConvertible, Sendable {
    /// The errno value behind it, when there is one.
    public var code: Int32?
    public var message: String
    /// The path is not a regular file (a FIFO, device, socket or directory): it is never opened,
    /// moved or copied, only refused where it is.
    public var isNotARegularFile = false

    public init(code: Int32? = nil, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// A message for a failed system call on `path`, mapping errno to what the user can do.
    static func syscall(_ what: String, path: String, errno code: Int32 = errno) -> FileError {
        let reason: String
        switch code {
        case ENOENT: reason = "it does not exist"
        case EACCES, EPERM: reason = "permission denied; check the owner and mode of the file and its folder"
        case ENOSPC: reason = "the disk is full; free some space and Roster will carry on"
        case EDQUOT: reason = "the disk quota is exhausted; free some space"
        case EROFS: reason = "the file system is read-only; mount it writable or choose another state folder"
        case ELOOP: reason = "it is a symbolic link, which Roster does not follow; drop the file itself"
        case EISDIR: reason = "it is a directory, not a file"
        case ENOTDIR: reason = "a part of the path is not a directory"
        case EMFILE, ENFILE: reason = "too many open files; raise the limit (LimitNOFILE=) or close other programs"
        case EIO: reason = "an input/output error occurred; check the disk"
        case EXDEV: reason = "source and target are on different file systems"
        default: reason = String(cString: strerror(code))
        }
        return FileError(code: code, "Can't \(what) '\(path)': \(reason).")
    }
}
