import Foundation

/// Normalisation and syntax checks for email addresses, the key that collates accounts.
public enum EmailAddress {
    /// The form under which an address is stored and compared: trimmed, Unicode NFC, lower-cased.
    public static func normalise(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }) {
            return trimmed.lowercased()
        }
        return trimmed.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// Why `address` (already normalised) is not a usable email address, or nil when it is.
    ///
    /// The check is syntactic: one `@`, a non-empty local part, a domain with a dot and no empty
    /// label, and no spaces or control characters.
    public static func problem(with address: String) -> String? {
        if address.isEmpty { return "the email is empty" }
        if address.unicodeScalars.contains(where: {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control
        }) {
            return "the email contains a space or a control character"
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return parts.count == 1 ? "the email has no '@'" : "the email has more than one '@'"
        }
        if parts[0].isEmpty { return "the email has nothing before the '@'" }
        let domain = parts[1]
        if domain.isEmpty { return "the email has no domain after the '@'" }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 { return "the email's domain has no dot" }
        if labels.contains(where: \.isEmpty) {
            return "the email's domain has an empty part (two dots, or a dot at an end)"
        }
        return nil
    }
}
