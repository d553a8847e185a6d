import RosterCore

#if canImport(Glibc)
    import Glibc
#endif

/// Replaces the rows of some people's accounts in `accounts.csv`, without parsing the rest.
///
/// The accounts export is sorted by integration and account id, not by person, so the rows of a
/// changed person are wherever their accounts sort. Every row whose `person_id` is a changed
/// person's is dropped, and the accounts those people hold now are inserted in order; the rows
/// between are copied as they are. An account that moved between two people changed both, so
/// neither its old row nor its new one is missed.
///
/// Like ``SortedCSVPatch``, the patch checks that the file is still what Roster wrote: the expected
/// header, rows in strictly increasing key order, a person id in each, no row left in place for an
/// account written anew, and as many rows of other people as the store holds. A file that fails is
/// not patched (``apply(to:into:)`` returns false) and the caller writes it whole from the store.
struct AccountsCSVPatch {
    /// A row to insert: its key as stored (integration, account id) and its bytes with the line end.
    struct Row {
        var integration: [UInt8]
        var accountID: [UInt8]
        var bytes: [UInt8]
    }

    /// The file's expected first line, with its line end.
    var header: [UInt8]
    /// The people whose rows are replaced.
    var changed: Set<Int64>
    /// The rows of their accounts now, in the export's order.
    var rows: [Row]
    /// How many rows of other people's accounts the file must hold.
    var expectedOthers: Int

    /// The column of the person id (`integration,account_id,login,display_name,email,person_id,…`).
    static let personColumn = 5

    /// Writes the patched content to `output` as it goes; false when the file is not as written
    /// (what was written by then is to be thrown away).
    func patch<Output: PatchOutput>(_ old: UnsafeRawBufferPointer, into output: inout Output) throws -> Bool {
        let bytes = old.bindMemory(to: UInt8.self)
        guard bytes.count >= header.count, header.elementsEqual(bytes[0..<header.count]) else { return false }
        try output.append(header)
        var others = 0
        var position = header.count
        var run = position  // start of the rows copied as they are
        var next = 0
        var key = Key()
        var last = Key()
        var first = true
        while position < bytes.count {
            guard let end = SortedCSVPatch.recordEnd(bytes, from: position),
                let person = Self.read(bytes, from: position, to: end, into: &key)
            else { return false }
            guard first || last < key else { return false }
            first = false
            let replaced = changed.contains(person)
            if replaced || (next < rows.count && key.follows(rows[next])) {
                try output.append(UnsafeBufferPointer(rebasing: bytes[run..<position]))
                while next < rows.count, key.follows(rows[next]) {
                    try output.append(rows[next].bytes)
                    next += 1
                }
                run = replaced ? end : position
            }
            if !replaced {
                // A row kept in place for an account that is also written anew: two rows for one.
                if next < rows.count, key.equals(rows[next]) { return false }
                others += 1
            }
            swap(&key, &last)
            position = end
            // Long runs go out as they grow, so that a file output can let go of what it copied.
            if position - run >= SortedCSVPatch.runLimit {
                try output.append(UnsafeBufferPointer(rebasing: bytes[run..<position]))
                run = position
            }
        }
        guard others == expectedOthers else { return false }
        try output.append(UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
        for row in rows[next...] { try output.append(row.bytes) }
        return true
    }

    /// A row's key as stored: the first two cells without their quoting and formula guard.
    struct Key {
        var integration: [UInt8] = []
        var accountID: [UInt8] = []

        static func < (lhs: Key, rhs: Key) -> Bool {
            let integration = compare(lhs.integration, rhs.integration)
            return integration != 0 ? integration < 0 : compare(lhs.accountID, rhs.accountID) < 0
        }

        /// Whether `row` sorts before this key.
        func follows(_ row: Row) -> Bool {
            let integration = Self.compare(row.integration, self.integration)
            return integration != 0 ? integration < 0 : Self.compare(row.accountID, accountID) < 0
        }

        func equals(_ row: Row) -> Bool {
            row.integration == integration && row.accountID == accountID
        }

        /// Byte-wise, as SQLite's BINARY collation and PostgreSQL's "C": negative when `a` sorts first.
        static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    let common = min(a.count, b.count)
                    if common > 0 {
                        let order = memcmp(a.baseAddress!, b.baseAddress!, common)
                        if order != 0 { return Int(order) }
                    }
                    return a.count - b.count
                }
            }
        }
    }

    /// Reads the key of the row in `start..<end` into `key` and returns its person id; nil when the
    /// row is not one the accounts export writes.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, into key: inout Key) -> Int64? {
        var position = start
        var column = 0
        while column <= personColumn {
            guard position < end else { return nil }
            switch column {
            case 0:
                guard let after = cell(bytes, from: position, to: end, into: &key.integration) else { return nil }
                position = after
            case 1:
                guard let after = cell(bytes, from: position, to: end, into: &key.accountID) else { return nil }
                position = after
            case personColumn:
                guard let (id, after) = SortedCSVPatch.personID(bytes, from: position, to: end),
                    bytes[after] == UInt8(ascii: ",")
                else { return nil }
                return id
            default:
                guard let after = skipCell(bytes, from: position, to: end) else { return nil }
                position = after
            }
            column += 1
        }
        return nil
    }

    /// Decodes the cell at `start` into `value` (quotes undone, then the formula guard), and
    /// returns the index after its comma; nil when no comma follows within the row.
    static func cell(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, into value: inout [UInt8])
        -> Int?
    {
        value.removeAll(keepingCapacity: true)
        var position = start
        if bytes[position] == UInt8(ascii: "\"") {
            position += 1
            while true {
                guard position < end else { return nil }
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\"") {
                    guard position < end else { return nil }
                    if bytes[position] == UInt8(ascii: "\"") {
                        value.append(byte)
                        position += 1
                    } else {
                        break
                    }
                } else {
                    value.append(byte)
                }
            }
        } else {
            // Written unquoted, so no comma or quote inside: up to the next comma.
            guard let comma = SortedCSVPatch.firstComma(bytes, from: position, to: end) else { return nil }
            value.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<comma]))
            position = comma
        }
        guard position < end, bytes[position] == UInt8(ascii: ",") else { return nil }
        // What FormulaGuard.neutralise added: one apostrophe before a value that needs the guard.
        if value.first == UInt8(ascii: "'"), FormulaGuard.needsGuard(String(decoding: value.dropFirst(), as: UTF8.self))
        {
            value.removeFirst()
        }
        return position + 1
    }

    /// The index after the comma that ends the cell at `start`; nil when none does within the row.
    static func skipCell(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        if bytes[start] != UInt8(ascii: "\"") {
            return SortedCSVPatch.firstComma(bytes, from: start, to: end).map { $0 + 1 }
        }
        var position = start
        var quoted = false
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == UInt8(ascii: ","), !quoted {
                return position + 1
            }
            position += 1
        }
        return nil
    }
}
