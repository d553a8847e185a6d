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
        var memo: Memo?
        return score(a, b, lines: lines, memo: &memo)
    }

    /// What scoring found for names in one piece of a pass, so that the pairs of a block are not
    /// each compared from scratch: in a block of people with one name, every member's handles were
    /// read against that same name once per partner (the handle rules and name comparisons were
    /// two thirds of scoring a full pass over `bench/proposals.sh 300000`, perf).
    ///
    /// Only scores are kept (the lines are written for the pairs shown, without it). Names are
    /// known by a 64-bit hash of their tokens with their count and length: two different names
    /// would have to collide on all three within one piece of a pass to be mistaken.
    struct Memo {
        struct NamePair: MemoKey {
            var left: NameKey
            var right: NameKey

            var mixed: UInt64 {
                ScoreTable<Self>.mix(
                    left.hash ^ (right.hash &* 0x9E37_79B9_7F4A_7C15), UInt64(left.shape ^ right.shape << 1))
            }
        }
        struct Handles: MemoKey {
            var person: ObjectIdentifier
            var name: NameKey

            var mixed: UInt64 {
                ScoreTable<Self>.mix(name.hash, UInt64(UInt(bitPattern: person)) ^ UInt64(name.shape))
            }
        }
        struct NameKey: Hashable {
            var hash: UInt64
            var shape: Int

            init(_ tokens: [String]) {
                var hash = FNV1a()
                var bytes = 0
                for token in tokens {
                    hash.add(token.utf8)
                    hash.add(0x1F)
                    bytes += token.utf8.count
                }
                self.hash = hash.value
                shape = bytes << 8 | min(tokens.count, 255)
            }
        }
        // Both sized for a piece of a full pass over `bench/proposals.sh 1000000`, which keeps up
        // to 3,000 names and 13,000 handles: growing the tables from 1,024 was a hundredth of the
        // scoring (perf). Together they take 1.7 MB per thread.

        /// ``NameEvidence/compare(_:_:lines:floor:)`` of two names; 0 when it found nothing.
        var names = ScoreTable<NamePair>(capacity: 4096)
        /// The best a person's handles say about a name (`handleEvidence`); 0 when nothing.
        var handles = ScoreTable<Handles>(capacity: 16_384)
    }

    /// ``score(_:_:lines:)``, remembering what names scored in `memo` when given (only without
    /// `lines`).
    static func score(_ a: MatchProfile, _ b: MatchProfile, lines: Bool, memo: inout Memo?) -> PairScore? {
        if a.id == b.id { return nil }
        var flags: [String] = []
        if a.isBot != b.isBot { return nil }  // a bot is never one person with a human
        if a.isBot { flags.append("both are bots") }

        var nameBest: (score: Double, line: String)?
        // The memo's keys of both people's names, hashed once for the pair (hashing them at each
        // use was a twentieth of scoring a full pass, perf).
        var (aKeys, bKeys) = (SmallList<Memo.NameKey>(), SmallList<Memo.NameKey>())
        if !lines {
            for i in a.names.indices { aKeys.append(Memo.NameKey(a.names[i])) }
            for j in b.names.indices { bKeys.append(Memo.NameKey(b.names[j])) }
            // Only the best score matters without lines; equal names compare at once.
            // Loops over indices: a `for … in` over a list copies it, and a copy of a profile's
            // ``SmallList`` retains each of its parts (a tenth more time in the scoring, perf).
            for i in a.names.indices {
                let left = a.names[i]
                for j in b.names.indices {
                    let right = b.names[j]
                    var score: Double
                    if left == right {
                        score = NameEvidence.compare(left, right, lines: false)?.score ?? 0
                    } else {
                        let key = Memo.NamePair(left: aKeys[i], right: bKeys[j])
                        if let known = memo?.names[key] {
                            score = known
                        } else {
                            score = NameEvidence.compare(left, right, lines: false)?.score ?? 0
                            memo?.names[key] = score
                        }
                    }
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
        // What `one`'s handles and handle names say about `name`, the best score only (no lines).
        func handleScore(_ one: MatchProfile, _ name: [String], ascii: Bool) -> Double {
            var best = 0.0
            for i in one.handles.indices {
                if let found = NameEvidence.handle(
                    one.handles[i], bare: one.bareHandles[i], name: name, lines: false, ascii: ascii),
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
        // A function called twice rather than a loop over `[(a, b), (b, a)]`, which copied both profiles.
        func handleEvidence(_ one: MatchProfile, _ other: MatchProfile, otherKeys: SmallList<Memo.NameKey>) {
            if !lines {
                // The same maximum as the loops below, a name at a time.
                for i in other.names.indices {
                    let name = other.names[i]
                    let key = Memo.Handles(person: ObjectIdentifier(one), name: otherKeys[i])
                    let score: Double
                    if let known = memo?.handles[key] {
                        score = known
                    } else {
                        score = handleScore(one, name, ascii: one.isASCII && other.isASCII)
                        memo?.handles[key] = score
                    }
                    if score > (handleBest?.score ?? 0) { handleBest = (score, "") }
                }
                return
            }
            // As for the names: the best by score, then its line.
            let ascii = one.isASCII && other.isASCII
            var best: (score: Double, handle: Int, name: Int)?
            for i in one.handles.indices {
                for j in other.names.indices {
                    if let found = NameEvidence.handle(
                        one.handles[i], bare: one.bareHandles[i], name: other.names[j], lines: false, ascii: ascii),
                        found.score > max(best?.score ?? 0, handleBest?.score ?? 0)
                    {
                        best = (found.score, i, j)
                    }
                }
            }
            if let best {
                handleBest = NameEvidence.handle(
                    one.handles[best.handle], bare: one.bareHandles[best.handle], name: other.names[best.name],
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
        handleEvidence(a, b, otherKeys: bKeys)
        handleEvidence(b, a, otherKeys: aKeys)
        // One's handle is the other's plus trailing digits (`djelinski`, `djelinski1`). Digits are
        // often added because someone else had the plain name, so alone this stays below the accept
        // threshold; beside a handle that spells the other's name it is a second, corroborating sign.
        // Short handles (`jsmith`) and two numbered ones (`jsmith1`, `jsmith2`) say too little.
        var corroboration: String?
        if !a.handles.contains(where: b.handles.contains),
            let common = a.bareHandles.first(where: {
                $0.utf8.count >= 8 && b.bareHandles.contains($0) && (a.handles.contains($0) || b.handles.contains($0))
            })
        {
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

    static func hasFullName(_ profile: MatchProfile) -> Bool {
        profile.names.contains { $0.count >= 2 }
    }

    static func domain(_ address: String) -> String? {
        EmailAddress.parts(address).map { String($0.domain) }
    }
}
