/// The members of every org unit, kept up to date person by person.
///
/// ``recompute(_:)`` evaluates everyone; ``update(_:)`` and ``remove(_:)`` re-evaluate one person,
/// so that a file that changes a thousand people costs a thousand evaluations, not a million.
public struct OrgUnitMemberships: Sendable {
    public private(set) var evaluator: OrgUnitEvaluator
    /// Members of each unit, by unit index.
    public private(set) var members: [Set<PersonID>]
    private var scratch: [Bool] = []

    public init(evaluator: OrgUnitEvaluator) {
        self.evaluator = evaluator
        members = Array(repeating: [], count: evaluator.units.count)
    }

    /// Evaluates everyone from scratch.
    public mutating func recompute(_ people: some Sequence<OrgPerson>) {
        members = Array(repeating: [], count: evaluator.units.count)
        for person in people {
            evaluator.evaluate(person, into: &scratch)
            for unit in scratch.indices where scratch[unit] { members[unit].insert(person.id) }
        }
    }

    /// Re-evaluates one person who was added or changed.
    ///
    /// - Returns: The indexes of the units whose members changed.
    @discardableResult
    public mutating func update(_ person: OrgPerson) -> [Int] {
        evaluator.evaluate(person, into: &scratch)
        var changed: [Int] = []
        for unit in scratch.indices {
            let was = members[unit].contains(person.id)
            if scratch[unit] != was {
                if scratch[unit] { members[unit].insert(person.id) } else { members[unit].remove(person.id) }
                changed.append(unit)
            }
        }
        return changed
    }

    /// Forgets a person who left the roster (after a merge).
    ///
    /// - Returns: The indexes of the units whose members changed.
    @discardableResult
    public mutating func remove(_ id: PersonID) -> [Int] {
        var changed: [Int] = []
        for unit in members.indices where members[unit].remove(id) != nil { changed.append(unit) }
        return changed
    }
}
