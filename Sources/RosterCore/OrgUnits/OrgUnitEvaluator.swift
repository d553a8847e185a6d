/// Decides which org units a person belongs to, and why.
///
/// Built once per config. Filters on attributes and integrations are evaluated once per distinct
/// value and remembered, so that a roster of a million people with a few hundred teams costs a few
/// array lookups per person and filter.
public struct OrgUnitEvaluator: Sendable {
    public let units: [OrgUnit]
    /// Unit indexes with every parent before its children.
    public let order: [Int]
    /// The parent of each unit, by index.
    public let parents: [Int?]
    private let includes: [Set<String>]
    private let excludes: [Set<String>]
    /// Per unit, its groups of compiled filters.
    private var compiled: [[[CompiledFilter]]]
    /// The attribute keys filters read; slot `attributeKeys.count` holds the integration sets.
    private let attributeKeys: [String]
    private var slots: [ValueSlot]

    /// Compiles `units`, whose filters must already fit the attribute types (the config loader
    /// checks them); throws when a parent is unknown or parents form a loop.
    public init(units: [OrgUnit], attributes: [AttributeDefinition]) throws(OrgUnitError) {
        self.units = units
        var index: [String: Int] = [:]
        for (position, unit) in units.enumerated() {
            if index[unit.name] != nil {
                throw OrgUnitError(
                    unit: position, key: "name", message: "the org unit '\(unit.name)' is declared twice")
            }
            index[unit.name] = position
        }
        var parents: [Int?] = []
        for (position, unit) in units.enumerated() {
            guard let parent = unit.parent else {
                parents.append(nil)
                continue
            }
            guard let parentIndex = index[parent] else {
                var message = "the parent '\(parent)' is no declared org unit"
                if let close = Closest.match(for: parent, among: units.map(\.name)) {
                    message += "; did you mean '\(close)'?"
                }
                throw OrgUnitError(unit: position, key: "parent", message: message)
            }
            parents.append(parentIndex)
        }
        var order: [Int] = []
        var state = [UInt8](repeating: 0, count: units.count)  // 0 new, 1 visiting, 2 done
        func visit(_ unit: Int) throws(OrgUnitError) {
            if state[unit] == 2 { return }
            if state[unit] == 1 {
                throw OrgUnitError(
                    unit: unit, key: "parent",
                    message:
                        "the parents of '\(units[unit].name)' loop back to it; one unit in the loop must have no parent"
                )
            }
            state[unit] = 1
            if let parent = parents[unit] { try visit(parent) }
            state[unit] = 2
            order.append(unit)
        }
        for unit in units.indices { try visit(unit) }
        self.order = order
        self.parents = parents
        includes = units.map { Set($0.include) }
        excludes = units.map { Set($0.exclude) }

        var keys: [String] = []
        for unit in units {
            for key in unit.filterAttributes where !keys.contains(key) { keys.append(key) }
        }
        attributeKeys = keys
        slots = Array(repeating: ValueSlot(), count: keys.count + 1)
        let types = Dictionary(attributes.map { ($0.key, $0.type) }, uniquingKeysWith: { first, _ in first })
        compiled = units.map { unit in
            unit.groups.map { group in
                group.map { filter in
                    var slot: CompiledFilter.Source
                    var type: AttributeType?
                    switch filter.field {
                    case .fullName: slot = .name
                    case .email:
                        slot = .emails
                        type = .email
                    case .integration: slot = .slot(keys.count)
                    case .attribute(let key):
                        slot = .slot(keys.firstIndex(of: key)!)
                        type = types[key] ?? (key == AttributeDefinition.manager.key ? .email : .string)
                    }
                    return CompiledFilter(filter: filter, source: slot, type: type)
                }
            }
        }
    }

    /// The index of the unit named `name`.
    public func unitIndex(_ name: String) -> Int? {
        units.firstIndex { $0.name == name }
    }

    /// Sets `members[u]` to whether `person` belongs to unit `u`, for every unit.
    public mutating func evaluate(_ person: OrgPerson, into members: inout [Bool]) {
        if members.count != units.count { members = Array(repeating: false, count: units.count) }
        let ids = slotIDs(person)
        for unit in order {
            members[unit] = admits(unit, person: person, ids: ids, parentMember: parents[unit].map { members[$0] })
        }
    }

    /// The units `person` belongs to, by index.
    public mutating func units(of person: OrgPerson) -> [Bool] {
        var members: [Bool] = []
        evaluate(person, into: &members)
        return members
    }

    private mutating func admits(_ unit: Int, person: OrgPerson, ids: [Int32], parentMember: Bool?) -> Bool {
        if parentMember == false { return false }
        if !excludes[unit].isEmpty, person.emails.contains(where: excludes[unit].contains) { return false }
        if !includes[unit].isEmpty, person.emails.contains(where: includes[unit].contains) { return true }
        for group in compiled[unit].indices {
            var all = true
            for filter in compiled[unit][group].indices where !test(unit, group, filter, person: person, ids: ids) {
                all = false
                break
            }
            if all { return true }
        }
        return false
    }

    private mutating func test(_ unit: Int, _ group: Int, _ index: Int, person: OrgPerson, ids: [Int32]) -> Bool {
        switch compiled[unit][group][index].source {
        case .name:
            return compiled[unit][group][index].test(person.name.isEmpty ? [] : [person.name])
        case .emails:
            return compiled[unit][group][index].test(person.emails)
        case .slot(let slot):
            let id = Int(ids[slot])
            let known = compiled[unit][group][index].cached(id)
            if let known { return known }
            let result = compiled[unit][group][index].test(slots[slot].values[id])
            compiled[unit][group][index].remember(id, result)
            return result
        }
    }

    /// The interned id of each slot's value for `person`.
    private mutating func slotIDs(_ person: OrgPerson) -> [Int32] {
        var ids = [Int32](repeating: 0, count: slots.count)
        for (slot, key) in attributeKeys.enumerated() {
            if let value = person.attributes[key], !value.isEmpty { ids[slot] = slots[slot].intern(value, [value]) }
        }
        if !person.integrations.isEmpty {
            let sorted = person.integrations.sorted()
            ids[attributeKeys.count] = slots[attributeKeys.count].intern(sorted.joined(separator: "\u{1}"), sorted)
        }
        return ids
    }

    // MARK: - Explaining

    /// Why `person` is or is not a member of unit `unit`: one line per reason, parents first.
    public mutating func explain(_ person: OrgPerson, unit: Int) -> [String] {
        var lines: [String] = []
        let members = units(of: person)
        var chain: [Int] = [unit]
        while let parent = parents[chain.last!] { chain.append(parent) }
        for current in chain.reversed() {
            lines.append(contentsOf: explainOne(person, unit: current, members: members))
        }
        return lines
    }

    private mutating func explainOne(_ person: OrgPerson, unit: Int, members: [Bool]) -> [String] {
        let name = units[unit].name
        let verdict = members[unit] ? "member" : "not a member"
        var lines = ["\(name): \(verdict)"]
        if let parent = parents[unit], !members[parent] {
            lines.append("  excluded: not a member of the parent unit '\(units[parent].name)'")
            return lines
        }
        if let address = person.emails.first(where: excludes[unit].contains) {
            lines.append("  excluded: \(address) is in the unit's exclude list")
            return lines
        }
        if let address = person.emails.first(where: includes[unit].contains) {
            lines.append("  admitted: \(address) is in the unit's include list")
            return lines
        }
        if compiled[unit].isEmpty {
            lines.append("  not admitted: the unit has no filters and the person is not in its include list")
            return lines
        }
        let ids = slotIDs(person)
        for group in compiled[unit].indices {
            var results: [Bool] = []
            for index in compiled[unit][group].indices {
                results.append(test(unit, group, index, person: person, ids: ids))
            }
            let matched = results.allSatisfy { $0 }
            let label = compiled[unit].count > 1 ? "filter group \(group + 1)" : "filters"
            lines.append("  \(matched ? "admitted by" : "not admitted by") \(label):")
            for (index, result) in results.enumerated() {
                let filter = compiled[unit][group][index].filter
                let value = display(filter.field, person: person)
                lines.append("    \(result ? "yes" : "no "): \(filter) (the person's value: \(value))")
            }
        }
        return lines
    }

    private func display(_ field: FilterField, person: OrgPerson) -> String {
        let values: [String]
        switch field {
        case .fullName: values = [person.name]
        case .email: values = person.emails
        case .integration: values = person.integrations.sorted()
        case .attribute(let key): values = person.attributes[key].map { [$0] } ?? []
        }
        return values.isEmpty ? "empty" : values.joined(separator: ", ")
    }
}

/// An org unit declaration that can't be used: which unit (by position), which key, and why.
public struct OrgUnitError: Error, Sendable, Equatable, CustomStringConvertible {
    public var unit: Int
    public var key: String
    public var message: String

    public init(unit: Int, key: String, message: String) {
        self.unit = unit
        self.key = key
        self.message = message
    }

    public var description: String { message }
}

/// The distinct values of one attribute (or integration set) seen so far, numbered from 1; 0 is empty.
struct ValueSlot: Sendable {
    var ids: [String: Int32] = [:]
    var values: [[String]] = [[]]

    mutating func intern(_ key: String, _ value: @autoclosure () -> [String]) -> Int32 {
        if let id = ids[key] { return id }
        let id = Int32(values.count)
        ids[key] = id
        values.append(value())
        return id
    }
}

/// A filter ready to test values: operands folded once, results remembered per distinct value.
struct CompiledFilter: Sendable {
    enum Source: Sendable {
        case name
        case emails
        case slot(Int)
    }

    let filter: OrgUnitFilter
    let source: Source
    let numeric: Bool
    let foldCase: Bool
    let operands: [String]
    let numbers: [Double]
    /// Per value id: 0 not yet tested, 1 false, 2 true.
    private var cache: [UInt8] = []

    init(filter: OrgUnitFilter, source: Source, type: AttributeType?) {
        self.filter = filter
        self.source = source
        numeric = type == .number
        switch type {
        case .email, .enumeration, .boolean: foldCase = true
        case .number, .date: foldCase = false
        case .string, nil: foldCase = !filter.caseSensitive
        }
        operands = foldCase ? filter.values.map { $0.lowercased() } : filter.values
        numbers = numeric ? filter.values.compactMap(Double.init) : []
    }

    func cached(_ id: Int) -> Bool? {
        guard id < cache.count, cache[id] != 0 else { return nil }
        return cache[id] == 2
    }

    mutating func remember(_ id: Int, _ result: Bool) {
        if id >= cache.count { cache.append(contentsOf: repeatElement(0, count: max(id + 1 - cache.count, 256))) }
        cache[id] = result ? 2 : 1
    }

    /// Whether a field holding `values` (none when empty) passes the filter.
    func test(_ values: [String]) -> Bool {
        switch filter.op {
        case .isEmpty: return values.isEmpty
        case .isNotEmpty: return !values.isEmpty
        case .equals: return values.contains(where: equals)
        case .notEquals: return !values.contains(where: equals)
        case .startsWith:
            return values.contains { value in
                let folded = fold(value)
                return operands.contains { folded.hasPrefix($0) }
            }
        case .contains:
            return values.contains { value in
                let folded = fold(value)
                return operands.contains { folded.contains($0) }
            }
        case .between:
            return values.contains { value in
                if numeric {
                    guard let number = Double(value), numbers.count == 2 else { return false }
                    return numbers[0] <= number && number <= numbers[1]
                }
                guard operands.count == 2 else { return false }
                return operands[0] <= value && value <= operands[1]
            }
        }
    }

    private func equals(_ value: String) -> Bool {
        if numeric {
            guard let number = Double(value) else { return false }
            return numbers.contains(number)
        }
        return operands.contains(fold(value))
    }

    private func fold(_ value: String) -> String {
        foldCase ? value.lowercased() : value
    }
}
