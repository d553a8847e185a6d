/// The blocking keys of a person: only people who share a key are compared.
///
/// Keys are the name's token set, nickname-folded given name + last name, first initial + last
/// name, handles (logins, local parts, noreply logins, with and without trailing digits) and the
/// handles a name would spell (`janedoe`, `jdoe`, `doejane`). Each key is prefixed by its kind so
/// that a name key never meets a handle key by accident.
public enum BlockingKeys {
    /// Changes whenever the keys a profile yields or their hashes change, so that a stored index of
    /// keys is rebuilt rather than trusted.
    public static let version = 2

    public static func keys(of profile: MatchProfile) -> [String] {
        var keys: [String] = []
        forEachKey(of: profile) { kind, first, second, third in
            let key = "\(kind)\(first)\(second)\(third)"
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// The hashes (``hash(_:)``) of ``keys(of:)``, appended to `hashes`, without making the keys:
    /// building their strings was most of computing a full pass's keys (perf on
    /// `bench/proposals.sh 1000000`). A key may come more than once; the caller drops repeats.
    public static func hashes(of profile: MatchProfile, into hashes: inout [UInt64]) {
        forEachKey(of: profile) { kind, first, second, third in
            var hash = FNV1a()
            hash.add(UnsafeBufferPointer(start: kind.utf8Start, count: kind.utf8CodeUnitCount))
            hash.add(first.utf8)
            hash.add(second.utf8)
            hash.add(third.utf8)
            hashes.append(hash.value)
        }
    }

    /// Calls `key` for every blocking key of `profile`: its kind (`t:`) and up to three parts that,
    /// joined, are the rest of its text (empty when there are fewer). A key may come more than once.
    ///
    /// The one statement of the rules, for the texts (``keys(of:)``) and for the hashes a pass
    /// indexes (``hashes(of:into:)``), so that the two cannot drift apart.
    @inline(__always)
    static func forEachKey(
        of profile: MatchProfile, _ key: (StaticString, Substring, Substring, Substring) -> Void
    ) {
        func addName(_ name: [String]) {
            guard name.count >= 2 else {
                key("t:", Substring(name[0]), "", "")
                if name[0].count >= 4 { key("h:", Substring(name[0]), "", "") }
                return
            }
            let first = Substring(name[0])
            let last = Substring(name[name.count - 1])
            // The token set: two tokens are put in order without sorting a list.
            if name.count == 2 {
                let (low, high) = first <= last ? (first, last) : (last, first)
                key("t:", low, " ", high)
            } else {
                key("t:", Substring(NameNormaliser.tokenSet(name)), "", "")
            }
            let initial = first.prefix(1)
            key("i:", initial, " ", last)
            let groups = Nicknames.groupIDs(of: name[0])
            if groups.isEmpty {
                key("n:", first, " ", last)
            } else {
                for group in groups { key("n:", Substring(Nicknames.groups[group][0]), " ", last) }
            }
            key("h:", first, last, "")
            key("h:", last, first, "")
            if last.count >= 4 { key("h:", initial, last, "") }
            if name.count > 2 { key("h:", Substring(name.joined()), "", "") }
        }
        for index in profile.names.indices { addName(profile.names[index]) }
        for index in profile.handles.indices {
            let handle = profile.handles[index]
            key("h:", Substring(handle), "", "")
            let bare = profile.bareHandle(index)
            if bare != handle, bare.count >= 4 { key("h:", Substring(bare), "", "") }
        }
        for index in profile.handleNames.indices { addName(profile.handleNames[index]) }
    }

    /// A 64-bit FNV-1a hash of a key, so that blocks can be formed by sorting integers.
    public static func hash(_ key: String) -> UInt64 {
        var hash = FNV1a()
        hash.add(key.utf8)
        return hash.value
    }
}

/// The 64-bit FNV-1a hash, fed bytes a piece at a time: stable from run to run (blocking keys are
/// stored), and cheap on the short texts of names and handles.
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ byte: UInt8) {
        value ^= UInt64(byte)
        value &*= 0x0000_0100_0000_01B3
    }

    /// Adds `bytes`, read straight from their storage when they have one: a `String`'s or a
    /// `Substring`'s UTF-8 view read byte by byte through its indices took three times as long,
    /// and hashing names and keys so was 4% of the CPU of a full pass over 1,000,000 people (perf).
    public mutating func add(_ bytes: some Sequence<UInt8>) {
        let done: Bool? = bytes.withContiguousStorageIfAvailable { buffer in
            for byte in buffer { add(byte) }
            return true
        }
        if done == nil {
            for byte in bytes { add(byte) }
        }
    }
}
