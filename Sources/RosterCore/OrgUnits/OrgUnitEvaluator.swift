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
    /// Every compiled filter, flat, so that the hot loop indexes one array.
    private let filters: [CompiledFilter]
    /// Per filter: the slot it reads, or -1 for the name and -2 for the emails (kept apart from
    /// ``filters`` so that the hot loop touches plain integers).
    private let sources: [Int]
    /// Per filter reading a slot: its column in that slot's rows of ``table``.
    private let columns: [Int]
    /// Per slot: the filters that read it, in column order.
    private let slotFilters: [[Int]]
    /// The outcome (0 or 1) of every slot filter on every distinct value seen: one row per value,
    /// one column per filter reading its slot, rows of all slots in one flat array.
    private var table: [UInt8] = []
    /// Per unit, its groups as ranges of ``filters``.
    private let groups: [[Range<Int>]]
    /// The same groups flat, and per unit its range of them: the hot loop reads no nested array.
    private let flatGroups: [Range<Int>]
    private let unitGroups: [Range<Int>]
    /// Per unit: 0 no lists, 1 an exclude list, 2 an include list, 3 both.
    private let lists: [UInt8]
    /// Whether any filter reads the integration sets.
    private let readsIntegrations: Bool
    /// Where the person being evaluated has their row of ``table``, per slot; kept to spare an
    /// allocation per person.
    private var rows: [Int] = []
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
        var flat: [CompiledFilter] = []
        groups = units.map { unit in
            unit.groups.map { group in
                let start = flat.count
                flat += group.map { filter in
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
                return start..<flat.count
            }
        }
        filters = flat
        flatGroups = Array(groups.joined())
        var position = 0
        unitGroups = groups.map { unitGroups in
            defer { position += unitGroups.count }
            return position..<(position + unitGroups.count)
        }
        lists = units.map { (($0.exclude.isEmpty ? 0 : 1) | ($0.include.isEmpty ? 0 : 2)) as UInt8 }
        sources = flat.map {
            switch $0.source {
            case .name: -1
            case .emails: -2
            case .slot(let slot): slot
            }
        }
        var perSlot = Array(repeating: [Int](), count: keys.count + 1)
        var columns = Array(repeating: -1, count: flat.count)
        for (index, source) in sources.enumerated() where source >= 0 {
            columns[index] = perSlot[source].count
            perSlot[source].append(index)
        }
        self.columns = columns
        slotFilters = perSlot
        // Row of the empty value (id 0) of each slot.
        for slot in slots.indices {
            slots[slot].rows = [table.count]
            for filter in perSlot[slot] { table.append(flat[filter].test([]) ? 1 : 0) }
        }
        readsIntegrations = units.contains { $0.groups.joined().contains { $0.field == .integration } }
    }

    /// The index of the unit named `name`.
    public func unitIndex(_ name: String) -> Int? {
        units.firstIndex { $0.name == name }
    }

    /// Sets `members[u]` to whether `person` belongs to unit `u`, for every unit.
    public mutating func evaluate(_ person: OrgPerson, into members: inout [Bool]) {
        if members.count != units.count { members = Array(repeating: false, count: units.count) }
        fillSlotIDs(person)
        for unit in order {
            members[unit] = admits(unit, person: person, parentMember: parents[unit].map { members[$0] })
        }
    }

    /// The units `person` belongs to, by index.
    public mutating func units(of person: OrgPerson) -> [Bool] {
        var members: [Bool] = []
        evaluate(person, into: &members)
        return members
    }

    private mutating func admits(_ unit: Int, person: OrgPerson, parentMember: Bool?) -> Bool {
        if parentMember == false { return false }
        let lists = lists[unit]
        if lists & 1 != 0, person.emails.contains(where: excludes[unit].contains) { return false }
        if lists & 2 != 0, person.emails.contains(where: includes[unit].contains) { return true }
        for groupIndex in unitGroups[unit] {
            let group = flatGroups[groupIndex]
            var all = true
            for index in group where !test(index, person: person) {
                all = false
                break
            }
            if all { return true }
        }
        return false
    }

    private func test(_ index: Int, person: OrgPerson) -> Bool {
        let slot = sources[index]
        if slot >= 0 { return table[rows[slot] + columns[index]] != 0 }
        return filters[index].test(slot == -1 ? (person.name.isEmpty ? [] : [person.name]) : person.emails)
    }

    /// The row of `value` in `slot`: interned, its filters run once when the value is new.
    private mutating func row(_ slot: Int, key: String, _ value: @autoclosure () -> [String]) -> Int {
        if let id = slots[slot].ids[key] { return slots[slot].rows[Int(id)] }
        let values = value()
        let id = Int32(slots[slot].rows.count)
        slots[slot].ids[key] = id
        slots[slot].rows.append(table.count)
        for filter in slotFilters[slot] { table.append(filters[filter].test(values) ? 1 : 0) }
        return slots[slot].rows[Int(id)]
    }

    /// Sets ``ids`` to the interned id of each slot's value for `person`.
    private mutating func fillSlotIDs(_ person: OrgPerson) {
        if rows.count != slots.count { rows = Array(repeating: 0, count: slots.count) }
        for (slot, key) in attributeKeys.enumerated() {
            if let value = person.attributes[key], !value.isEmpty {
                rows[slot] = row(slot, key: value, [value])
            } else {
                rows[slot] = slots[slot].rows[0]
            }
        }
        let integrations = attributeKeys.count
        rows[integrations] = slots[integrations].rows[0]
        if readsIntegrations, !person.integrations.isEmpty {
            let sorted = person.integrations.sorted()
            rows[integrations] = row(integrations, key: sorted.joined(separator: "\u{1}"), sorted)
        }
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
        if groups[unit].isEmpty {
            lines.append("  not admitted: the unit has no filters and the person is not in its include list")
            return lines
        }
        fillSlotIDs(person)
        for (group, range) in groups[unit].enumerated() {
            let results = range.map { test($0, person: person) }
            let matched = results.allSatisfy { $0 }
            let label = groups[unit].count > 1 ? "filter group \(group + 1)" : "filters"
            lines.append("  \(matched ? "admitted by" : "not admitted by") \(label):")
            for (index, result) in zip(range, results) {
                let filter = filters[index].filter
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
    /// Where each value's row of outcomes starts in the evaluator's table, by id.
    var rows: [Int] = []
}

/// A filter ready to test values, its operands folded once.
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
