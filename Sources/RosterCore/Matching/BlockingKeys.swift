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
        func add(_ key: String) {
            if !keys.contains(key) { keys.append(key) }
        }
        func addName(_ name: [String]) {
            add("t:" + NameNormaliser.tokenSet(name))
            guard name.count >= 2 else {
                if name[0].count >= 4 { add("h:" + name[0]) }
                return
            }
            let first = name[0]
            let last = name[name.count - 1]
            add("i:\(first.prefix(1)) \(last)")
            for formal in Nicknames.formal(first) { add("n:\(formal) \(last)") }
            add("h:" + first + last)
            add("h:" + last + first)
            if last.count >= 4 { add("h:\(first.prefix(1))\(last)") }
            if name.count > 2 { add("h:" + name.joined()) }
        }
        for name in profile.names { addName(name) }
        for handle in profile.handles {
            add("h:" + handle)
            let bare = NameNormaliser.withoutTrailingDigits(handle)
            if bare != handle, bare.count >= 4 { add("h:" + bare) }
        }
        for split in profile.handleNames { addName(split) }
        return keys
    }

    /// The hashes (``hash(_:)``) of ``keys(of:)``, appended to `hashes`, without making the keys:
    /// building their strings was most of computing a full pass's keys (perf on
    /// `bench/proposals.sh 1000000`). A key may come more than once; the caller drops repeats.
    static func hashes(of profile: MatchProfile, into hashes: inout [UInt64]) {
        /// The hash of a kind's prefix (`t:`) and `parts`, as of the text they make together.
        func key(_ kind: StaticString, _ parts: Substring...) -> UInt64 {
            var hash = FNV1a()
            hash.add(UnsafeBufferPointer(start: kind.utf8Start, count: kind.utf8CodeUnitCount))
            for part in parts { hash.add(part.utf8) }
            return hash.value
        }
        func addName(_ name: [String]) {
            guard name.count >= 2 else {
                hashes.append(key("t:", Substring(name[0])))
                if name[0].count >= 4 { hashes.append(key("h:", Substring(name[0]))) }
                return
            }
            let first = Substring(name[0])
            let last = Substring(name[name.count - 1])
            if name.count == 2 {
                let (low, high) = first <= last ? (first, last) : (last, first)
                hashes.append(key("t:", low, " ", high))
            } else {
                hashes.append(key("t:", Substring(NameNormaliser.tokenSet(name))))
            }
            let initial = first.prefix(1)
            hashes.append(key("i:", initial, " ", last))
            let groups = Nicknames.groupIDs(of: name[0])
            if groups.isEmpty {
                hashes.append(key("n:", first, " ", last))
            } else {
                for group in groups { hashes.append(key("n:", Substring(Nicknames.groups[group][0]), " ", last)) }
            }
            hashes.append(key("h:", first, last))
            hashes.append(key("h:", last, first))
            if last.count >= 4 { hashes.append(key("h:", initial, last)) }
            if name.count > 2 { hashes.append(key("h:", Substring(name.joined()))) }
        }
        for index in profile.names.indices { addName(profile.names[index]) }
        for index in profile.handles.indices {
            let handle = profile.handles[index]
            hashes.append(key("h:", Substring(handle)))
            let bare = profile.bareHandles[index]
            if bare != handle, bare.count >= 4 { hashes.append(key("h:", Substring(bare))) }
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

    public mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { add(byte) }
    }
}
