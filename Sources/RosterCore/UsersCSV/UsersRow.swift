/// One row of a users CSV, checked and normalised.
public struct UsersRow: Sendable, Equatable {
    public var line: Int
    public var id: PersonID?
    public var name: String
    /// The primary email, normalised.
    public var email: String
    /// Further emails, normalised, without the primary one and without repeats.
    public var otherEmails: [String]
    /// Account keys listed in `integration:<name>` columns, each with its column header.
    public var accounts: [(key: AccountKey, column: String)]
    /// Attribute values by key: nil clears the value (an empty cell).
    public var attributes: [(key: String, value: String?, column: String)]

    public static func == (lhs: UsersRow, rhs: UsersRow) -> Bool {
        lhs.line == rhs.line && lhs.id == rhs.id && lhs.name == rhs.name && lhs.email == rhs.email
            && lhs.otherEmails == rhs.otherEmails && lhs.accounts.map(\.key) == rhs.accounts.map(\.key)
            && lhs.attributes.map(\.key) == rhs.attributes.map(\.key)
            && lhs.attributes.map(\.value) == rhs.attributes.map(\.value)
    }
}

extension UsersCSVLayout {
    /// Reads one data record.
    ///
    /// - Returns: The row when it has no problem that stops it being applied, and the problems found
    ///   (a row may be returned with problems in cells that don't decide who it is, so that later
    ///   rows can still be checked against it).
    public func row(from record: CSVRecord) -> (row: UsersRow?, problems: [Problem]) {
        let line = record.line
        var problems: [Problem] = []
        let fields = record.fields
        func cell(_ index: Int) -> String {
            index < fields.count ? FormulaGuard.restore(fields[index]) : ""
        }
        func header(_ index: Int) -> String {
            index < headers.count ? headers[index] : "column \(index + 1)"
        }

        if fields.count > headers.count, fields[headers.count...].contains(where: { !$0.trimmingWhitespace().isEmpty })
        {
            problems.append(
                Problem(
                    line: line, column: "column \(headers.count + 1)", value: fields[headers.count],
                    problem: "the row has \(fields.count) cells but the header only \(headers.count)",
                    fix: "add a header for the extra cells or remove them (a comma inside a value needs quotes)"))
        }
        for index in blank where !cell(index).trimmingWhitespace().isEmpty {
            problems.append(
                Problem(
                    line: line, column: "column \(index + 1)", value: cell(index),
                    problem: "a value stands in a column without a header",
                    fix: "give the column a header or move the value"))
        }

        var id: PersonID?
        var idOK = true
        if let index = self.id {
            let raw = cell(index).trimmingWhitespace()
            if !raw.isEmpty {
                id = PersonID(parsing: raw)
                if id == nil {
                    idOK = false
                    problems.append(
                        Problem(
                            line: line, column: header(index), value: raw, problem: "not a Roster person id",
                            fix: "leave id empty for a new person, or use an id from the export such as U-000017"))
                }
            }
        }

        let name = cell(self.name).trimmingWhitespace()
        var nameOK = true
        if name.isEmpty {
            nameOK = false
            problems.append(
                Problem(
                    line: line, column: header(self.name), value: "", problem: "the name is empty",
                    fix: "fill in the person's full name"))
        } else if let reason = TextCheck.problem(inName: name) {
            nameOK = false
            problems.append(
                Problem(
                    line: line, column: header(self.name), value: name, problem: reason,
                    fix: "retype the name without hidden characters"))
        }

        let email = EmailAddress.normalise(cell(self.email))
        var emailOK = true
        if email.isEmpty {
            emailOK = false
            problems.append(
                Problem(
                    line: line, column: header(self.email), value: "", problem: "the email is empty",
                    fix:
                        "fill in the person's email address; a person without one can only come from an integration export"
                ))
        } else if let reason = EmailAddress.problem(with: email) {
            emailOK = false
            problems.append(
                Problem(
                    line: line, column: header(self.email), value: email, problem: reason,
                    fix: "write one address such as jane.doe@example.com; put further ones in other_emails"))
        }

        var otherEmails: [String] = []
        if let index = self.otherEmails {
            for part in cell(index).split(whereSeparator: { $0 == ";" || $0 == "," }) {
                let address = EmailAddress.normalise(String(part))
                if address.isEmpty { continue }
                if let reason = EmailAddress.problem(with: address) {
                    problems.append(
                        Problem(
                            line: line, column: header(index), value: address, problem: reason,
                            fix: "separate addresses with ';' and write each as name@example.com"))
                } else if address != email, !otherEmails.contains(address) {
                    otherEmails.append(address)
                }
            }
        }

        var accounts: [(key: AccountKey, column: String)] = []
        for (index, instance) in integrations {
            for part in cell(index).split(separator: ";") {
                let accountID = part.trimmingWhitespace()
                if accountID.isEmpty { continue }
                let key = AccountKey(integration: instance, accountID: accountID)
                if !accounts.contains(where: { $0.key == key }) {
                    accounts.append((key, header(index)))
                }
            }
        }

        var attributes: [(key: String, value: String?, column: String)] = []
        for (index, attribute) in self.attributes {
            let raw = cell(index).trimmingWhitespace()
            if raw.isEmpty {
                if attribute.required {
                    problems.append(
                        Problem(
                            line: line, column: header(index), value: "",
                            problem: "\(attribute.key) is required but empty",
                            fix: "fill in a \(attribute.type) value for every person"))
                } else {
                    attributes.append((attribute.key, nil, header(index)))
                }
                continue
            }
            // Line breaks and tabs may stand in free text; other controls and direction overrides not.
            let visible = raw.filter { $0 != "\r\n" && $0 != "\n" && $0 != "\r" && $0 != "\t" }
            if case .string = attribute.type, let reason = TextCheck.problem(in: visible, called: "the value") {
                problems.append(
                    Problem(
                        line: line, column: header(index), value: raw, problem: reason,
                        fix: "retype the value without hidden characters"))
                continue
            }
            switch attribute.type.normalise(raw) {
            case .success(let value):
                attributes.append((attribute.key, value, header(index)))
            case .failure(let error):
                problems.append(
                    Problem(
                        line: line, column: header(index), value: raw,
                        problem: "\(error.problem) (\(attribute.key) is of type \(attribute.type))", fix: error.fix))
            }
        }

        guard nameOK, emailOK, idOK else {
            return (nil, problems)
        }
        return (
            UsersRow(
                line: line, id: id, name: name, email: email, otherEmails: otherEmails, accounts: accounts,
                attributes: attributes),
            problems
        )
    }
}

/// Checks on free text such as names.
public enum TextCheck {
    /// Why a name can't be stored as it is, or nil: control characters and bidirectional overrides
    /// (which can make a name display as something else) are refused.
    public static func problem(inName name: String) -> String? {
        problem(in: name, called: "the name")
    }

    /// Why free text can't be stored as it is, or nil; `subject` opens the reason ("the value").
    public static func problem(in name: String, called subject: String) -> String? {
        // Fast path on the bytes: C0 controls and DEL are single bytes, C1 controls start with 0xC2
        // 0x80...0x9F, and the direction overrides with 0xE2 0x80 or 0xE2 0x81.
        let bytes = Array(name.utf8)
        var suspicious = false
        for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xE2 {
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            if byte < 0x20 || byte == 0x7F || (byte == 0xC2 && next < 0xA0)
                || (byte == 0xE2 && (next == 0x80 || next == 0x81))
            {
                suspicious = true
                break
            }
        }
        if !suspicious { return nil }
        for scalar in name.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                return "\(subject) contains a control character (U+\(hex(scalar)))"
            }
            if (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value) {
                return "\(subject) contains a text-direction override (U+\(hex(scalar)))"
            }
        }
        return nil
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
