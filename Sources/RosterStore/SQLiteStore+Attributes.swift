import GRDB

extension SQLiteStore {
    /// Attributes that people still have values for but that the config no longer declares (the
    /// built-in `manager` aside), with the number of values kept for each; sorted by key.
    ///
    /// Removing an attribute from the config drops its column from the exports but keeps its
    /// values, so that declaring it again brings them back.
    public func undeclaredAttributeValues() throws -> [(key: String, count: Int)] {
        try writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT v.key, count(*) FROM attributeValue v
                    LEFT JOIN attributeDefinition d ON d.key = v.key
                    WHERE (d.declared IS NULL OR d.declared = 0) AND v.key <> 'manager'
                    GROUP BY v.key ORDER BY v.key
                    """
            ).map { (key: $0[0] as String, count: $0[1] as Int) }
        }
    }
}
