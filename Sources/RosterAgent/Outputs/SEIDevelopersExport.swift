import RosterCore
public import RosterStore

/// Harness SEI 2.0's developers CSV: `full_name,email,manager email,role,sub role,team,department,site`,
/// one row per person with an email, sorted by id; Roster reads it back (see ``SEIDevelopers``).
public enum SEIDevelopersExport {
    /// Writes the export through `sink`.
    ///
    /// - Returns: How many rows have a blank value that SEI will refuse (a missing attribute).
    @discardableResult
    public static func write(store: any RosterStore, sink: @escaping ([UInt8]) throws -> Void) throws -> Int {
        var writer = CSVWriter(sink: sink)
        try writer.write(SEIDevelopers.header)
        var incomplete = 0
        try store.forEachPerson { person in
            guard let email = person.primaryEmail else { return }
            let values = SEIDevelopers.attributeKeys.map { person.attributes[$0] ?? "" }
            if values.dropFirst().contains(where: \.isEmpty) { incomplete += 1 }
            try writer.write(([person.name, email] + values).map(FormulaGuard.neutralise))
        }
        try writer.flush()
        return incomplete
    }
}
