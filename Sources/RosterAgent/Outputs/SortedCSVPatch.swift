#if canImport(Glibc)
    import Glibc
#endif

/// Replaces the records of some people in a CSV file written in key order, without parsing the rest.
///
/// Org unit member files list people in id order, `org-units.csv` lists them by unit then id. When
/// a few people change, their records are dropped wherever they are and their new records inserted
/// in order, while everything between is copied as it is: a pass over the bytes, instead of reading
/// every member from the store and writing each record again.
///
/// The patch also checks that the file is still what Roster wrote: the expected header, records in
/// strictly increasing key order, a key in each, and as many records of people left alone as the
/// store says there are. A file that fails is not patched (``apply(to:)`` returns nil) and the
/// caller rebuilds from the store instead.
struct SortedCSVPatch {
    /// A record's place: its group (a unit's position in `org-units.csv`, 0 in a unit's file) and its person.
    struct Key: Comparable {
        var group: Int
        var id: Int64

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.group, lhs.id) < (rhs.group, rhs.id)
        }
    }

    /// How a record's key is read: the id in the first field, or a unit name then the id.
    enum Layout {
        case idFirst
        /// The first field is a unit's name as written (neutralised), by group.
        case unitThenID([String: Int])
    }

    /// The file's expected first line, with its line end.
    var header: [UInt8]
    var layout: Layout
    /// The people whose records are replaced, sorted.
    var changed: [Int64]
    /// Their new records, with line ends, in key order.
    var records: [(key: Key, bytes: [UInt8])]
    /// Per group, how many records of other people the file must hold.
    var expectedOthers: [Int]

    /// The patched content, or nil when the file is not as written.
    func apply(to old: UnsafeRawBufferPointer) -> [UInt8]? {
        var output: [UInt8] = []
        return apply(to: old, into: &output) ? output : nil
    }

    /// Writes the patched content into `output`, whose capacity is kept: one buffer serves every
    /// file of a refresh. Returns false when the file is not as written.
    func apply(to old: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        output.removeAll(keepingCapacity: true)
        output.reserveCapacity(old.count + records.reduce(0) { $0 + $1.bytes.count })
        // Appending to an array does not throw.
        return (try? patch(old, into: &output)) ?? false
    }

    /// Writes the patched content to `output` as it goes; false when the file is not as written
    /// (what was written by then is to be thrown away).
    func patch<Output: PatchOutput>(_ old: UnsafeRawBufferPointer, into output: inout Output) throws -> Bool {
        let bytes = old.bindMemory(to: UInt8.self)
        guard bytes.count >= header.count, header.elementsEqual(bytes[0..<header.count]) else { return false }
        try output.append(header)
        var others = Array(repeating: 0, count: expectedOthers.count)
        var position = header.count
        var run = position  // start of the records copied as they are
        var next = 0
        var last: Key?
        // Keys only grow within a group, so one cursor into `changed` per group replaces a hash
        // lookup per record.
        var cursor = 0
        var lastUnit: (bytes: UnsafeBufferPointer<UInt8>, group: Int)?
        while position < bytes.count {
            guard let end = Self.recordEnd(bytes, from: position) else { return false }
            let key: Key
            switch layout {
            case .idFirst:
                guard let (id, _) = Self.personID(bytes, from: position, to: end) else { return false }
                key = Key(group: 0, id: id)
            case .unitThenID(let groups):
                guard let comma = Self.firstComma(bytes, from: position, to: end) else { return false }
                let unit = UnsafeBufferPointer(rebasing: bytes[position..<comma])
                let group: Int
                // Records come grouped by unit: look a name up only when it differs from the last.
                if let lastUnit, lastUnit.bytes.count == unit.count, !unit.isEmpty,
                    memcmp(lastUnit.bytes.baseAddress!, unit.baseAddress!, unit.count) == 0
                {
                    group = lastUnit.group
                } else {
                    guard let found = groups[String(decoding: unit, as: UTF8.self)] else { return false }
                    group = found
                    lastUnit = (unit, found)
                }
                guard let (id, stop) = Self.personID(bytes, from: comma + 1, to: end), stop == end - 1 else {
                    return false
                }
                key = Key(group: group, id: id)
            }
            if let last, !(last < key) { return false }
            if last?.group != key.group { cursor = 0 }
            last = key
            while cursor < changed.count, changed[cursor] < key.id { cursor += 1 }
            let replaced = cursor < changed.count && changed[cursor] == key.id
            if replaced || (next < records.count && records[next].key < key) {
                try output.append(UnsafeBufferPointer(rebasing: bytes[run..<position]))
                while next < records.count, records[next].key < key {
                    try output.append(records[next].bytes)
                    next += 1
                }
                run = replaced ? end : position
            }
            if !replaced {
                guard key.group < others.count else { return false }
                others[key.group] += 1
            }
            position = end
            // Long runs go out as they grow, so that a file output can let go of what it copied.
            if position - run >= Self.runLimit {
                try output.append(UnsafeBufferPointer(rebasing: bytes[run..<position]))
                run = position
            }
        }
        guard others == expectedOthers else { return false }
        try output.append(UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
        for record in records[next...] { try output.append(record.bytes) }
        return true
    }

    /// The longest run of records kept as they are before it is handed to the output.
    static let runLimit = 1 << 20

    /// The index after the line end that closes the record starting at `start`; quoted line ends
    /// belong to the field. Nil when the file ends inside the record.
    static func recordEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count,
            let found = memchr(base + start, 0x0A, bytes.count - start)
        else { return nil }
        let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        // Most records hold no quote: the first line end closes them. memchr scans a word at a time.
        if memchr(base + start, 0x22, newline - start) == nil { return newline + 1 }
        var quoted = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == UInt8(ascii: "\n"), !quoted {
                return index + 1
            }
            index += 1
        }
        return nil
    }

    static func firstComma(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        guard let base = bytes.baseAddress, start < end, let found = memchr(base + start, 0x2C, end - start) else {
            return nil
        }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Reads `U-000017` at `start`, as the exports write person ids.
    ///
    /// - Returns: The number and the index of the byte after it (a comma or the line end).
    static func personID(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> (Int64, Int)? {
        guard end - start > 3, bytes[start] == UInt8(ascii: "U"), bytes[start + 1] == UInt8(ascii: "-") else {
            return nil
        }
        var value: Int64 = 0
        var index = start + 2
        while index < end, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            guard value < Int64.max / 10 - 10 else { return nil }
            value = value * 10 + Int64(bytes[index] - 0x30)
            index += 1
        }
        guard index > start + 2, index < end, bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: "\n")
        else { return nil }
        return (value, index)
    }
}

/// Where a patch writes its content: a buffer, or a file as it goes (``PatchFileOutput``).
protocol PatchOutput {
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) throws
    mutating func append(_ bytes: [UInt8]) throws
}

extension Array: PatchOutput where Element == UInt8 {
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) throws {
        append(contentsOf: bytes)
    }
}
