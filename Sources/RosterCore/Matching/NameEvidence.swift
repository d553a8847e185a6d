/// Comparisons of names and handles, each with a likelihood in [0, 1] and a line for the evidence.
public enum NameEvidence {
    /// What two names (token lists) say about being one person, or nil when they say nothing.
    public static func compare(_ a: [String], _ b: [String]) -> (score: Double, line: String)? {
        compare(a, b, lines: true)
    }

    /// ``compare(_:_:)``, with empty lines unless `lines`: scoring every candidate pair needs only
    /// the scores; the lines are written for the pairs a proposal shows.
    ///
    /// - Parameter floor: A result below it is of no use to the caller: the weaker rules (initial,
    ///   similarity) are not tried when it is above their score.
    static func compare(
        _ a: [String], _ b: [String], lines: Bool, floor: Double = 0
    ) -> (score: Double, line: String)? {
        if a == b {
            var shown: String { a.joined(separator: " ") }
            if a.count >= 2 { return (0.97, lines ? "same name after normalisation: \"\(shown)\"" : "") }
            let token = a[0]
            if token.allSatisfy(\.isNumber) { return nil }
            // A bare given name (Ivan, David) is shared by many; a handle-like word (mauke) is not.
            if !Nicknames.groupIDs(of: token).isEmpty {
                return (0.7, lines ? "same given name only: \"\(shown)\"" : "")
            }
            if token.count >= 5 { return (0.9, lines ? "same one-word name: \"\(shown)\"" : "") }
            if token.count >= 4 { return (0.8, lines ? "same one-word name: \"\(shown)\"" : "") }
            return (0.6, lines ? "same short one-word name: \"\(shown)\"" : "")
        }
        if a.count >= 2, b.count >= 2 {
            // Built only for the evidence line (and the similarity), not for every comparison.
            var shown: String { a.joined(separator: " ") }
            var other: String { b.joined(separator: " ") }
            if a.count == b.count, a.count == 2 ? (a[0] == b[1] && a[1] == b[0]) : a.sorted() == b.sorted() {
                return (0.95, lines ? "same name, words in another order: \"\(shown)\" and \"\(other)\"" : "")
            }
            let (firstA, lastA, firstB, lastB) = (a[0], a[a.count - 1], b[0], b[b.count - 1])
            if lastA == lastB {
                if firstA == firstB {
                    return (0.92, lines ? "same first and last name: \"\(shown)\" and \"\(other)\"" : "")
                }
                if Nicknames.compatible(firstA, firstB) {
                    return (
                        0.9,
                        lines
                            ? "\"\(firstA)\" and \"\(firstB)\" are forms of one given name, same last name \"\(lastA)\""
                            : ""
                    )
                }
                if floor <= 0.8,
                    (isOneCharacter(firstA) && firstB.hasPrefix(firstA))
                        || (isOneCharacter(firstB) && firstA.hasPrefix(firstB))
                {
                    return (0.8, lines ? "same last name and initial: \"\(shown)\" and \"\(other)\"" : "")
                }
            }
            // "Doe Jane" against "Jane Doe" with a middle name, or swapped order with a nickname.
            if firstA == lastB, lastA == firstB { return (0.93, lines ? "same names in another order" : "") }
            // The cheap conditions first; the similarity of the whole names last.
            guard floor <= 0.8, sameFirstCharacter(firstA, firstB), JaroWinkler.similarity(lastA, lastB) >= 0.88
            else { return nil }
            let similarity = JaroWinkler.similarity(joined: a, b)
            if similarity >= 0.94 {
                let (left, right) = (shown, other)
                return (
                    0.8,
                    lines ? "similar names: \"\(left)\" and \"\(right)\" (Jaro-Winkler \(percent(similarity)))" : ""
                )
            }
        }
        return nil
    }

    /// Whether two names could be one person's (same, reordered, nickname, initial or very similar).
    public static func compatible(_ a: [String], _ b: [String]) -> Bool {
        if let known = compatibleByForm(a, b) { return known }
        return (compare(a, b, lines: false)?.score ?? 0) >= 0.8
    }

    /// What ``compatible(_:_:)`` decides without ``compare(_:_:)``: true or false, or nil when only
    /// the comparison can tell.
    ///
    /// A scorer that already compared the two and found nothing knows the rest is false: asking
    /// ``compatible(_:_:)`` compared them again, a seventh of scoring a full pass (perf).
    static func compatibleByForm(_ a: [String], _ b: [String]) -> Bool? {
        if a == b { return true }
        if a.count == 1 || b.count == 1 {
            // One word against a full name: compatible when it is one of its words.
            let (one, full) = a.count == 1 ? (a[0], b) : (b[0], a)
            return full.contains(one) || full.contains { Nicknames.compatible($0, one) } || full.joined() == one
        }
        if truncatedLastName(a, b) { return true }
        return nil
    }

    /// Whether one name is the other with its last name cut to the initial (`Philip H` and `Philip
    /// Heiduck`): the two don't contradict each other, but many people share a given name and an
    /// initial, so it is no evidence for a pair on its own (``compare(_:_:)`` gives it nothing).
    static func truncatedLastName(_ a: [String], _ b: [String]) -> Bool {
        guard a.count == b.count, a.count >= 2, a.dropLast() == b.dropLast() else { return false }
        let (lastA, lastB) = (a[a.count - 1], b[b.count - 1])
        return (isOneCharacter(lastA) && lastB.count >= 2 && lastB.hasPrefix(lastA))
            || (isOneCharacter(lastB) && lastA.count >= 2 && lastA.hasPrefix(lastB))
    }

    /// What a handle (`jdoe`, `janedoe`) says about a name (`["jane", "doe"]`).
    public static func handle(_ handle: String, name: [String]) -> (score: Double, line: String)? {
        self.handle(handle, bare: NameNormaliser.withoutTrailingDigits(handle), name: name, lines: true)
    }

    /// ``handle(_:name:)`` with the handle's ``NameNormaliser/withoutTrailingDigits(_:)`` given, and
    /// empty lines unless `lines`.
    ///
    /// Letters-and-digits ASCII (nearly every handle and name) is compared byte by byte, where each
    /// byte is one character; anything else goes through `Character` comparisons as before. Building
    /// the bare handle and counting characters on every call were about a sixth of a full proposals
    /// pass over `bench/proposals.sh 100000` (perf).
    ///
    /// - Parameter ascii: Whether the handle and the name are known to be ASCII (``MatchProfile``
    ///   knows it once per person; checking each string on every call was a twelfth of a pass over
    ///   1,000,000 people, perf).
    static func handle(
        _ handle: String, bare: String, name: [String], lines: Bool, ascii known: Bool = false
    ) -> (score: Double, line: String)? {
        guard name.count >= 2, handle.utf8.count >= 4 else { return nil }
        let first = name[0]
        let last = name[name.count - 1]
        let asciiName = known || (isASCII(first) && isASCII(last))
        func shown() -> String { name.joined(separator: " ") }
        func check(_ candidate: String) -> (score: Double, line: String)? {
            let ascii = asciiName && (known || isASCII(candidate))
            let length = candidate.utf8.count
            guard ascii ? length >= 4 : candidate.count >= 4 else { return nil }
            // In ASCII, every rule but another form of the given name starts with the first byte
            // of the given or the last name.
            let leads =
                !ascii || candidate.utf8.first == first.utf8.first || candidate.utf8.first == last.utf8.first
            if leads,
                spells(candidate, first, last)
                    || (name.count > 2 && (spells(candidate, name) || (!ascii && candidate == name.joined())))
            {
                return (0.93, lines ? "login or mailbox \"\(handle)\" spells the name \"\(shown())\"" : "")
            }
            if leads, spells(candidate, last, first) {
                return (
                    0.9, lines ? "login or mailbox \"\(handle)\" spells the name \"\(shown())\", last name first" : ""
                )
            }
            // `spells` compares bytes: a candidate that does not end with the last name spells no form.
            if length > last.utf8.count, endsWith(candidate, last) {
                for group in Nicknames.groupIDs(of: first) {
                    for formal in Nicknames.groups[group] where spells(candidate, formal, last) {
                        return (
                            0.85,
                            lines
                                ? "login or mailbox \"\(handle)\" spells \"\(shown())\" with another form of the given name"
                                : ""
                        )
                    }
                }
            }
            if ascii {
                guard leads, length >= 5, !first.isEmpty, !last.isEmpty else { return nil }
                let bytes = candidate.utf8
                let initial = first.utf8.first!
                // The lengths first: one byte more than the last or the given name.
                let (firstLength, lastLength) = (first.utf8.count, last.utf8.count)
                guard length == lastLength + 1 || length == firstLength + 1 else { return nil }
                if length == lastLength + 1, bytes.first == initial, holds(candidate, last, at: 1) {
                    return (
                        0.82,
                        lines ? "login or mailbox \"\(handle)\" is the initial and last name of \"\(shown())\"" : ""
                    )
                }
                if length == lastLength + 1, bytes.last == initial, holds(candidate, last, at: 0) {
                    return (
                        0.78,
                        lines ? "login or mailbox \"\(handle)\" is the last name and initial of \"\(shown())\"" : ""
                    )
                }
                if length == firstLength + 1, bytes.last == last.utf8.first!, holds(candidate, first, at: 0) {
                    return (
                        0.75,
                        lines ? "login or mailbox \"\(handle)\" is the given name and initial of \"\(shown())\"" : ""
                    )
                }
                return nil
            }
            if let initial = first.first {
                if candidate.count >= 5, candidate.first == initial, candidate.dropFirst() == last {
                    return (
                        0.82,
                        lines ? "login or mailbox \"\(handle)\" is the initial and last name of \"\(shown())\"" : ""
                    )
                }
                if candidate.count >= 5, candidate.last == initial, candidate.dropLast() == last {
                    return (
                        0.78,
                        lines ? "login or mailbox \"\(handle)\" is the last name and initial of \"\(shown())\"" : ""
                    )
                }
            }
            if let initial = last.first, candidate.count >= 5, candidate.last == initial, candidate.dropLast() == first
            {
                return (
                    0.75, lines ? "login or mailbox \"\(handle)\" is the given name and initial of \"\(shown())\"" : ""
                )
            }
            return nil
        }
        if let found = check(handle) { return found }
        if bare != handle, let found = check(bare) { return found }
        return nil
    }

    /// Whether `text` is `head` followed by `tail`, without building the joined string.
    static func spells(_ text: String, _ head: String, _ tail: String) -> Bool {
        let count = head.utf8.count
        return text.utf8.count == count + tail.utf8.count && holds(text, head, at: 0) && holds(text, tail, at: count)
    }

    /// Whether `text` is the tokens joined, without building the joined string.
    static func spells(_ text: String, _ tokens: [String]) -> Bool {
        var offset = 0
        for token in tokens {
            guard holds(text, token, at: offset) else { return false }
            offset += token.utf8.count
        }
        return offset == text.utf8.count
    }

    /// Whether the bytes of `text` from `offset` on start with those of `part`, compared in the
    /// texts' storage when they have one: through the UTF-8 views' indices, these comparisons
    /// were 4% of the CPU of a full pass over 1,000,000 people (perf).
    @inline(__always)
    static func holds(_ text: String, _ part: String, at offset: Int) -> Bool {
        let fast = text.utf8.withContiguousStorageIfAvailable { bytes in
            part.utf8.withContiguousStorageIfAvailable { part in
                let start = min(offset, bytes.count)
                return bytes.count - start >= part.count && bytes[start..<(start + part.count)].elementsEqual(part)
            }
        }
        if let fast = fast ?? nil { return fast }
        return text.utf8.dropFirst(offset).starts(with: part.utf8)
    }

    /// Whether the bytes of `text` end with those of `tail`.
    static func endsWith(_ text: String, _ tail: String) -> Bool {
        let (count, tailCount) = (text.utf8.count, tail.utf8.count)
        return count >= tailCount && holds(text, tail, at: count - tailCount)
    }

    static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// Whether `text` is one character, without counting all of them.
    static func isOneCharacter(_ text: String) -> Bool {
        !text.isEmpty && text.index(after: text.startIndex) == text.endIndex
    }

    /// `a.first == b.first`; two different ASCII first bytes are two different characters, whatever follows.
    static func sameFirstCharacter(_ a: String, _ b: String) -> Bool {
        if let x = a.utf8.first, let y = b.utf8.first, x < 0x80, y < 0x80, x != y { return false }
        return a.first == b.first
    }

    /// `0.953` → `"0.95"`.
    static func percent(_ value: Double) -> String {
        let hundredths = min(100, max(0, Int((value * 100).rounded())))
        if hundredths == 100 { return "1.00" }
        return "0.\(hundredths < 10 ? "0" : "")\(hundredths)"
    }
}
