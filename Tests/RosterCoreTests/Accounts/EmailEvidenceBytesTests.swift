import PropertyBased
import Testing

@testable import RosterCore

/// ASCII addresses are classified by their bytes; the general path reads characters.
@Suite struct EmailEvidenceBytesTests {
    static let pieces = [
        "a", "J", "doe", "@", "@", ".", "..", "+", "12345", " ", "\t", "\r\n", "\u{7F}", "-", "noreply", "no-reply",
        "root", "nobody", "users.noreply.github.com", "localhost", "localdomain", "local", "(none)", "none", "n/a",
        "example.com", "example.org", "example.net", "invalid", "acme.io", "com",
    ]
    static let text = Gen.int(in: 0...(pieces.count - 1)).map { pieces[$0] }.array(of: 0...7).map { $0.joined() }

    @Test func theByteClassifierAnswersAsTheCharacterOne() async {
        await propertyCheck(count: 2000, input: Self.text) { text in
            for placeholders in [[], ["*@acme.io", "build@*"]] {
                let bytes = EmailEvidence.classifyASCII(text, placeholders: placeholders)
                #expect(
                    bytes == EmailEvidence.classifyAny(text, placeholders: placeholders), "\(text.debugDescription)")
            }
        }
    }

    @Test(arguments: [
        "1+jdoe@users.noreply.github.com", "+@users.noreply.github.com", "@users.noreply.github.com",
        " x@y.local ", "a@b..c", "a@.b", "a@b.", "a@b@c.d", "@b.c", "a@b", "N/A", "Root@Host.Example.com",
        "me@sub.localhost", "x@localhost.localdomain", "x@y.invalid", "x@(none)", "noreply@acme.io",
        "no-reply@acme.io", "donotreply@acme.io", "do-not-reply@acme.io", "nobody@acme.io", "root@acme.io",
        "x@example.org", "x@example.net",
    ])
    func theEdgesAgree(_ text: String) {
        #expect(
            EmailEvidence.classifyASCII(text, placeholders: []) == EmailEvidence.classifyAny(text, placeholders: []))
    }

    @Test func anythingButASCIITakesTheGeneralPath() {
        #expect(EmailEvidence.classifyASCII("josé@acme.io", placeholders: []) == nil)
        #expect(EmailEvidence.classify("José@Acme.io") == .address("josé@acme.io"))
    }
}
