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
