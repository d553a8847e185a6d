#if canImport(Glibc)
    import Glibc
#endif

/// Which names in the drop folder are not inputs: editor swap files and backups, partial
/// downloads, dotfiles, and whatever the config adds.
public struct IgnoreRules: Sendable, Equatable {
    public let patterns: [String]

    /// - Parameter patterns: Shell patterns (`fnmatch`, without `FNM_PERIOD`) matched against the
    ///   whole file name.
    public init(patterns: [String]) {
        self.patterns = patterns
    }

    /// Whether the file called `name` is to be left alone.
    public func ignores(_ name: String) -> Bool {
        patterns.contains { fnmatch($0, name, 0) == 0 }
    }
}
