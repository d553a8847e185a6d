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
        return classifyASCII(raw, placeholders: placeholders) ?? classifyAny(raw, placeholders: placeholders)
    }

    /// ``classify(_:placeholders:)`` of any text, by characters.
    static func classifyAny(_ raw: String, placeholders: [String]) -> EmailEvidence {
        let address = EmailAddress.normalise(raw)
        if address.isEmpty { return .none }
        if noAddresses.contains(address) { return .placeholder }
        if let login = githubNoreplyLogin(address) { return .githubLogin(login) }
        let parts = EmailAddress.parts(address)
        if let domain = parts?.domain, unreachableDomains.contains(domain) { return .placeholder }
        // A valid address has an `@`.
        guard EmailAddress.problem(with: address) == nil, let (local, domain) = parts else { return .invalid }
        if placeholderLocals.contains(local) { return .placeholder }
        if placeholderDomains.contains(domain) || placeholderDomainSuffixes.contains(where: domain.hasSuffix) {
            return .placeholder
        }
        if placeholders.contains(where: { Glob.matches($0, address) }) { return .placeholder }
        return .address(address)
    }

    /// ``classify(_:placeholders:)`` of an ASCII address (nearly all), by its bytes: the same
    /// rules in the same order, from the same word lists, instead of the String searches, suffix
    /// tests and substring hashing that were most of adding an address to a profile, itself over a
    /// third of building the profiles of a full proposals pass (perf, `bench/proposals.sh
    /// 1000000`). Nil for anything else, which takes the general path.
    static func classifyASCII(_ raw: String, placeholders: [String]) -> EmailEvidence? {
        guard var address = EmailAddress.normaliseASCII(raw) else { return nil }
        enum Verdict {
            case none, placeholder, invalid, address
            case githubLogin(Range<Int>)
        }
        let verdict: Verdict = address.withUTF8 { bytes in
            func equals(_ range: Range<Int>, _ text: [UInt8]) -> Bool {
                range.count == text.count && bytes[range].elementsEqual(text)
            }
            func endsWith(_ range: Range<Int>, _ text: [UInt8]) -> Bool {
                range.count >= text.count && bytes[range.upperBound - text.count..<range.upperBound].elementsEqual(text)
            }
            let all = 0..<bytes.count
            if all.isEmpty { return .none }
            if Bytes.noAddresses.contains(where: { equals(all, $0) }) { return .placeholder }
            // `githubNoreplyLogin`: after the first `+` of the local part, if any.
            if endsWith(all, Bytes.githubNoreply) {
                let localEnd = bytes.count - Bytes.githubNoreply.count
                var loginStart = 0
                if let plus = bytes[0..<localEnd].firstIndex(of: UInt8(ascii: "+")) { loginStart = plus + 1 }
                if loginStart < localEnd { return .githubLogin(loginStart..<localEnd) }
            }
            // `EmailAddress.parts`: split at the last `@`.
            let lastAt = bytes.lastIndex(of: UInt8(ascii: "@"))
            if let lastAt {
                let domain = lastAt + 1..<bytes.count
                if Bytes.unreachable.contains(where: { equals(domain, $0) }) { return .placeholder }
            }
            // `EmailAddress.problem(with:)`: no space or control byte, one `@` with something
            // before it, a domain with a dot and no empty label.
            if bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) { return .invalid }
            guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at == lastAt, at > 0 else { return .invalid }
            let domain = at + 1..<bytes.count
            guard !domain.isEmpty, bytes[domain].contains(UInt8(ascii: ".")) else { return .invalid }
            if bytes[domain.lowerBound] == UInt8(ascii: ".") || bytes[domain.upperBound - 1] == UInt8(ascii: ".") {
                return .invalid
            }
            for index in domain.dropFirst()
            where bytes[index] == UInt8(ascii: ".") && bytes[index - 1] == UInt8(ascii: ".") {
                return .invalid
            }
            let local = 0..<at
            if Bytes.locals.contains(where: { equals(local, $0) })
                || Bytes.domains.contains(where: { equals(domain, $0) })
                || Bytes.domainSuffixes.contains(where: { endsWith(domain, $0) })
            {
                return .placeholder
            }
            return .address
        }
        switch verdict {
        case .none: return EmailEvidence.none
        case .placeholder: return .placeholder
        case .invalid: return .invalid
        case .githubLogin(let range):
            let login = address.utf8.dropFirst(range.lowerBound).prefix(range.count)
            return .githubLogin(String(decoding: login, as: UTF8.self))
        case .address:
            if placeholders.contains(where: { Glob.matches($0, address) }) { return .placeholder }
            return .address(address)
        }
    }

    /// What some exports write for no address at all.
    static let noAddresses: Set<String> = ["(none)", "none", "n/a"]
    /// Domains that are placeholders even where the address is otherwise not valid (no dot).
    static let unreachableDomains: Set<Substring> = ["localhost", "(none)"]
    static let githubNoreplySuffix = "@users.noreply.github.com"
    static let placeholderLocals: Set<Substring> = [
        "noreply", "no-reply", "donotreply", "do-not-reply", "nobody", "root",
    ]
    /// Domains of addresses that reach nobody, whole or as the end of the domain.
    static let placeholderDomains: Set<Substring> = [
        "localhost", "localhost.localdomain", "example.com", "example.org", "example.net", "(none)",
    ]
    static let placeholderDomainSuffixes = [".localhost", ".local", ".invalid"]

    /// The words of the rules above as bytes, for ``classifyASCII(_:placeholders:)``.
    private enum Bytes {
        static let noAddresses = EmailEvidence.noAddresses.map { Array($0.utf8) }
        static let unreachable = unreachableDomains.map { Array($0.utf8) }
        static let githubNoreply = Array(githubNoreplySuffix.utf8)
        static let locals = placeholderLocals.map { Array($0.utf8) }
        static let domains = placeholderDomains.map { Array($0.utf8) }
        static let domainSuffixes = placeholderDomainSuffixes.map { Array($0.utf8) }
    }

    /// `12345+jdoe@users.noreply.github.com` or `jdoe@users.noreply.github.com` → `jdoe`.
    static func githubNoreplyLogin(_ address: String) -> String? {
        guard address.hasSuffix(githubNoreplySuffix) else { return nil }
        var local = address.dropLast(githubNoreplySuffix.count)
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
