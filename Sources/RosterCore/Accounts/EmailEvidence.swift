#if canImport(Glibc)
    import Glibc
#endif

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

    /// ``classify(_:placeholders:)`` of an ASCII address (nearly all), by its bytes: the same
    /// rules in the same order, with one allocation for the normalised address instead of the
    /// String searches, suffix tests and substring hashing that were more than half of building
    /// the profiles of a full proposals pass (perf, `bench/proposals.sh 1000000`). Nil for
    /// anything else, which takes the general path.
    static func classifyASCII(_ raw: String, placeholders: [String]) -> EmailEvidence? {
        var raw = raw
        let normalised: String? = raw.withUTF8 { bytes in
            var start = 0
            var end = bytes.count
            for byte in bytes where byte >= 0x80 { return nil }
            while start < end, isASCIISpace(bytes[start]) { start += 1 }
            while end > start, isASCIISpace(bytes[end - 1]) { end -= 1 }
            return String(unsafeUninitializedCapacity: end - start) { buffer in
                for index in start..<end {
                    let byte = bytes[index]
                    buffer[index - start] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                }
                return end - start
            }
        }
        guard var address = normalised else { return nil }
        enum Verdict {
            case none, placeholder, invalid, address
            case githubLogin(Range<Int>)
        }
        let verdict: Verdict = address.withUTF8 { bytes in
            func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
                range.count == text.utf8CodeUnitCount
                    && memcmp(bytes.baseAddress! + range.lowerBound, text.utf8Start, range.count) == 0
            }
            func endsWith(_ range: Range<Int>, _ text: StaticString) -> Bool {
                let count = text.utf8CodeUnitCount
                return range.count >= count
                    && memcmp(bytes.baseAddress! + range.upperBound - count, text.utf8Start, count) == 0
            }
            let all = 0..<bytes.count
            if all.isEmpty { return .none }
            if equals(all, "(none)") || equals(all, "none") || equals(all, "n/a") { return .placeholder }
            // `githubNoreplyLogin`: after the first `+` of the local part, if any.
            if endsWith(all, "@users.noreply.github.com") {
                let localEnd = bytes.count - 25
                var loginStart = 0
                if let plus = bytes[0..<localEnd].firstIndex(of: UInt8(ascii: "+")) { loginStart = plus + 1 }
                if loginStart < localEnd { return .githubLogin(loginStart..<localEnd) }
            }
            // `EmailAddress.parts`: split at the last `@`.
            let lastAt = bytes.lastIndex(of: UInt8(ascii: "@"))
            if let lastAt {
                let domain = lastAt + 1..<bytes.count
                if equals(domain, "localhost") || equals(domain, "(none)") { return .placeholder }
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
            if equals(local, "noreply") || equals(local, "no-reply") || equals(local, "donotreply")
                || equals(local, "do-not-reply") || equals(local, "nobody") || equals(local, "root")
            {
                return .placeholder
            }
            if equals(domain, "localhost") || endsWith(domain, ".localhost") || endsWith(domain, ".local")
                || equals(domain, "localhost.localdomain") || equals(domain, "example.com")
                || equals(domain, "example.org") || equals(domain, "example.net") || endsWith(domain, ".invalid")
                || equals(domain, "(none)")
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

    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
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
