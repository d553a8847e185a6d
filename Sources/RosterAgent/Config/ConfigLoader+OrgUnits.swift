import RosterCore
import TOMLKit

extension ConfigLoader {
    static let orgUnitKeys = ["name", "parent", "include", "exclude", "filters"]
    static let filterKeys = ["field", "operator", "values", "value", "case_sensitive", "group"]

    /// Reads the `[[org_units]]` array with its `[[org_units.filters]]`.
    ///
    /// ```toml
    /// [[org_units]]
    /// name = "payments-eu"
    /// parent = "payments"
    /// exclude = ["contractor@example.com"]
    ///
    /// [[org_units.filters]]
    /// field = "site"
    /// operator = "equals"
    /// values = ["Berlin", "Dublin"]
    ///
    /// [[org_units.filters]]       # same group: AND
    /// field = "start_date"
    /// operator = "between"
    /// values = ["2020-01-01", "2024-12-31"]
    ///
    /// [[org_units.filters]]       # group 2: OR with group 1
    /// group = 2
    /// field = "email"
    /// operator = "contains"
    /// value = "@payments.example.com"
    /// ```
    static func orgUnits(
        _ value: any TOMLValueConvertible,
        config: RosterConfig,
        fail: (String, String?, Int?, String) -> ConfigError,
        unknown: (String, [String], String?, Int?) -> ConfigError
    ) throws -> [OrgUnit] {
        guard let array = value.array else {
            throw fail("org_units", nil, nil, "must be an array of tables: write each unit as [[org_units]]")
        }
        var units: [OrgUnit] = []
        var filterIndex = 0
        for (index, element) in array.enumerated() {
            guard let entry = element.table else {
                throw fail("org_units", nil, nil, "each org unit must be a table: write it as [[org_units]]")
            }
            for key in entry.keys where !orgUnitKeys.contains(key) {
                throw unknown(key, orgUnitKeys, "org_units", index)
            }
            guard let name = entry["name"]?.string?.trimmingWhitespace(), OrgUnit.isUsableName(name) else {
                throw fail(
                    "name", "org_units", index,
                    "org unit \(index + 1) needs name = \"…\" of letters, digits, '-', '_' and '.' (it names its member file)"
                )
            }
            var unit = OrgUnit(name: name)
            if let parent = entry["parent"] {
                guard let text = parent.string?.trimmingWhitespace(), !text.isEmpty else {
                    throw fail("parent", "org_units", index, "parent must be the name of another org unit")
                }
                unit.parent = text
            }
            for key in ["include", "exclude"] {
                guard let list = entry[key] else { continue }
                guard let array = list.array else {
                    throw fail(
                        key, "org_units", index, "\(key) must be a list of emails, such as [\"jane@example.com\"]")
                }
                var addresses: [String] = []
                for item in array {
                    let address = EmailAddress.normalise(item.string ?? "")
                    if let problem = EmailAddress.problem(with: address) {
                        throw fail(key, "org_units", index, "'\(item)' in \(key) is not an email: \(problem)")
                    }
                    addresses.append(address)
                }
                if key == "include" { unit.include = addresses } else { unit.exclude = addresses }
            }
            if let filters = entry["filters"] {
                guard let list = filters.array else {
                    throw fail(
                        "filters", "org_units", index, "filters must be an array of tables: write [[org_units.filters]]"
                    )
                }
                var groups: [Int: [OrgUnitFilter]] = [:]
                for (position, element) in list.enumerated() {
                    defer { filterIndex += 1 }
                    let table = "org_units.filters"
                    // The line is found by the filter's place among all [[org_units.filters]] of
                    // the file; the key names it by its unit and its place in that unit.
                    func filterFail(_ key: String, _ message: String) -> ConfigError {
                        var error = fail(key, table, filterIndex, message)
                        error.key = "org_units[\(index + 1)].filters[\(position + 1)].\(key)"
                        return error
                    }
                    guard let filter = element.table else {
                        throw fail("filters", "org_units", index, "each filter must be a table: [[org_units.filters]]")
                    }
                    for key in filter.keys where !filterKeys.contains(key) {
                        var error = unknown(key, filterKeys, table, filterIndex)
                        error.key = "org_units[\(index + 1)].filters[\(position + 1)].\(key)"
                        throw error
                    }
                    guard let field = filter["field"]?.string else {
                        throw filterFail(
                            "field",
                            "a filter needs field = \"…\": full_name, email, integration or an attribute key")
                    }
                    guard let op = filter["operator"]?.string else {
                        throw filterFail(
                            "operator",
                            "a filter needs operator = \"…\": "
                                + FilterOperator.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    var values: [String] = []
                    if let single = filter["value"] {
                        guard filter["values"] == nil else {
                            throw filterFail("value", "give value or values, not both")
                        }
                        values = [single.string ?? "\(single)"]
                    } else if let list = filter["values"] {
                        guard let array = list.array else {
                            throw filterFail("values", "values must be a list, such as [\"Platform\"]")
                        }
                        values = array.map { $0.string ?? "\($0)" }
                    }
                    var caseSensitive = false
                    if let flag = filter["case_sensitive"] {
                        guard let bool = flag.bool else {
                            throw filterFail("case_sensitive", "case_sensitive must be true or false")
                        }
                        caseSensitive = bool
                    }
                    var group = 1
                    if let number = filter["group"] {
                        guard let int = number.int, (1...100).contains(int) else {
                            throw filterFail("group", "group must be a number from 1 to 100")
                        }
                        group = int
                    }
                    switch OrgUnitFilter.checked(
                        field: field, operator: op, values: values, caseSensitive: caseSensitive, config: config)
                    {
                    case .success(let checked): groups[group, default: []].append(checked)
                    case .failure(let failure): throw filterFail(failure.key, failure.message)
                    }
                }
                unit.groups = groups.keys.sorted().map { groups[$0]! }
            }
            units.append(unit)
        }
        do {
            _ = try OrgUnitEvaluator(units: units, attributes: config.attributes)
        } catch {
            throw fail(error.key, "org_units", error.unit, error.message)
        }
        return units
    }
}
