import RosterCore
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("  jane@example.com \t\r\n", "jane@example.com"),
        ("JOSÉ@EXAMPLE.ES", "josé@example.es"),
        ("Jose\u{301}@example.es", "jos\u{E9}@example.es"),
        ("jos\u{E9}@example.es", "jos\u{E9}@example.es"),
        ("ÅSA@ÖREBRO.SE", "åsa@örebro.se"),
        ("\u{00A0}nbsp@example.com\u{00A0}", "nbsp@example.com"),
        ("", ""),
    ])
    func normalisesToTrimmedNFCLowerCase(raw: String, expected: String) {
        let normalised = EmailAddress.normalise(raw)
        // Compare scalars: String equality would hide a missing NFC step.
        #expect(Array(normalised.unicodeScalars) == Array(expected.unicodeScalars))
    }

    @Test func partsSplitAtTheLastAt() {
        #expect(
            EmailAddress.parts("jane.doe@example.com").map { [String($0.local), String($0.domain)] } == [
                "jane.doe", "example.com",
            ])
        #expect(
            EmailAddress.parts("\"a@b\"@exämple.de").map { [String($0.local), String($0.domain)] } == [
                "\"a@b\"", "exämple.de",
            ])
        #expect(EmailAddress.parts("josé@").map { [String($0.local), String($0.domain)] } == ["josé", ""])
        #expect(EmailAddress.parts("no-at-sign") == nil)
    }

    @Test func decomposedAndPrecomposedFormsCollate() {
        let decomposed = EmailAddress.normalise("E\u{301}LODIE@example.fr")
        let precomposed = EmailAddress.normalise("\u{C9}lodie@example.fr")
        #expect(decomposed.utf8.elementsEqual(precomposed.utf8))
    }

    @Test(arguments: [
        "jane@example.com", "jane.doe+tag@mail.example.co.uk", "j@x.io", "josé@exämple.de", "123@456.78",
        "a_b-c@sub-domain.example.org",
    ])
    func acceptsAUsableAddress(_ address: String) {
        #expect(EmailAddress.problem(with: address) == nil)
    }

    @Test(arguments: [
        ("", "the email is empty"),
        ("jane", "the email has no '@'"),
        ("jane@doe@example.com", "the email has more than one '@'"),
        ("@example.com", "the email has nothing before the '@'"),
        ("jane@", "the email has no domain after the '@'"),
        ("jane@localhost", "the email's domain has no dot"),
        ("jane@example..com", "the email's domain has an empty part (two dots, or a dot at an end)"),
        ("jane@.example.com", "the email's domain has an empty part (two dots, or a dot at an end)"),
        ("jane@example.com.", "the email's domain has an empty part (two dots, or a dot at an end)"),
        ("jane doe@example.com", "the email contains a space or a control character"),
        ("jane@exa\tmple.com", "the email contains a space or a control character"),
        ("jane\u{0}@example.com", "the email contains a space or a control character"),
        ("jane@example.com\u{2028}", "the email contains a space or a control character"),
    ])
    func refusesAnUnusableAddressAndSaysWhy(address: String, problem: String) {
        #expect(EmailAddress.problem(with: address) == problem)
    }
}
