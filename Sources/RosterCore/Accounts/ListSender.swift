/// A display name a mailing list rewrote: `Jane Doe via curl-library` from `curl-library@…`.
///
/// Lists that protect senders' domains (Mailman's DMARC mitigation, Google Groups) send a member's
/// message from the list's own address and name it "`<sender>` via `<list>`". Such an account's
/// address is the list's, shared by everyone who posts there, and its name is the sender's. The
/// list's name must spell the address's local part (letters and digits compared), so that a name
/// with "Via" in it is not taken for one.
public enum ListSender {
    /// The sender's name when `displayName` reads "`<sender>` via `<list>`" and `email` is the
    /// list's address, else nil.
    public static func sender(in displayName: String?, email: String?) -> String? {
        guard let displayName, let email, mentionsVia(displayName), let at = email.lastIndex(of: "@") else {
            return nil
        }
        let words = displayName.split(whereSeparator: \.isWhitespace)
        guard words.count >= 3,
            let via = words.indices.dropFirst().dropLast().last(where: { words[$0].lowercased() == "via" })
        else { return nil }
        func compact<S: StringProtocol>(_ text: S) -> String {
            String(text.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        }
        let list = compact(words[(via + 1)...].joined())
        guard !list.isEmpty, list == compact(email[..<at]) else { return nil }
        return words[..<via].joined(separator: " ")
    }

    /// Whether the bytes hold " via " in any case: every account's name is asked, on the path that
    /// builds a profile per person, so most are let go without splitting them into words.
    static func mentionsVia(_ name: String) -> Bool {
        // How much of " via " the last bytes matched.
        let via: [UInt8] = [0x20, UInt8(ascii: "v"), UInt8(ascii: "i"), UInt8(ascii: "a")]
        var matched = 0
        for byte in name.utf8 {
            if byte == 0x20 {
                if matched == 4 { return true }
                matched = 1
            } else if matched >= 1, matched <= 3, byte | 0x20 == via[matched] {
                matched += 1
            } else {
                matched = 0
            }
        }
        return false
    }
}
