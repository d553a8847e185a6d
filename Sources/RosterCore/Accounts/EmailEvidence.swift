/// What an account's email says about its person.
public enum EmailEvidence: Sendable, Equatable {
    /// A real address: it links the account to the person who has it.
    case address(String)
    /// A GitHub noreply address: evidence of a GitHub login, not a person's email.
    case githubLogin(String)
    /// An address shared by many people or by nobody (`noreply@…`, `@localhost`, `(none)`): it links
    /// nobody.
    case placeholder
    /// Not an email address at all.
    case invalid
    case none

    /// Classifies a raw email from an export.
    ///
    /// - Parameter placeholders: Extra glob patterns (case-insensitive, `*` and `?`) of addresses that
    ///   must never link two people, from the config.
    public static func classify(_ raw: String?, placeholders: [String] = []) -> EmailEvidence {
        guard let raw else { return .none }
        let address = EmailAddress.normalise(raw)
        if address.isEmpty { return .none }
        if address == "(none)" || address == "none" || address == "n/a" { return .placeholder }
        if let login = githubNoreplyLogin(address) { return .githubLogin(login) }
        let parts = EmailAddress.parts(address)
        if let domain = parts?.domain, domain == "localhost" || domain == "(none)" { return .placeholder }
        // A valid address has an `@`.
        guard EmailAddress.problem(with: address) == nil, let (local, domain) = parts else { return .invalid }
        if placeholderLocals.contains(local) { return .placeholder }
        if domain == "localhost" || domain.hasSuffix(".localhost") || domain.hasSuffix(".local")
            || domain == "localhost.localdomain" || domain == "example.com" || domain == "example.org"
            || domain == "example.net" || domain.hasSuffix(".invalid") || domain == "(none)"
        {
            return .placeholder
        }
        if placeholders.contains(where: { Glob.matches($0, address) }) { return .placeholder }
        return .address(address)
    }

    static let placeholderLocals: Set<Substring> = [
        "noreply", "no-reply", "donotreply", "do-not-reply", "nobody", "root",
    ]

    /// `12345+jdoe@users.noreply.github.com` or `jdoe@users.noreply.github.com` → `jdoe`.
    static func githubNoreplyLogin(_ address: String) -> String? {
        let suffix = "@users.noreply.github.com"
        guard address.hasSuffix(suffix) else { return nil }
        var local = address.dropLast(suffix.count)
        if let plus = local.firstIndex(of: "+") { local = local[local.index(after: plus)...] }
        return local.isEmpty ? nil : String(local)
    }
}

/// Case-insensitive glob patterns with `*` and `?`, for file names and configured addresses.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased().unicodeScalars)
        let t = Array(text.lowercased().unicodeScalars)
        var pi = 0
        var ti = 0
        var star: Int?
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if let s = star {
                pi = s + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
