/// The Jaro-Winkler similarity of two strings, in [0, 1]; 1 when equal.
///
/// Compares Unicode scalars. Two ASCII strings are compared on their UTF-8 bytes (the same
/// scalars) with the match flags on the stack: the scalar arrays this used to build for every call
/// were about a tenth of a full proposals pass over `bench/proposals.sh 100000` (perf).
public enum JaroWinkler {
    public static func similarity(_ a: String, _ b: String) -> Double {
        var a = a
        var b = b
        if let fast = a.withUTF8({ s in b.withUTF8 { t in asciiSimilarity(s, t) } }) { return fast }
        // The scalars on the stack: arrays built for every call were a tenth of scoring a full
        // pass over names with accents (perf).
        let (countA, countB) = (a.unicodeScalars.count, b.unicodeScalars.count)
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: countA + countB) { buffer in
            var position = 0
            for scalar in a.unicodeScalars {
                buffer[position] = scalar.value
                position += 1
            }
            for scalar in b.unicodeScalars {
                buffer[position] = scalar.value
                position += 1
            }
            let base = UnsafeBufferPointer(buffer)
            return similarity(
                UnsafeBufferPointer(rebasing: base[0..<countA]), UnsafeBufferPointer(rebasing: base[countA...]))
        }
    }

    /// The similarity of two token lists joined by single spaces, without building the two strings
    /// when both are ASCII (the joined names of every candidate pair with similar last names were
    /// a twentieth of a full pass over `bench/proposals.sh 100000`, perf).
    static func similarity(joined a: [String], _ b: [String]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return similarity(a.joined(separator: " "), b.joined(separator: " ")) }
        let countA = a.reduce(a.count - 1) { $0 + $1.utf8.count }
        let countB = b.reduce(b.count - 1) { $0 + $1.utf8.count }
        let fast = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: countA + countB) { buffer -> Double? in
            var position = 0
            func append(_ tokens: [String]) {
                for (number, token) in tokens.enumerated() {
                    if number != 0 {
                        buffer[position] = 0x20
                        position += 1
                    }
                    for byte in token.utf8 {
                        buffer[position] = byte
                        position += 1
                    }
                }
            }
            append(a)
            append(b)
            let base = UnsafeBufferPointer(buffer)
            return asciiSimilarity(
                UnsafeBufferPointer(rebasing: base[0..<countA]), UnsafeBufferPointer(rebasing: base[countA...]))
        }
        return fast ?? similarity(a.joined(separator: " "), b.joined(separator: " "))
    }

    /// The similarity of two ASCII byte strings, or nil when either is not ASCII.
    static func asciiSimilarity(_ s: UnsafeBufferPointer<UInt8>, _ t: UnsafeBufferPointer<UInt8>) -> Double? {
        for byte in s where byte >= 0x80 { return nil }
        for byte in t where byte >= 0x80 { return nil }
        return similarity(s, t)
    }

    static func similarity<Element: FixedWidthInteger>(
        _ s: UnsafeBufferPointer<Element>, _ t: UnsafeBufferPointer<Element>
    ) -> Double {
        if s.count == t.count, s.elementsEqual(t) { return 1 }
        if s.isEmpty || t.isEmpty { return 0 }
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: s.count + t.count) { flags in
            flags.initialize(repeating: false)
            let sMatched = UnsafeMutableBufferPointer(rebasing: flags[0..<s.count])
            let tMatched = UnsafeMutableBufferPointer(rebasing: flags[s.count...])
            let window = max(0, max(s.count, t.count) / 2 - 1)
            var matches = 0
            for i in 0..<s.count {
                let low = max(0, i - window)
                let high = min(t.count - 1, i + window)
                if low > high { continue }
                for j in low...high where !tMatched[j] && s[i] == t[j] {
                    sMatched[i] = true
                    tMatched[j] = true
                    matches += 1
                    break
                }
            }
            if matches == 0 { return 0 }
            var transpositions = 0
            var j = 0
            for i in 0..<s.count where sMatched[i] {
                while !tMatched[j] { j += 1 }
                if s[i] != t[j] { transpositions += 1 }
                j += 1
            }
            let m = Double(matches)
            let jaro = (m / Double(s.count) + m / Double(t.count) + (m - Double(transpositions / 2)) / m) / 3
            var prefix = 0
            while prefix < min(4, s.count, t.count), s[prefix] == t[prefix] { prefix += 1 }
            return jaro + Double(prefix) * 0.1 * (1 - jaro)
        }
    }
}
