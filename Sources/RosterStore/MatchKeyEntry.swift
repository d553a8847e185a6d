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

/// A whole index of keys, as ``MatchingStore/rebuildMatchKeys(_:pending:)`` takes it: a list of
/// entries, or a full pass's keys read through the people's ids.
///
/// A full pass hands its keys (``Matcher/Prepared/keys``, sorted as the index orders them) with
/// the ids of the people they index, and each entry is made as it is read: a list of the entries
/// beside the keys was 150 MB more at the peak of a pass over 1,000,000 people
/// (`bench/proposals.sh`).
public struct MatchKeyEntries: RandomAccessCollection, Sendable {
    private let keys: [Matcher.Key]
    private let ids: [PersonID]

    /// The entries of `entries`, in their order.
    public init(_ entries: [MatchKeyEntry]) {
        self.init(
            keys: entries.indices.map { Matcher.Key(hash: entries[$0].hash, index: UInt32($0)) },
            ids: entries.map(\.person))
    }

    /// The entries of `keys` in their order, each key's person being `ids[key.index]`.
    public init(keys: [Matcher.Key], ids: [PersonID]) {
        (self.keys, self.ids) = (keys, ids)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { keys.count }

    public subscript(position: Int) -> MatchKeyEntry {
        let key = keys[position]
        return MatchKeyEntry(hash: key.hash, person: ids[Int(key.index)])
    }
}

extension OutputMarker {
    /// The marker of the blocking-key index and of the open proposals recorded with it: the last
    /// audit row both reflect, and the fingerprint of the rules they were computed by.
    public static let matchKeys = "match-keys"
}

/// One person's blocking keys as one stored text: each hash as 16 lowercase hexadecimal digits of
/// its 64 bits, in index order (``MatchKeyEntry``), without separators.
///
/// The key table is ordered by key; a refresh also needs a person's keys (to remove those the
/// person no longer has, and to see which blocks a change left). One row per person, written in
/// person order, costs far less than an index of the key table by person, which a rewrite of the
/// whole index had to build by sorting every row (see the v7 migration).
enum MatchKeyList {
    /// The text of `hashes`, distinct and in index order.
    static func encode(_ hashes: some Sequence<UInt64>) -> String {
        let sorted = Set(hashes).sorted { Int64(bitPattern: $0) < Int64(bitPattern: $1) }
        return encode(sortedDistinct: sorted)
    }

    /// The text of hashes already distinct and in index order.
    static func encode(sortedDistinct hashes: some Collection<UInt64>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: hashes.count * 16) { buffer in
            var at = 0
            for hash in hashes {
                for shift in stride(from: 60, through: 0, by: -4) {
                    buffer[at] = digits[Int((hash >> UInt64(shift)) & 0xF)]
                    at += 1
                }
            }
            return at
        }
    }

    /// The hashes of a stored text; nil when it is not one ``encode(_:)`` wrote.
    static func decode(_ text: String) -> [UInt64]? {
        var text = text
        return text.withUTF8 { bytes -> [UInt64]? in
            guard bytes.count % 16 == 0 else { return nil }
            var hashes: [UInt64] = []
            hashes.reserveCapacity(bytes.count / 16)
            var value: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                default: return nil
                }
                value = value << 4 | UInt64(digit)
                if index % 16 == 15 {
                    hashes.append(value)
                    value = 0
                }
            }
            return hashes
        }
    }
}
