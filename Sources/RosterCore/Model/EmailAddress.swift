import Foundation

/// Normalisation and syntax checks for email addresses, the key that collates accounts.
public enum EmailAddress {
    /// The form under which an address is stored and compared: trimmed, Unicode NFC, lower-cased.
    public static func normalise(_ raw: String) -> String {
        if let ascii = normaliseASCII(raw) { return ascii }
        let trimmed = raw.trimmingWhitespace()
        return trimmed.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// ``normalise(_:)`` of an ASCII address (the common case), by its bytes: trimmed and
    /// lower-cased into one new string. Nil for anything else.
    static func normaliseASCII(_ raw: String) -> String? {
        var raw = raw
        return raw.withUTF8 { bytes in
            for byte in bytes where byte >= 0x80 { return nil }
            var (start, end) = (0, bytes.count)
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
    }

    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// The local part and the domain of `address`, split at its last `@`; nil without one.
    ///
    /// Finds the `@` among the bytes: `lastIndex(of:)` on characters was about a seventh of
    /// building the profiles of a full proposals pass (perf).
    public static func parts(_ address: String) -> (local: Substring, domain: Substring)? {
        guard let at = address.utf8.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        // `@` is ASCII: the byte index is a character boundary.
        return (address[..<at], address[address.utf8.index(after: at)...])
    }

    /// Why `address` (already normalised) is not a usable email address, or nil when it is.
    ///
    /// The check is syntactic: one `@`, a non-empty local part, a domain with a dot and no empty
    /// label, and no spaces or control characters.
    public static func problem(with address: String) -> String? {
        if address.isEmpty { return "the email is empty" }
        if address.utf8.allSatisfy({ $0 < 0x80 }) {
            if address.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
                return "the email contains a space or a control character"
            }
        } else if address.unicodeScalars.contains(where: {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control
        }) {
            return "the email contains a space or a control character"
        }
        let utf8 = address.utf8
        guard let at = utf8.firstIndex(of: UInt8(ascii: "@")) else { return "the email has no '@'" }
        let domain = utf8[utf8.index(after: at)...]
        if domain.contains(UInt8(ascii: "@")) { return "the email has more than one '@'" }
        if at == utf8.startIndex { return "the email has nothing before the '@'" }
        if domain.isEmpty { return "the email has no domain after the '@'" }
        guard domain.contains(UInt8(ascii: ".")) else { return "the email's domain has no dot" }
        if domain.first == UInt8(ascii: ".") || domain.last == UInt8(ascii: ".")
            || zip(domain, domain.dropFirst()).contains(where: { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") })
        {
            return "the email's domain has an empty part (two dots, or a dot at an end)"
        }
        return nil
    }
}
