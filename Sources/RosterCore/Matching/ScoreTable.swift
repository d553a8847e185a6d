/// A key of ``ScoreTable``: its own 64-bit mix of its fields, and equality on all of them.
protocol MemoKey: Equatable {
    var mixed: UInt64 { get }
}

/// Scores remembered by key within one piece of a pass (``ScoringTable/Memo``): open addressing
/// with linear probing on the key's own mix of its fields.
///
/// Written by hand because the standard `Dictionary` hashed every key again with SipHash, seeded
/// per table: the hasher's seed, combine and finalize steps and the dictionary's probing were
/// about a tenth of the CPU of a full pass over `bench/proposals.sh`'s 1,200,000 people (perf), for
/// keys that already are hashes of the names they stand for. Entries are only added or replaced,
/// never removed; the table doubles once half full.
struct ScoreTable<Key: MemoKey> {
    private var keys: [Key?]
    private var values: [Double]
    /// How many keys hold a score.
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [Key?](repeating: nil, count: size)
        values = [Double](repeating: 0, count: size)
        mask = size - 1
    }

    var isEmpty: Bool { count == 0 }

    /// The score kept for `key`, if any; setting nil is ignored (nothing is ever removed).
    subscript(key: Key) -> Double? {
        get {
            var slot = Int(truncatingIfNeeded: key.mixed) & mask
            while let stored = keys[slot] {
                if stored == key { return values[slot] }
                slot = (slot + 1) & mask
            }
            return nil
        }
        set {
            guard let newValue else { return }
            if (count + 1) * 2 > keys.count { grow() }
            var slot = Int(truncatingIfNeeded: key.mixed) & mask
            while let stored = keys[slot] {
                if stored == key {
                    values[slot] = newValue
                    return
                }
                slot = (slot + 1) & mask
            }
            keys[slot] = key
            values[slot] = newValue
            count += 1
        }
    }

    private mutating func grow() {
        var larger = ScoreTable(capacity: keys.count)
        for slot in keys.indices {
            if let key = keys[slot] { larger[key] = values[slot] }
        }
        self = larger
    }
}

/// A 64-bit finaliser (splitmix64's) of two words, so that the low bits that pick a slot of a
/// ``ScoreTable`` depend on every bit of both: how ``MemoKey``s and the scoring table's name keys
/// mix their fields.
@inline(__always)
func mix64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var x = a ^ (b &* 0xBF58_476D_1CE4_E5B9)
    x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
    x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
    return x ^ (x >> 31)
}
