/// A user-based org unit with dynamic filters, as in Harness SEI: its members are the people who
/// satisfy any one of its filter groups (and its parent's), plus the explicitly included, minus the
/// explicitly excluded.
public struct OrgUnit: Sendable, Equatable {
    /// The unit's name, also the name of its member file; letters, digits, `-`, `_` and `.`.
    public var name: String
    /// The parent unit: a child's members are always members of the parent too.
    public var parent: String?
    /// Filter groups combined with OR; the filters inside one group are combined with AND. A unit
    /// without filters holds only the people it includes.
    public var groups: [[OrgUnitFilter]]
    /// Normalised emails of people admitted whatever the filters say (the parent still applies).
    public var include: [String]
    /// Normalised emails of people never admitted, whatever else says so.
    public var exclude: [String]

    public init(
        name: String, parent: String? = nil, groups: [[OrgUnitFilter]] = [], include: [String] = [],
        exclude: [String] = []
    ) {
        self.name = name
        self.parent = parent
        self.groups = groups
        self.include = include
        self.exclude = exclude
    }

    /// Whether `name` can name a unit and its member file.
    public static func isUsableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", name.count <= 100 else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                || $0 == "_" || $0 == "."
        }
    }

    /// The attribute keys the unit's filters read, in order of first use.
    public var filterAttributes: [String] {
        var keys: [String] = []
        for filter in groups.joined() {
            if case .attribute(let key) = filter.field, !keys.contains(key) { keys.append(key) }
        }
        return keys
    }
}

/// One condition of an org unit: a field, an operator and its values.
public struct OrgUnitFilter: Sendable, Equatable, CustomStringConvertible {
    public var field: FilterField
    public var op: FilterOperator
    /// The operand values, normalised for the field's type: one or more for equals and does not
    /// equal (one of a list), starts with and contains; two for between; none for the emptiness tests.
    public var values: [String]
    /// Whether text comparisons respect case; emails, enums and integration names never do.
    public var caseSensitive: Bool

    public init(field: FilterField, op: FilterOperator, values: [String] = [], caseSensitive: Bool = false) {
        self.field = field
        self.op = op
        self.values = values
        self.caseSensitive = caseSensitive
    }

    public var description: String {
        switch op {
        case .isEmpty, .isNotEmpty: "\(field) \(op.title)"
        case .between: "\(field) between \(values.joined(separator: " and "))"
        default: "\(field) \(op.title) \(values.count == 1 ? values[0] : "[" + values.joined(separator: ", ") + "]")"
        }
    }
}

/// What a filter looks at.
public enum FilterField: Sendable, Equatable, Hashable, CustomStringConvertible {
    case fullName
    /// Any of the person's emails.
    case email
    /// The integration instances the person has accounts in.
    case integration
    /// A custom attribute, by key (the built-in `manager` included).
    case attribute(String)

    /// Reads a field name from the config: `full_name`, `email`, `integration` or an attribute key.
    public init(name: String) {
        switch name.lowercased() {
        case "full_name", "name": self = .fullName
        case "email": self = .email
        case "integration", "integrations": self = .integration
        default: self = .attribute(name.lowercased())
        }
    }

    public var description: String {
        switch self {
        case .fullName: "full_name"
        case .email: "email"
        case .integration: "integration"
        case .attribute(let key): key
        }
    }
}

/// The operators admins know from SEI's org unit filters.
public enum FilterOperator: String, Sendable, Equatable, CaseIterable {
    case equals
    case notEquals = "not_equals"
    case startsWith = "starts_with"
    case contains
    case between
    case isEmpty = "is_empty"
    case isNotEmpty = "is_not_empty"

    /// How `roster org-units show --why` writes it.
    public var title: String {
        switch self {
        case .equals: "equals"
        case .notEquals: "does not equal"
        case .startsWith: "starts with"
        case .contains: "contains"
        case .between: "between"
        case .isEmpty: "is empty"
        case .isNotEmpty: "is not empty"
        }
    }

    /// Whether the operator fits values of `type`; integration names count as text.
    public func fits(_ type: AttributeType?) -> Bool {
        switch self {
        case .equals, .notEquals, .isEmpty, .isNotEmpty:
            return true
        case .startsWith, .contains:
            switch type {
            case nil, .string, .email, .enumeration: return true
            case .number, .date, .boolean: return false
            }
        case .between:
            switch type {
            case .number, .date: return true
            default: return false
            }
        }
    }

    /// The operators that fit `type`, for error messages.
    public static func fitting(_ type: AttributeType?) -> [FilterOperator] {
        allCases.filter { $0.fits(type) }
    }
}
