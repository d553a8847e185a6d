import RosterCore

/// Where the roster's store is: an SQLite file (the embedded default) or a PostgreSQL database.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// Reads `--store` or `[store] url`: a path, `sqlite:PATH` (`sqlite:///abs/path` too), or a
    /// `postgresql://` (`postgres://`) URL as libpq reads it.
    ///
    /// - Throws: ``StoreError`` for an unknown scheme or a URL with a password in it.
    public init(_ text: String) throws {
        if let problem = StoreURLCheck.problem(text) {
            // Not echoed: the text may hold the very password it must not.
            throw StoreError("The store URL can't be used: \(problem)")
        }
        let lower = text.lowercased()
        if lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") {
            self = .postgres(url: text)
        } else if lower.hasPrefix("sqlite:") {
            var path = Substring(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = path.dropFirst(2) }
            self = .sqlite(path: String(path))
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The location for logs and messages.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url
        }
    }

    /// The SQLite file, when the store is one.
    public var sqlitePath: String? {
        if case .sqlite(let path) = self { return path }
        return nil
    }
}
