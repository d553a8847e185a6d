/// Comparisons of names and handles, each with a likelihood in [0, 1] and a line for the evidence.
public enum NameEvidence {
    /// What two names (token lists) say about being one person, or nil when they say nothing.
    public static func compare(_ a: [String], _ b: [String]) -> (score: Double, line: String)? {
        if a == b {
            let shown = a.joined(separator: " ")
            if a.count >= 2 { return (0.97, "same name after normalisation: \"\(shown)\"") }
            let token = a[0]
            if token.allSatisfy(\.isNumber) { return nil }
            // A bare given name (Ivan, David) is shared by many; a handle-like word (mauke) is not.
            if !Nicknames.groupIDs(of: token).isEmpty { return (0.7, "same given name only: \"\(shown)\"") }
            if token.count >= 5 { return (0.9, "same one-word name: \"\(shown)\"") }
            if token.count >= 4 { return (0.8, "same one-word name: \"\(shown)\"") }
            return (0.6, "same short one-word name: \"\(shown)\"")
        }
        if a.count >= 2, b.count >= 2 {
            // Built only for the evidence line (and the similarity), not for every comparison.
            var shown: String { a.joined(separator: " ") }
            var other: String { b.joined(separator: " ") }
            if a.count == b.count, a.sorted() == b.sorted() {
                return (0.95, "same name, words in another order: \"\(shown)\" and \"\(other)\"")
            }
            let (firstA, lastA, firstB, lastB) = (a[0], a[a.count - 1], b[0], b[b.count - 1])
            if lastA == lastB {
                if firstA == firstB {
                    return (0.92, "same first and last name: \"\(shown)\" and \"\(other)\"")
                }
                if Nicknames.compatible(firstA, firstB) {
                    return (
                        0.9, "\"\(firstA)\" and \"\(firstB)\" are forms of one given name, same last name \"\(lastA)\""
                    )
                }
                if (firstA.count == 1 && firstB.hasPrefix(firstA)) || (firstB.count == 1 && firstA.hasPrefix(firstB)) {
                    return (0.8, "same last name and initial: \"\(shown)\" and \"\(other)\"")
                }
            }
            // "Doe Jane" against "Jane Doe" with a middle name, or swapped order with a nickname.
            if firstA == lastB, lastA == firstB { return (0.93, "same names in another order") }
            // The cheap conditions first; the similarity of the whole names last.
            guard firstA.first == firstB.first, JaroWinkler.similarity(lastA, lastB) >= 0.88 else { return nil }
            let (left, right) = (shown, other)
            let similarity = JaroWinkler.similarity(left, right)
            if similarity >= 0.94 {
                return (0.8, "similar names: \"\(left)\" and \"\(right)\" (Jaro-Winkler \(percent(similarity)))")
            }
        }
        return nil
    }

    /// Whether two names could be one person's (same, reordered, nickname, initial or very similar).
    public static func compatible(_ a: [String], _ b: [String]) -> Bool {
        if a == b { return true }
        if a.count == 1 || b.count == 1 {
            // One word against a full name: compatible when it is one of its words.
            let (one, full) = a.count == 1 ? (a[0], b) : (b[0], a)
            return full.contains(one) || full.contains { Nicknames.compatible($0, one) } || full.joined() == one
        }
        return (compare(a, b)?.score ?? 0) >= 0.8
    }

    /// What a handle (`jdoe`, `janedoe`) says about a name (`["jane", "doe"]`).
    public static func handle(_ handle: String, name: [String]) -> (score: Double, line: String)? {
        guard name.count >= 2, handle.utf8.count >= 4 else { return nil }
        let bare = NameNormaliser.withoutTrailingDigits(handle)
        let first = name[0]
        let last = name[name.count - 1]
        func shown() -> String { name.joined(separator: " ") }
        for candidate in bare == handle ? [handle] : [handle, bare] where candidate.count >= 4 {
            if spells(candidate, first, last) || (name.count > 2 && candidate == name.joined()) {
                return (0.93, "login or mailbox \"\(handle)\" spells the name \"\(shown())\"")
            }
            if spells(candidate, last, first) {
                return (0.9, "login or mailbox \"\(handle)\" spells the name \"\(shown())\", last name first")
            }
            for group in Nicknames.groupIDs(of: first) {
                for formal in Nicknames.groups[group] where spells(candidate, formal, last) {
                    return (
                        0.85, "login or mailbox \"\(handle)\" spells \"\(shown())\" with another form of the given name"
                    )
                }
            }
            if let initial = first.first {
                if candidate.count >= 5, candidate.first == initial, candidate.dropFirst() == last {
                    return (0.82, "login or mailbox \"\(handle)\" is the initial and last name of \"\(shown())\"")
                }
                if candidate.count >= 5, candidate.last == initial, candidate.dropLast() == last {
                    return (0.78, "login or mailbox \"\(handle)\" is the last name and initial of \"\(shown())\"")
                }
            }
            if let initial = last.first, candidate.count >= 5, candidate.last == initial, candidate.dropLast() == first
            {
                return (0.75, "login or mailbox \"\(handle)\" is the given name and initial of \"\(shown())\"")
            }
        }
        return nil
    }

    /// Whether `text` is `head` followed by `tail`, without building the joined string.
    static func spells(_ text: String, _ head: String, _ tail: String) -> Bool {
        let bytes = text.utf8
        guard bytes.count == head.utf8.count + tail.utf8.count, bytes.starts(with: head.utf8) else { return false }
        return bytes.dropFirst(head.utf8.count).elementsEqual(tail.utf8)
    }

    /// `0.953` → `"0.95"`.
    static func percent(_ value: Double) -> String {
        let hundredths = min(100, max(0, Int((value * 100).rounded())))
        if hundredths == 100 { return "1.00" }
        return "0.\(hundredths < 10 ? "0" : "")\(hundredths)"
    }
}
