import Foundation

/// Turns names, logins and email local parts into comparable forms.
///
/// Names are lower-cased, accents are folded (`é` → `e`, `ß` → `ss`, `ø` → `o`), punctuation
/// becomes a separator and runs of spaces collapse, so that `"  Dóe,  Jane "` and `"doe jane"` have
/// the same tokens. Handles (logins, local parts) keep only letters and digits.
public enum NameNormaliser {
    /// The tokens of a name, in order: `"Jean-Luc  Picard"` → `["jean", "luc", "picard"]`.
    public static func tokens(_ text: String) -> [String] {
        asciiTokens(text) ?? scalarTokens(text)
    }

    /// ``tokens(_:)`` scalar by scalar, for any text.
    static func scalarTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty {
                tokens.append(current)
                current = ""
            }
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                switch value {
                case 0x61...0x7A, 0x30...0x39: current.unicodeScalars.append(scalar)
                case 0x41...0x5A: current.unicodeScalars.append(Unicode.Scalar(value + 0x20)!)
                case 0x27: break  // O'Brien → obrien
                default: flush()
                }
            } else if let folded = fold(scalar) {
                current += folded
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current += String(scalar).lowercased()
            } else if scalar.properties.generalCategory == .nonspacingMark {
                continue
            } else {
                flush()
            }
        }
        flush()
        return tokens
    }

    /// ``tokens(_:)`` of ASCII text, byte by byte; nil when the text is not ASCII.
    ///
    /// Appending each scalar to a `String` was about a sixth of building the profiles of a full
    /// proposals pass over `bench/proposals.sh 300000` (perf).
    static func asciiTokens(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            var tokens: [String] = []
            var current: [UInt8] = []
            for byte in bytes {
                switch byte {
                case 0x61...0x7A, 0x30...0x39: current.append(byte)
                case 0x41...0x5A: current.append(byte + 0x20)
                case 0x27: break  // O'Brien → obrien
                case 0x80...: return nil
                default:
                    if !current.isEmpty {
                        tokens.append(String(decoding: current, as: UTF8.self))
                        current.removeAll(keepingCapacity: true)
                    }
                }
            }
            if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
            return tokens
        }
    }

    /// The name as one normalised string: tokens joined by single spaces.
    public static func normalise(_ text: String) -> String {
        tokens(text).joined(separator: " ")
    }

    /// The tokens sorted, so that token order does not matter: `"Doe, Jane"` → `"doe jane"`.
    public static func tokenSet(_ tokens: [String]) -> String {
        tokens.sorted().joined(separator: " ")
    }

    /// A login or local part reduced to letters and digits: `"Jane.Doe-2"` → `"janedoe2"`.
    public static func compactHandle(_ text: String) -> String {
        tokens(text).joined()
    }

    /// The parts of a handle split at separators: `"jane.doe"` → `["jane", "doe"]`.
    public static func handleTokens(_ text: String) -> [String] {
        tokens(text)  // `_` is a separator like any other punctuation
    }

    /// Drops trailing digits: `"jdoe42"` → `"jdoe"`.
    public static func withoutTrailingDigits(_ text: String) -> String {
        let utf8 = text.utf8
        guard let last = utf8.last, (0x30...0x39).contains(last) else { return text }
        // Read in place: made for every handle ending in a digit when a pair's handles are scored
        // (``MatchProfile/bareHandle(_:)``), where going through the view's indices was most of it.
        let cut: String? = utf8.withContiguousStorageIfAvailable { bytes in
            var end = bytes.count
            while end > 0, (0x30...0x39).contains(bytes[end - 1]) { end -= 1 }
            // A trailing ASCII digit is never part of a larger character: the cut is on a boundary.
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        }
        if let cut { return cut }
        var end = utf8.endIndex
        while end > utf8.startIndex {
            let before = utf8.index(before: end)
            guard (0x30...0x39).contains(utf8[before]) else { break }
            end = before
        }
        if end == utf8.endIndex { return text }
        // A trailing ASCII digit is never part of a larger character, so this cut is on a boundary.
        return String(Substring(utf8[..<end]))
    }

    private static func fold(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "ß": return "ss"
        case "ø", "Ø": return "o"
        case "æ", "Æ": return "ae"
        case "œ", "Œ": return "oe"
        case "ł", "Ł": return "l"
        case "đ", "Đ", "ð", "Ð": return "d"
        case "þ", "Þ": return "th"
        case "ı": return "i"
        default: break
        }
        // Decompose and keep the base letters: é → e + ◌́ → e.
        let decomposed = String(scalar).decomposedStringWithCanonicalMapping
        guard decomposed.unicodeScalars.count > 1 || decomposed.unicodeScalars.first != scalar else { return nil }
        var base = ""
        for part in decomposed.unicodeScalars where part.properties.generalCategory != .nonspacingMark {
            base.unicodeScalars.append(part)
        }
        return base.isEmpty ? nil : base.lowercased()
    }
}
