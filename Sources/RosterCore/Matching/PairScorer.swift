/// The confidence that two people are one, with the evidence for and against.
public struct PairScore: Sendable, Equatable {
    public var confidence: Double
    /// What matched and what differs, one line each, strongest first.
    public var evidence: [String]
    /// Why this pair must not be applied without a close look (shared mailbox, bot).
    public var flags: [String]

    public init(confidence: Double, evidence: [String], flags: [String] = []) {
        self.confidence = confidence
        self.evidence = evidence
        self.flags = flags
    }
}

/// Scores a candidate pair of people from their names, handles, emails and accounts.
///
/// The strongest piece of positive evidence sets the base; an independent second kind (a name and a
/// handle) raises it; negative evidence (two different addresses at one organisation's domain,
/// clearly different names, a shared placeholder address) lowers it. Confidences were calibrated
/// on the development set so that a band's share of correct proposals is close to its value
/// (docs/MATCHING.md).
public enum PairScorer {
    /// Below this, a pair is not proposed at all.
    public static let floor = 0.5

    /// Mail providers whose users are unrelated to each other.
    static let publicDomains: Set<String> = [
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "msn.com",
        "aol.com", "icloud.com", "me.com", "mac.com", "gmx.de", "gmx.net", "gmx.com", "web.de", "mail.ru",
        "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "protonmail.com", "proton.me", "fastmail.com",
        "fastmail.fm", "free.fr", "orange.fr", "wanadoo.fr", "laposte.net", "t-online.de", "posteo.de",
        "mailbox.org", "zoho.com", "hey.com", "users.sourceforge.net", "yahoo.co.jp", "naver.com", "foxmail.com",
        "sina.com", "seznam.cz", "wp.pl", "o2.pl", "interia.pl", "libero.it", "btinternet.com", "comcast.net",
    ]

    public static func score(_ a: MatchProfile, _ b: MatchProfile) -> PairScore? {
        score(a, b, lines: true)
    }

    /// Whether the pair scores at all, as a full pass decides its edges: without the evidence lines,
    /// which cost most of the time of scoring (a refresh scores tens of thousands of pairs to find
    /// the partners of the changed people and shows none of them).
    public static func scores(_ a: MatchProfile, _ b: MatchProfile) -> Bool {
        score(a, b, lines: false) != nil
    }

    /// ``score(_:_:)``; without `lines`, the evidence is left empty (the confidence and the flags
    /// are the same).
    ///
    /// A full pass scores every candidate pair but shows only the few that join a proposal: building
    /// and keeping every pair's lines was most of the time and memory of scoring on
    /// `bench/proposals.sh 100000` (perf, peak RSS); ``Matcher`` scores again with lines the pairs
    /// a proposal shows.
    static func score(_ a: MatchProfile, _ b: MatchProfile, lines: Bool) -> PairScore? {
        if a.id == b.id { return nil }
        var flags: [String] = []
        if a.isBot != b.isBot { return nil }  // a bot is never one person with a human
        if a.isBot { flags.append("both are bots") }

        var nameBest: (score: Double, line: String)?
        if !lines {
            // Only the best score matters without lines.
            // Loops over indices: a `for … in` over a list copies it, and a copy of a profile's
            // ``SmallList`` retains each of its parts (a tenth more time in the scoring, perf).
            for i in a.names.indices {
                for j in b.names.indices {
                    let score = NameEvidence.compare(a.names[i], b.names[j], lines: false)?.score ?? 0
                    if score > (nameBest?.score ?? 0) { nameBest = (score, "") }
                }
            }
        } else {
            // The best pair by score first, then its line alone: writing a line for every pair that
            // scored was most of writing the drafts of a full pass (perf, `bench/proposals.sh`).
            var best: (score: Double, left: Int, right: Int)?
            for i in a.names.indices {
                for j in b.names.indices {
                    if let found = NameEvidence.compare(a.names[i], b.names[j], lines: false),
                        found.score > (best?.score ?? 0)
                    {
                        best = (found.score, i, j)
                    }
                }
            }
            if let best { nameBest = NameEvidence.compare(a.names[best.left], b.names[best.right], lines: true) }
        }
        var handleBest: (score: Double, line: String)?
        for i in a.handles.indices {
            let handle = a.handles[i]
            guard b.handles.contains(handle), handle.count >= 4 else { continue }
            let score = handle.count >= 6 ? 0.93 : handle.count >= 5 ? 0.85 : 0.75
            if score > (handleBest?.score ?? 0) {
                handleBest = (score, lines ? "same login or mailbox name \"\(handle)\"" : "")
            }
        }
        // A function called twice rather than a loop over `[(a, b), (b, a)]`, which copied both profiles.
        func handleEvidence(_ one: MatchProfile, _ other: MatchProfile) {
            if !lines {
                // The same maximum as the loops below, a name at a time.
                for i in other.names.indices {
                    let score = Self.handleScore(one, other.names[i], ascii: one.isASCII && other.isASCII)
                    if score > (handleBest?.score ?? 0) { handleBest = (score, "") }
                }
                return
            }
            // As for the names: the best by score, then its line.
            let ascii = one.isASCII && other.isASCII
            var best: (score: Double, handle: Int, name: Int)?
            for i in one.handles.indices {
                let bare = one.bareHandle(i)
                for j in other.names.indices {
                    if let found = NameEvidence.handle(
                        one.handles[i], bare: bare, name: other.names[j], lines: false, ascii: ascii),
                        found.score > max(best?.score ?? 0, handleBest?.score ?? 0)
                    {
                        best = (found.score, i, j)
                    }
                }
            }
            if let best {
                handleBest = NameEvidence.handle(
                    one.handles[best.handle], bare: one.bareHandle(best.handle), name: other.names[best.name],
                    lines: true, ascii: ascii)
            }
            var split: (score: Double, split: Int, name: Int)?
            for i in one.handleNames.indices {
                for j in other.names.indices where other.names[j].count >= 2 {
                    if let found = NameEvidence.compare(one.handleNames[i], other.names[j], lines: false, floor: 0.9),
                        found.score >= 0.9, found.score - 0.02 > max(split?.score ?? 0, handleBest?.score ?? 0)
                    {
                        split = (found.score - 0.02, i, j)
                    }
                }
            }
            if let split {
                let (handle, name) = (one.handleNames[split.split], other.names[split.name])
                handleBest = (
                    split.score,
                    "login or mailbox \"\(handle.joined(separator: "."))\" reads as the name \"\(name.joined(separator: " "))\""
                )
            }
        }
        handleEvidence(a, b)
        handleEvidence(b, a)
        // One's handle is the other's plus trailing digits (`djelinski`, `djelinski1`). Digits are
        // often added because someone else had the plain name, so alone this stays below the accept
        // threshold; beside a handle that spells the other's name it is a second, corroborating sign.
        // Short handles (`jsmith`) and two numbered ones (`jsmith1`, `jsmith2`) say too little.
        var corroboration: String?
        if !a.handles.contains(where: b.handles.contains), let common = digitsOnly(a, b) {
            let score = 0.88
            let line = lines ? "logins or mailbox names \"\(common)\" differ only in trailing digits" : ""
            if let found = handleBest {
                let (high, low) = found.score >= score ? (found.score, score) : (score, found.score)
                handleBest = (1 - (1 - high) * (1 - 0.6 * low), found.line)
                corroboration = line
            } else {
                handleBest = (score, line)
            }
        }
        var sameGitHubUser = false
        for user in a.githubUsers where b.githubUsers.contains(user) {
            if user.hasPrefix("id ") {
                // The same numeric id under two logins: a renamed account, or a copied address.
                if (handleBest?.score ?? 0) < 0.85 {
                    handleBest = (0.85, lines ? "same GitHub user \(user) in noreply addresses" : "")
                }
            } else {
                handleBest = (0.97, lines ? "same GitHub login in noreply addresses: \(user)" : "")
                sameGitHubUser = true
                break
            }
        }
        // The stronger first; a name wins a tie, as the stable sort of [name, handle] did. Two
        // values, not a list: a list was an allocation for nearly every pair scored.
        let strongest: (score: Double, line: String)
        let second: (score: Double, line: String)?
        switch (nameBest, handleBest) {
        case (nil, nil): return nil
        case (let name?, nil): (strongest, second) = (name, nil)
        case (nil, let handle?): (strongest, second) = (handle, nil)
        case (let name?, let handle?): (strongest, second) = handle.score > name.score ? (handle, name) : (name, handle)
        }
        var confidence = strongest.score
        var evidence: [String] = []
        if lines {
            evidence.append(strongest.line)
            if let corroboration { evidence.append(corroboration) }
            if let second { evidence.append(second.line) }
        }
        if let second {
            confidence = 1 - (1 - confidence) * (1 - 0.6 * second.score)
        }

        // Two full names that differ (reordered, nickname, typo) are for a person to confirm: only
        // the same name, or the same first and last name around a middle one, is accepted on names.
        // Reordered names (0.95, 0.93) are capped too: `Tseng Jun` and `Jun Tseng` can be two people.
        if !sameGitHubUser, let nameBest, nameBest.score != 0.97, nameBest.score != 0.92, hasFullName(a),
            hasFullName(b), !a.names.contains(where: { b.names.contains($0) })
        {
            confidence = min(confidence, 0.89)
        }

        // Negative evidence.
        if (nameBest?.score ?? 0) < 0.92, a.privateDomains.contains(where: b.privateDomains.contains),
            !a.sharesEmail(with: b)
        {
            if !lines {
                confidence *= 0.6
            } else if let common = Set(a.privateDomains).intersection(b.privateDomains).sorted().first {
                confidence *= 0.6
                evidence.append("against: different addresses at the same domain \(common)")
            }
        }
        if a.integrations.contains(where: b.integrations.contains) {
            confidence *= 0.97
            if lines {
                let common = Set(a.integrations).intersection(b.integrations).sorted()
                evidence.append("against: both have \(common.joined(separator: ", ")) accounts")
            }
        }
        // A noreply address names one GitHub account, whatever its display names say. No pair of
        // names compared to anything (`nameBest` is nil), so only their forms can make them compatible.
        if nameBest == nil, !sameGitHubUser, hasFullName(a), hasFullName(b),
            !a.names.contains(where: { left in b.names.contains { NameEvidence.compatibleByForm(left, $0) ?? false } })
        {
            confidence *= 0.5
            if lines {
                let left = a.names.first { $0.count >= 2 }!.joined(separator: " ")
                let right = b.names.first { $0.count >= 2 }!.joined(separator: " ")
                evidence.append("against: the names differ: \"\(left)\" and \"\(right)\"")
            }
        }
        if nameBest == nil, a.placeholders.contains(where: b.placeholders.contains) {
            confidence *= 0.5
            if lines, let placeholder = Set(a.placeholders).intersection(b.placeholders).sorted().first {
                evidence.append("against: only a placeholder address in common (\(placeholder))")
            }
        }
        if let why = a.sharedMailbox { flags.append("\(a.id): \(why)") }
        if let why = b.sharedMailbox { flags.append("\(b.id): \(why)") }
        if !flags.isEmpty { confidence = min(confidence, 0.5) }

        // Context lines: why email linking could not see it.
        if lines {
            for profile in [a, b] {
                for key in profile.accountsWithoutEmail.prefix(2) {
                    evidence.append("the \(key.integration) account \(key.accountID) has no email")
                }
            }
        }
        guard confidence >= floor || !flags.isEmpty && strongest.score >= floor else { return nil }
        return PairScore(confidence: (confidence * 1000).rounded() / 1000, evidence: evidence, flags: flags)
    }

    /// What `one`'s handles and handle names say about `name`, the best score only (no lines); 0
    /// when nothing.
    static func handleScore(_ one: MatchProfile, _ name: [String], ascii: Bool) -> Double {
        var best = 0.0
        for i in one.handles.indices {
            if let found = NameEvidence.handle(
                one.handles[i], bare: one.bareHandle(i), name: name, lines: false, ascii: ascii),
                found.score > best
            {
                best = found.score
            }
        }
        if name.count >= 2 {
            for i in one.handleNames.indices {
                let split = one.handleNames[i]
                if let found = NameEvidence.compare(split, name, lines: false, floor: 0.9), found.score >= 0.9,
                    found.score - 0.02 > best
                {
                    best = found.score - 0.02
                }
            }
        }
        return best
    }

    /// A handle of 8 bytes or more, without trailing digits, that both have once their handles'
    /// trailing digits are dropped, and one of them has as it is (`djelinski`, `djelinski1`); nil
    /// when there is none.
    static func digitsOnly(_ a: MatchProfile, _ b: MatchProfile) -> String? {
        var others: [String]?
        for i in a.handles.indices {
            let bare = a.bareHandle(i)
            guard bare.utf8.count >= 8 else { continue }
            if others == nil { others = b.bareHandles }
            if others!.contains(bare), a.handles.contains(bare) || b.handles.contains(bare) { return bare }
        }
        return nil
    }

    static func hasFullName(_ profile: MatchProfile) -> Bool {
        profile.names.contains { $0.count >= 2 }
    }

    static func domain(_ address: String) -> String? {
        EmailAddress.parts(address).map { String($0.domain) }
    }
}
