extension OrgUnitFilter {
    /// A filter from its config spelling, checked against the declared attributes.
    ///
    /// - Returns: The filter with its values normalised for the field's type, or which key is at
    ///   fault and a message that says how to fix it.
    public static func checked(
        field fieldName: String, operator opName: String, values raw: [String], caseSensitive: Bool,
        config: RosterConfig
    ) -> Result<OrgUnitFilter, FilterProblem> {
        let field = FilterField(name: fieldName.trimmingWhitespace())
        var type: AttributeType?
        switch field {
        case .fullName: type = .string
        case .email: type = .email
        case .integration: type = nil
        case .attribute(let key):
            guard let attribute = config.attribute(key) else {
                let known = ["full_name", "email", "integration"] + config.attributes.map(\.key) + ["manager"]
                var message = "'\(fieldName)' is no declared attribute"
                if let close = Closest.match(for: key, among: known) { message += "; did you mean '\(close)'?" }
                message += " Filters can use: \(known.joined(separator: ", "))."
                return .failure(FilterProblem("field", message))
            }
            type = attribute.type
        }
        guard let op = FilterOperator(rawValue: opName.trimmingWhitespace().lowercased()) else {
            let names = FilterOperator.allCases.map(\.rawValue)
            var message = "'\(opName)' is not a filter operator"
            if let close = Closest.match(for: opName, among: names) { message += "; did you mean '\(close)'?" }
            return .failure(FilterProblem("operator", message + " Use one of: \(names.joined(separator: ", "))."))
        }
        let typeName = type.map { "\($0)" } ?? "integration"
        guard op.fits(type) else {
            return .failure(
                FilterProblem(
                    "operator",
                    "\(op.rawValue) does not fit \(field), which is of type \(typeName); use one of: "
                        + FilterOperator.fitting(type).map(\.rawValue).joined(separator: ", ")
                ))
        }
        var values: [String] = []
        for value in raw.map({ $0.trimmingWhitespace() }) {
            guard !value.isEmpty else {
                return .failure(
                    FilterProblem("values", "values must not be empty strings; use is_empty to find empty fields"))
            }
            // Prefixes and fragments of emails need not be whole addresses.
            if op == .startsWith || op == .contains || type == nil || type == .string {
                values.append(value)
                continue
            }
            switch type!.normalise(value) {
            case .success(let normal): values.append(normal)
            case .failure(let error):
                return .failure(
                    FilterProblem(
                        "values", "'\(value)' does not fit \(field) (\(typeName)): \(error.problem); \(error.fix)"))
            }
        }
        switch op {
        case .isEmpty, .isNotEmpty:
            if !values.isEmpty {
                return .failure(FilterProblem("values", "\(op.rawValue) takes no values; remove them"))
            }
        case .between:
            guard values.count == 2 else {
                return .failure(
                    FilterProblem(
                        "values", "between takes two values, the lowest and the highest, such as [\"1\", \"5\"]"))
            }
            let ordered =
                type == .number ? (Double(values[0]) ?? 0) <= (Double(values[1]) ?? 0) : values[0] <= values[1]
            if !ordered {
                return .failure(FilterProblem("values", "between takes the lowest value first, then the highest"))
            }
        default:
            if values.isEmpty { return .failure(FilterProblem("values", "\(op.rawValue) needs at least one value")) }
        }
        return .success(OrgUnitFilter(field: field, op: op, values: values, caseSensitive: caseSensitive))
    }
}

/// Why a filter of the config can't be used: the key at fault and how to fix it.
public struct FilterProblem: Error, Sendable, Equatable {
    public var key: String
    public var message: String

    public init(_ key: String, _ message: String) {
        self.key = key
        self.message = message
    }
}
