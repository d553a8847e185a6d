import Foundation

/// What can be wrong with a store location before anything connects to it.
public enum StoreURLCheck {
    /// Why `url` can't name a store, or nil when it can: an unknown scheme, or a password written
    /// into a PostgreSQL URL (it belongs in `PGPASSWORD` or a passfile, never in a config file or
    /// on a command line that every local user can read in the process list).
    public static func problem(_ url: String) -> String? {
        guard let colon = url.firstIndex(of: ":"), url[..<colon].allSatisfy({ $0.isLetter }), url[..<colon].count > 1
        else { return nil }  // a path (a one-letter "scheme" would be a drive letter, not ours)
        let scheme = url[..<colon].lowercased()
        switch scheme {
        case "sqlite":
            return nil
        case "postgresql", "postgres":
            let rest = url[url.index(after: colon)...].drop { $0 == "/" }
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
                return
                    "the URL holds a password. Remove it and give it in PGPASSWORD or a passfile (~/.pgpass, or passfile= in the URL)."
            }
            if url.range(of: "password=", options: .caseInsensitive) != nil {
                return
                    "the URL holds a password parameter. Remove it and give the password in PGPASSWORD or a passfile (~/.pgpass, or passfile= in the URL)."
            }
            return nil
        default:
            return
                "unknown scheme '\(scheme):'. Give a path or a sqlite: URL for SQLite, or a postgresql:// URL for PostgreSQL."
        }
    }
}
