import RosterCore
import Testing

@Suite struct AttributeTypeTests {
    private func accepted(_ type: AttributeType, _ raw: String) -> String? {
        try? type.normalise(raw).get()
    }

    private func refusal(_ type: AttributeType, _ raw: String) -> AttributeValueError? {
        if case .failure(let error) = type.normalise(raw) { return error }
        return nil
    }

    @Test(arguments: [("  Platform team ", "Platform team"), ("x", "x"), ("\tTabbed\n", "Tabbed"), ("=1+1", "=1+1")])
    func stringIsTrimmedAndOtherwiseKept(raw: String, expected: String) {
        #expect(accepted(.string, raw) == expected)
    }

    @Test(arguments: ["42", "-7", "3.5", " 10 ", "0", "1e3", "1e+5", "2.5E-3", "-0.25", "1.", "-.5"])
    func numberAcceptsDecimalNumbers(_ raw: String) {
        #expect(accepted(.number, raw) == raw.trimmingWhitespace())
    }

    @Test(arguments: [
        "", "abc", "+5", ".5", "3,5", "1 000", "inf", "nan", "NaN", "infinity", "1e999", "12abc", "--1", "0x10",
        "0x1p3", "0X1A", "-0x10",
    ])
    func numberRefusesAnythingElse(_ raw: String) throws {
        let error = try #require(refusal(.number, raw))
        #expect(error.problem == "not a number")
        #expect(error.fix.contains("42"))
    }

    @Test(arguments: ["2024-02-29", "2000-02-29", "2023-12-31", "1999-01-01", " 2024-03-31 ", "2023-04-30"])
    func dateAcceptsRealCalendarDates(_ raw: String) {
        #expect(accepted(.date, raw) == raw.trimmingWhitespace())
    }

    @Test(arguments: [
        "2023-02-29", "1900-02-29", "2100-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10",
        "2024-01-00", "2024-1-01", "24-01-01", "2024/01/01", "2024-01-01T00:00", "31.12.2024", "", "２０２４-01-01",
        "2024-0a-01",
    ])
    func dateRefusesImpossibleOrOtherwiseWrittenDates(_ raw: String) throws {
        let error = try #require(refusal(.date, raw))
        #expect(error.problem == "not a date in the form YYYY-MM-DD")
        #expect(error.fix.contains("2024-03-31"))
    }

    @Test(arguments: [
        ("true", "true"), ("TRUE", "true"), ("Yes", "true"), ("y", "true"), ("1", "true"), (" yes ", "true"),
        ("false", "false"), ("False", "false"), ("NO", "false"), ("n", "false"), ("0", "false"),
    ])
    func booleanAcceptsCommonSpellings(raw: String, expected: String) {
        #expect(accepted(.boolean, raw) == expected)
    }

    @Test(arguments: ["", "maybe", "on", "off", "2", "t", "yes please"])
    func booleanRefusesOtherWords(_ raw: String) throws {
        let error = try #require(refusal(.boolean, raw))
        #expect(error.problem == "not a boolean")
        #expect(error.fix == "write true or false")
    }

    @Test func emailIsNormalisedOrRefusedWithTheReason() throws {
        #expect(accepted(.email, " Boss@Example.COM ") == "boss@example.com")
        let nfc = try #require(accepted(.email, "E\u{301}lodie@example.fr"))
        #expect(Array(nfc.unicodeScalars) == Array("\u{E9}lodie@example.fr".unicodeScalars))
        let error = try #require(refusal(.email, "boss at example.com"))
        #expect(error.problem == "the email contains a space or a control character")
        #expect(error.fix.contains("jane.doe@example.com"))
        #expect(refusal(.email, "boss@localhost")?.problem == "the email's domain has no dot")
    }

    @Test(arguments: [("engineering", "Engineering"), ("SALES", "Sales"), (" r&d ", "R&D"), ("Sales", "Sales")])
    func enumerationMatchesCaseInsensitivelyAndStoresTheDeclaredSpelling(raw: String, expected: String) {
        #expect(accepted(.enumeration(["Engineering", "Sales", "R&D"]), raw) == expected)
    }

    @Test func enumerationSuggestsTheClosestValue() throws {
        let type = AttributeType.enumeration(["Engineering", "Sales", "R&D"])
        let error = try #require(refusal(type, "Engneering"))
        #expect(error.problem == "not one of the allowed values")
        #expect(error.fix == "did you mean Engineering? Otherwise use one of: Engineering, Sales, R&D")
        let far = try #require(refusal(type, "Marketing"))
        #expect(far.fix == "use one of: Engineering, Sales, R&D")
    }

    @Test(arguments: [
        (AttributeType.string, "string"), (.number, "number"), (.date, "date"), (.boolean, "boolean"),
        (.email, "email"), (.enumeration(["a"]), "enum"),
    ])
    func describesItselfByItsConfigName(type: AttributeType, name: String) {
        #expect(type.description == name)
        #expect(AttributeType.names.contains(name))
    }

    @Test func attributeDefinitionTakesItsKeyAsTitleByDefault() {
        let definition = AttributeDefinition(key: "team")
        #expect(definition.title == "team")
        #expect(definition.type == .string)
        #expect(!definition.required)
        let config = RosterConfig(attributes: [definition])
        #expect(config.attribute("TEAM") == definition)
        #expect(config.attribute("teams") == nil)
    }
}
