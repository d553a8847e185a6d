import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The size, modification time and inode of each proposal file as Roster last wrote it or read it
/// as pending, kept in `proposals.stamps` beside the folder so that a refresh parses only the files an admin edited.
///
/// A file whose stamp differs (or that has none) is read again; a lost or damaged stamps file
/// only means that every file is read once more.
struct FileStamps {
    struct Stamp: Equatable {
        var size: Int64
        var seconds: Int64
        var nanoseconds: Int64
        var inode: UInt64

        init(size: Int64, seconds: Int64, nanoseconds: Int64, inode: UInt64) {
            (self.size, self.seconds, self.nanoseconds, self.inode) = (size, seconds, nanoseconds, inode)
        }

        init(_ info: stat) {
            self.init(
                size: Int64(info.st_size), seconds: Int64(info.st_mtim.tv_sec),
                nanoseconds: Int64(info.st_mtim.tv_nsec), inode: UInt64(info.st_ino))
        }
    }

    let folder: String
    let path: String
    /// The `.yaml` files in the folder now.
    private var present: [String: Stamp] = [:]
    /// The recorded stamps.
    private var recorded: [String: Stamp] = [:]
    private var dirty = false

    init(folder: String, path: String) {
        self.folder = folder
        self.path = path
        if let data = FileManager.default.contents(atPath: path) {
            recorded = data.withUnsafeBytes { Self.parse($0.bindMemory(to: UInt8.self)) }
        }
        present = Self.listing(folder, expecting: recorded.count)
    }

    /// The stamps of the `.yaml` files in `folder`, read with `readdir` and `fstatat` on the open
    /// folder: listing through FileManager and a `stat` of each full path (the folder's path looked
    /// up again every time) were a third of an incremental refresh over 241,522 proposal files.
    ///
    /// - Parameter expecting: About how many files there are (those recorded), to size the table once.
    static func listing(_ folder: String, expecting: Int = 0) -> [String: Stamp] {
        guard let directory = opendir(folder) else { return [:] }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        var stamps: [String: Stamp] = [:]
        stamps.reserveCapacity(expecting)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard name.hasSuffix(".yaml") else { continue }
            var info = stat()
            guard fstatat(descriptor, name, &info, 0) == 0 else { continue }
            stamps[name] = Stamp(info)
        }
        return stamps
    }

    /// The lines `name TAB size TAB seconds TAB nanoseconds TAB inode`, read byte by byte: a large
    /// roster has hundreds of thousands of proposal files, and splitting the text as strings took
    /// longer than the rest of an incremental refresh. A malformed line is skipped.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: Stamp] {
        var stamps: [String: Stamp] = [:]
        // About one line per 40 bytes: growing the table line by line rehashed it a dozen times.
        stamps.reserveCapacity(bytes.count / 40)
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            defer { start = end + 1 }
            var fields: [Range<Int>] = []
            var field = start
            for index in start...end where index == end || bytes[index] == UInt8(ascii: "\t") {
                fields.append(field..<index)
                field = index + 1
            }
            guard fields.count == 5, !fields[0].isEmpty, let size = number(bytes, fields[1]),
                let seconds = number(bytes, fields[2]), let nanoseconds = number(bytes, fields[3]),
                let inode = unsigned(bytes, fields[4])
            else { continue }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[0]]), as: UTF8.self)
            stamps[name] = Stamp(size: size, seconds: seconds, nanoseconds: nanoseconds, inode: inode)
        }
        return stamps
    }

    /// A decimal integer, maybe negative; nil for anything else.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        if !range.isEmpty, bytes[range.lowerBound] == UInt8(ascii: "-") {
            return unsigned(bytes, range.dropFirst()).flatMap { $0 <= Int64.max ? -Int64($0) : nil }
        }
        return unsigned(bytes, range).flatMap { $0 <= Int64.max ? Int64($0) : nil }
    }

    /// A decimal integer without sign; nil for anything else.
    private static func unsigned(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty, range.count <= 20 else { return nil }
        var value: UInt64 = 0
        for index in range {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(digit))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }

    /// The `.yaml` files whose stamp is not the recorded one, sorted.
    func changedNames() -> [String] {
        present.filter { recorded[$0.key] != $0.value }.keys.sorted()
    }

    /// The stamp the file had when the folder was listed.
    func current(_ name: String) -> Stamp? {
        present[name]
    }

    /// Whether the file exists (as of the listing, or since recorded).
    /// The `.yaml` files in the folder when the stamps were read.
    var presentNames: [String] { present.keys.sorted() }

    func exists(_ name: String) -> Bool {
        present[name] != nil
    }

    /// Records the file's stamp as known (written by Roster, or read as pending).
    mutating func record(_ name: String, _ stamp: Stamp? = nil) {
        guard let stamp = stamp ?? Self.stamp(of: folder + "/" + name) else { return }
        present[name] = stamp
        if recorded[name] != stamp {
            recorded[name] = stamp
            dirty = true
        }
    }

    /// Writes the stamps of the files still there, when any changed. Best effort.
    ///
    /// A file listed when the stamps were read counts as still there; only the others are looked
    /// up. A file removed since keeps its stamp until the next save, which does no harm: stamps are
    /// only compared for the files present.
    mutating func save() {
        var kept: [String: Stamp] = [:]
        kept.reserveCapacity(recorded.count)
        for (name, stamp) in recorded where present[name] != nil || access(folder + "/" + name, F_OK) == 0 {
            kept[name] = stamp
        }
        if kept.count != recorded.count { dirty = true }
        recorded = kept
        guard dirty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(recorded.count * 48)
        func append(_ value: Int64) {
            bytes.append(UInt8(ascii: "\t"))
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            append(digitsOf: value.magnitude)
        }
        func append(digitsOf value: UInt64) {
            // Digit by digit, most significant first, without a String per number.
            var divisor: UInt64 = 1
            while value / divisor >= 10 { divisor *= 10 }
            var rest = value
            while true {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                if divisor == 1 { break }
                divisor /= 10
            }
        }
        for (name, s) in recorded {
            bytes.append(contentsOf: name.utf8)
            append(s.size)
            append(s.seconds)
            append(s.nanoseconds)
            bytes.append(UInt8(ascii: "\t"))
            append(digitsOf: s.inode)
            bytes.append(UInt8(ascii: "\n"))
        }
        try? AtomicFile.write(path, bytes: bytes)
        dirty = false
    }

    static func stamp(of path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(info)
    }
}
