/// Checks the built-in `manager` attribute after a file's rows are applied: every manager is a
/// person in the roster, and no manager chain loops back to where it started.
///
/// Feed it each manager value a file sets (with its line and column), then call
/// ``problems(ledger:)`` inside the file's transaction, so that managers added further down the
/// same file count and a cycle closed by this file is found whichever row closes it.
public struct ManagerCheck {
    /// The longest chain followed before giving up; far above any real hierarchy.
    static let maxDepth = 10_000

    private var edges: [(person: PersonID, manager: String, line: Int, column: String)] = []

    public init() {}

    /// Notes that `line` of the file sets `person`'s manager to the normalised address `manager`.
    public mutating func note(person: PersonID, manager: String, line: Int, column: String) {
        edges.append((person, manager, line, column))
    }

    /// The managers that are no person in the roster and the chains that loop, one problem per
    /// offending row.
    public func problems(ledger: some RosterLedger) throws -> [Problem] {
        var problems: [Problem] = []
        for edge in edges {
            guard let manager = try ledger.owner(ofEmail: edge.manager) else {
                problems.append(
                    Problem(
                        line: edge.line, column: edge.column, value: edge.manager,
                        problem: "the manager \(edge.manager) is no person in the roster",
                        fix: "add the manager as a person (a row in the same file will do) or correct the address"))
                continue
            }
            if manager == edge.person {
                problems.append(
                    Problem(
                        line: edge.line, column: edge.column, value: edge.manager,
                        problem: "\(edge.person) is given as their own manager",
                        fix: "give the person's actual manager, or leave the cell empty"))
                continue
            }
            var chain = [edge.person, manager]
            var current = manager
            for _ in 0..<Self.maxDepth {
                guard let address = try ledger.person(current)?.attributes[AttributeDefinition.manager.key],
                    let next = try ledger.owner(ofEmail: address)
                else { break }
                chain.append(next)
                if next == edge.person {
                    problems.append(
                        Problem(
                            line: edge.line, column: edge.column, value: edge.manager,
                            problem: "the manager chain loops: " + chain.map(\.description).joined(separator: " → "),
                            fix: "break the loop: one person in the chain must have another manager, or none"))
                    break
                }
                if chain.count > 2, chain[..<(chain.count - 1)].contains(next) { break }  // a loop elsewhere
                current = next
            }
        }
        return problems
    }
}
