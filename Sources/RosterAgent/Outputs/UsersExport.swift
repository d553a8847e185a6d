public import RosterCore
public import RosterStore

/// The users CSV export: the same layout the users-CSV reader takes, so that an admin can edit it
/// and drop it back.
///
/// Columns: `id,full_name,email,other_emails`, then one `integration:<name>` column per integration
/// instance (sorted), then the declared attributes in declared order. Rows are sorted by id. Cells
/// that a spreadsheet would run as formulas are neutralised (see ``FormulaGuard``).
public enum UsersExport {
    /// The header for a store with these integrations under this config.
    public static func header(config: RosterConfig, integrations: [String]) -> [String] {
        ["id", "full_name", "email", "other_emails"]
            + allIntegrations(config: config, stored: integrations).map { UsersCSVLayout.integrationPrefix + $0 }
            + config.attributes.map(\.key)
    }

    static func allIntegrations(config: RosterConfig, stored: [String]) -> [String] {
        Array(Set(config.integrations).union(stored)).sorted()
    }

    /// Writes the export of `store` through `sink`.
    public static func write(store: any RosterStore, config: RosterConfig, sink: @escaping ([UInt8]) throws -> Void)
        throws
    {
        let integrations = allIntegrations(config: config, stored: try store.integrations())
        var writer = CSVWriter(sink: sink)
        try writer.write(header(config: config, integrations: integrations))
        var row: [String] = []
        try store.forEachPerson { person in
            fields(of: person, integrations: integrations, config: config, into: &row)
            try writer.write(row)
        }
        try writer.flush()
    }

    /// The cells of `person`'s row, neutralised, into `row` (emptied first).
    static func fields(
        of person: ExportedPerson, integrations: [String], config: RosterConfig, into row: inout [String]
    ) {
        row.removeAll(keepingCapacity: true)
        row.append(person.id.description)
        row.append(FormulaGuard.neutralise(person.name))
        row.append(FormulaGuard.neutralise(person.primaryEmail ?? ""))
        row.append(FormulaGuard.neutralise(person.otherEmails.joined(separator: ";")))
        for integration in integrations {
            row.append(FormulaGuard.neutralise(person.accounts[integration]?.joined(separator: ";") ?? ""))
        }
        for attribute in config.attributes {
            row.append(FormulaGuard.neutralise(person.attributes[attribute.key] ?? ""))
        }
    }

    /// A header-only sample with the configured columns, for admins starting a file by hand.
    public static func sample(config: RosterConfig) -> String {
        CSVWriter.line(header(config: config, integrations: [])) + "\n"
    }
}
