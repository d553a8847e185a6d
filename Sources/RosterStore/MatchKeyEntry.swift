public import RosterCore

/// One blocking key of one person in the stored index: the key's hash (``BlockingKeys/hash(_:)``)
/// and the person.
///
/// Ordered as the index stores them (the hash as a signed 64-bit integer, then the person), so that
/// a sorted list is inserted at the right edge of its B-tree.
public struct MatchKeyEntry: Sendable, Hashable, Comparable {
    public var hash: UInt64
    public var person: PersonID

    public init(hash: UInt64, person: PersonID) {
        self.hash = hash
        self.person = person
    }

    /// The hash as SQLite stores it.
    var storedHash: Int64 { Int64(bitPattern: hash) }

    public static func < (lhs: MatchKeyEntry, rhs: MatchKeyEntry) -> Bool {
        (lhs.storedHash, lhs.person.rawValue) < (rhs.storedHash, rhs.person.rawValue)
    }
}

extension OutputMarker {
    /// The marker of the blocking-key index and of the open proposals recorded with it: the last
    /// audit row both reflect, and the fingerprint of the rules they were computed by.
    public static let matchKeys = "match-keys"
}
