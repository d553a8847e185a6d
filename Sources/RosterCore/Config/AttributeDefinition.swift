/// A custom attribute that people carry, declared in the config (Harness SEI's "Configure Attributes").
public struct AttributeDefinition: Sendable, Equatable {
    /// The column header and stored key, lower-case, such as `team` or `cost_center`.
    public var key: String
    /// A human title, such as "Cost center".
    public var title: String
    public var type: AttributeType
    public var description: String
    /// Whether every person in a users CSV must have a value.
    public var required: Bool

    public init(
        key: String, title: String? = nil, type: AttributeType = .string, description: String = "",
        required: Bool = false
    ) {
        self.key = key
        self.title = title ?? key
        self.type = type
        self.description = description
        self.required = required
    }
}

/// The type of a custom attribute's values.
public enum AttributeType: Sendable, Equatable, CustomStringConvertible {
    case string
    case number
    /// An ISO-8601 calendar date, `YYYY-MM-DD`.
    case date
    case boolean
    case email
    /// One of a fixed list of values.
    case enumeration([String])

    /// The type names accepted in the config.
    public static let names = ["string", "number", "date", "boolean", "email", "enum"]

    public var description: String {
        switch self {
        case .string: "string"
        case .number: "number"
        case .date: "date"
        case .boolean: "boolean"
        case .email: "email"
        case .enumeration: "enum"
        }
    }

    /// The stored form of a non-empty cell value, or what is wrong with it and how to fix it.
    public func normalise(_ raw: String) -> Result<String, AttributeValueError> {
        let value = raw.trimmingWhitespace()
        switch self {
        case .string:
            return .success(value)
        case .number:
            // Double(_:) also reads hexadecimal ("0x1A", "0x1p3"): allow only decimal digits, sign, dot and exponent.
            let decimal = value.utf8.allSatisfy { (0x30...0x39).contains($0) || "+-.eE".utf8.contains($0) }
            if decimal, let number = Double(value), number.isFinite, !value.hasPrefix("+"), value.first != "." {
                return .success(value)
            }
            return .failure(
                .init(problem: "not a number", fix: "write a number such as 42 or 3.5, with a dot for decimals"))
        case .date:
            if ISODate.isValid(value) { return .success(value) }
            return .failure(
                .init(
                    problem: "not a date in the form YYYY-MM-DD",
                    fix: "write the date as year-month-day, such as 2024-03-31"))
        case .boolean:
            switch value.lowercased() {
            case "true", "yes", "y", "1": return .success("true")
            case "false", "no", "n", "0": return .success("false")
            default: return .failure(.init(problem: "not a boolean", fix: "write true or false"))
            }
        case .email:
            let address = EmailAddress.normalise(value)
            if let problem = EmailAddress.problem(with: address) {
                return .failure(.init(problem: problem, fix: "write one email address, such as jane.doe@example.com"))
            }
            return .success(address)
        case .enumeration(let allowed):
            if let match = allowed.first(where: { $0.lowercased() == value.lowercased() }) {
                return .success(match)
            }
            var fix = "use one of: " + allowed.joined(separator: ", ")
            if let close = Closest.match(for: value, among: allowed) { fix = "did you mean \(close)? Otherwise " + fix }
            return .failure(.init(problem: "not one of the allowed values", fix: fix))
        }
    }
}

/// Why a cell value does not fit its attribute's type.
public struct AttributeValueError: Error, Sendable, Equatable {
    public var problem: String
    public var fix: String
}

/// Checks for ISO-8601 calendar dates.
enum ISODate {
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return false }
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    public func trimmingWhitespace() -> String {
        let string = String(self)
        // Fast path: nothing to trim when both ends are printable ASCII.
        if let first = string.utf8.first, let last = string.utf8.last, first > 0x20, first < 0x7F, last > 0x20,
            last < 0x7F
        {
            return string
        }
        if string.isEmpty { return "" }
        let scalars = string.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}

extension AttributeDefinition {
    /// The built-in `manager` attribute: the email of another person in the roster.
    ///
    /// A users CSV may carry a `manager` column without declaring it; declare it in the config
    /// (type email) to give it a column in the users export. The manager must be a person in the
    /// roster and manager chains must not loop (see ``ManagerCheck``).
    public static let manager = AttributeDefinition(
        key: "manager", title: "Manager", type: .email, description: "The email of this person's manager")
}
