import Logging
import RosterStore

/// Warns about attributes removed from the config whose values the store keeps.
func warnAboutUndeclaredAttributes(_ store: any SQLRosterStore, logger: Logger) throws {
    for (key, count) in try store.undeclaredAttributeValues() {
        logger.warning(
            "Attribute is no longer declared; its values are kept but not exported. Declare it again to bring them back",
            metadata: ["attribute.key": "\(key)", "attribute.values": "\(count)"])
    }
}
