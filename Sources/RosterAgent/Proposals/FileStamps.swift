import Foundation
import RosterCore

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

    }

    let folder: String
    let path: String
    /// The proposal files in the folder now, by proposal number (as recorded, when not listed).
    private var present: [Int64: Stamp] = [:]
    /// Whether `present` comes from a listing of the folder (``listFolder()``).
    private(set) var listed = false
    /// The recorded stamps, by proposal number.
    private var recorded: [Int64: Stamp] = [:]
    /// The proposals whose recorded stamp changed since the file was read, in the order recorded.
    private var added: [Int64] = []
    /// The lines of the stamps file as read, those that a later line replaced included.
    private var lines = 0
    /// The stamps file as read, while only the lines of some proposals are parsed (``recall(_:)``);
    /// nil once every line is. A refresh that does not list the folder needs the stamps of a few
    /// hundred files, and parsing the 246,000 lines of `bench/proposals.sh 1000000` into a table
    /// took a fifth of the refresh after a 1,000-row ingest.
    private var unparsed: Data?
    /// The proposals whose lines were looked for in ``unparsed``, found or not.
    private var sought = Set<Int64>()
    /// The proposals whose files were looked at (``look(at:)``) or recorded since the stamps were
    /// read: without a listing, the others are only as recorded.
    private var seen = Set<Int64>()
    /// How many files the stamps file held when it was last written whole (its first line, the
    /// ``header``); nil when it has no such line.
    private var filesWhenWhole: Int?

    /// The first line of a stamps file written whole: how many files it held then (lines appended
    /// since follow). The parser skips it as it names no proposal file.
    static let header = "#files\t"

    /// Reads the recorded stamps and, unless told not to, lists the folder.
    ///
    /// - Parameter listing: Whether to `stat` every file now. Without, each file is taken to be as
    ///   recorded until ``look(at:)`` sees it: the refresh after an ingest looks only at the files
    ///   it is about to rewrite or close.
    init(folder: String, path: String, listing: Bool = true) {
        self.folder = folder
        self.path = path
        if let data = FileManager.default.contents(atPath: path) {
            Self.withBytes(of: data) { bytes in
                lines = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                filesWhenWhole = Self.files(inHeaderOf: bytes)
            }
            unparsed = data
        }
        if listing { listFolder() }
    }

    /// Lists the folder, a `stat` of every file: what ``changed()`` and the others answer is then
    /// what the folder holds now.
    mutating func listFolder() {
        parseAll()
        present = Self.listing(folder, expecting: recorded.count)
        listed = true
    }

    /// Parses every line not parsed yet; the files not looked at are taken to be as recorded.
    private mutating func parseAll() {
        guard let data = unparsed else { return }
        unparsed = nil
        // Those sought are parsed already, and may have been looked at or recorded since.
        take(Self.withBytes(of: data) { Self.parse($0) }.filter { !sought.contains($0.key) })
        sought = []
    }

    /// Takes stamps parsed from the file as recorded, and their files as there as recorded.
    private mutating func take(_ parsed: [Int64: Stamp]) {
        for (number, stamp) in parsed {
            recorded[number] = stamp
            present[number] = stamp
        }
    }

    private static func withBytes<T>(of data: Data, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        data.withUnsafeBytes { body($0.bindMemory(to: UInt8.self)) }
    }

    /// Parses the recorded stamps of these proposals, when the file was not parsed whole: their
    /// lines alone, in one reading of the file. Asked of one proposal at a time, the others
    /// (``look(at:)``, ``exists(_:)``, ``record(_:_:)``) read the file once each.
    mutating func recall(_ ids: some Sequence<ProposalID>) {
        guard let data = unparsed else { return }
        var wanted = Set<Int64>()
        for id in ids where !sought.contains(id.rawValue) { wanted.insert(id.rawValue) }
        guard !wanted.isEmpty else { return }
        sought.formUnion(wanted)
        take(Self.withBytes(of: data) { Self.parse($0, only: wanted) })
    }

    /// The count in the ``header`` line at the start of `bytes`, if there is one.
    static func files(inHeaderOf bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let header = Self.header.utf8
        guard bytes.count > header.count, bytes.prefix(header.count).elementsEqual(header) else { return nil }
        var end = header.count
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return unsigned(bytes, header.count..<end).flatMap { $0 <= Int.max ? Int($0) : nil }
    }

    /// Looks at these proposals' files now, a `stat` each, and tells whether one of them is not as
    /// recorded: edited since Roster wrote or read it, or there without a stamp. What each file is
    /// now is what ``changed()``, ``current(_:)`` and ``exists(_:)`` then answer for it.
    mutating func look(at ids: some Collection<ProposalID>) -> Bool {
        recall(ids)
        var edited = false
        for id in ids {
            let now = Self.stamp(of: folder + "/" + Self.fileName(id))
            present[id.rawValue] = now
            seen.insert(id.rawValue)
            if let now, recorded[id.rawValue] != now { edited = true }
        }
        return edited
    }

    /// The number of a proposal file's name as the desk writes it (`P-000042.yaml`: ``ProposalID``
    /// and `.yaml`); nil for any other name, `p-42.yaml` included, so that one proposal has one file.
    ///
    /// Files are known by number rather than by name: a String per file and hashing it were most of
    /// listing 241,522 proposal files and reading their stamps (perf, `bench/proposals.sh 1000000`).
    static func number(ofFileNamed name: UnsafeBufferPointer<UInt8>) -> Int64? {
        let suffix = ".yaml".utf8
        guard name.count > suffix.count, name.suffix(suffix.count).elementsEqual(suffix) else { return nil }
        return ProposalID(exactly: UnsafeBufferPointer(rebasing: name.dropLast(suffix.count)))?.rawValue
    }

    /// The stamps of the proposal files in `folder` (``number(ofFileNamed:)``), read with `readdir`
    /// and `fstatat` on the open folder: listing through FileManager and a `stat` of each full path
    /// (the folder's path looked up again every time) were a third of an incremental refresh over
    /// 241,522 proposal files. The names are read first, then looked up in a few pieces on as many
    /// threads: the kernel's lookups were most of what was left (perf).
    ///
    /// - Parameter expecting: About how many files there are (those recorded), to size the table once.
    static func listing(_ folder: String, expecting: Int = 0) -> [Int64: Stamp] {
        guard let directory = opendir(folder) else { return [:] }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        // Each proposal file's number, and its name NUL-terminated in one buffer.
        var numbers: [Int64] = []
        var names: [CChar] = []
        var starts: [Int] = []
        numbers.reserveCapacity(expecting)
        starts.reserveCapacity(expecting)
        names.reserveCapacity(expecting * 14)
        while let entry = readdir(directory) {
            withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                let length = strnlen(raw.bindMemory(to: CChar.self).baseAddress!, raw.count)
                let name = UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: length)
                guard let number = number(ofFileNamed: name) else { return }
                numbers.append(number)
                starts.append(names.count)
                names.append(contentsOf: UnsafeRawBufferPointer(name).bindMemory(to: CChar.self))
                names.append(0)
            }
        }
        let pieces = ParallelWork.ranges(numbers.count, pieces: numbers.count < 4096 ? 1 : 4)
        let found = names.withUnsafeBufferPointer { names in
            starts.withUnsafeBufferPointer { starts in
                let shared = SharedNames(names: names, starts: starts)
                return ParallelWork.map(pieces.count, threads: pieces.count) { piece in
                    pieces[piece].map { index -> Stamp? in
                        var info = stat()
                        let name = shared.names.baseAddress! + shared.starts[index]
                        return fstatat(descriptor, name, &info, 0) == 0 ? Stamp(info) : nil
                    }
                }
            }
        }
        var stamps: [Int64: Stamp] = [:]
        stamps.reserveCapacity(max(expecting, numbers.count))
        for (number, stamp) in zip(numbers, found.joined()) where stamp != nil { stamps[number] = stamp }
        return stamps
    }

    /// The names read from the folder, looked up from several threads, which only read them.
    private struct SharedNames: @unchecked Sendable {
        let names: UnsafeBufferPointer<CChar>
        let starts: UnsafeBufferPointer<Int>
    }

    /// The lines `name TAB size TAB seconds TAB nanoseconds TAB inode`, read byte by byte: a large
    /// roster has hundreds of thousands of proposal files, and splitting the text as strings took
    /// longer than the rest of an incremental refresh. A malformed line, or one that names no
    /// proposal file, is skipped.
    ///
    /// - Parameter only: When given, the lines of these proposals alone are parsed.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, only: Set<Int64>? = nil) -> [Int64: Stamp] {
        var stamps: [Int64: Stamp] = [:]
        // About one line per 40 bytes: growing the table line by line rehashed it a dozen times.
        stamps.reserveCapacity(only?.count ?? bytes.count / 40)
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            defer { start = end + 1 }
            // Five fields, each up to the next tab (the last up to the line's end), without a list
            // of them: an allocation per line was a third of reading the stamps.
            var field = start
            func next() -> Range<Int>? {
                guard field <= end else { return nil }
                var stop = field
                while stop < end, bytes[stop] != UInt8(ascii: "\t") { stop += 1 }
                defer { field = stop + 1 }
                return field..<stop
            }
            guard let name = next(), let proposal = number(ofFileNamed: UnsafeBufferPointer(rebasing: bytes[name])),
                only?.contains(proposal) ?? true, let size = next().flatMap({ number(bytes, $0) }),
                let seconds = next().flatMap({ number(bytes, $0) }),
                let nanoseconds = next().flatMap({ number(bytes, $0) }),
                let inode = next().flatMap({ unsigned(bytes, $0) }), field > end
            else { continue }
            stamps[proposal] = Stamp(size: size, seconds: seconds, nanoseconds: nanoseconds, inode: inode)
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

    /// The proposals whose file's stamp is not the recorded one, sorted. Meant for a listed folder
    /// (``listFolder()``), as are ``current(_:)`` and ``presentIDs``.
    func changed() -> [ProposalID] {
        present.filter { recorded[$0.key] != $0.value }.keys.sorted().map(ProposalID.init)
    }

    /// The stamp the proposal's file had when the folder was listed.
    func current(_ id: ProposalID) -> Stamp? {
        present[id.rawValue]
    }

    /// The proposals with a file in the folder when the stamps were read, sorted.
    var presentIDs: [ProposalID] { present.keys.sorted().map(ProposalID.init) }

    /// Whether the proposal's file exists (as of the listing, or since recorded).
    mutating func exists(_ id: ProposalID) -> Bool {
        recall(CollectionOfOne(id))
        return present[id.rawValue] != nil
    }

    /// The name of the proposal's file in the folder.
    static func fileName(_ id: ProposalID) -> String { "\(id).yaml" }

    /// Records the file's stamp as known (written by Roster, or read as pending).
    mutating func record(_ id: ProposalID, _ stamp: Stamp? = nil) {
        recall(CollectionOfOne(id))
        guard let stamp = stamp ?? Self.stamp(of: folder + "/" + Self.fileName(id)) else { return }
        present[id.rawValue] = stamp
        seen.insert(id.rawValue)
        if recorded[id.rawValue] != stamp {
            recorded[id.rawValue] = stamp
            added.append(id.rawValue)
        }
    }

    /// Writes the stamps recorded since the file was read, if any. Best effort.
    ///
    /// They are appended to the file (a later line replaces an earlier one of the same proposal):
    /// rewriting the stamps of 241,522 files whole, and syncing them, was a fifth of a refresh after
    /// a 1,000-row ingest (perf, `bench/proposals.sh 1000000`). The file is rewritten whole, with
    /// only the files still there, once it holds as many lines again as there are files. A line
    /// lost or torn by a crash only means that its file is read once more.
    mutating func save() {
        guard !added.isEmpty else { return }
        defer {
            added = []
        }
        // Appended while the lines stay within twice the files (plus a margin): the files now
        // when known, and those the file held when written whole, whose count it starts with. A
        // file without the count, or that outgrew it, is written whole again with a new one: else
        // a roster that grows by new files would have its stamps parsed whole on every refresh.
        let total = lines + added.count
        if lines > 0, let whole = filesWhenWhole, total <= 2 * whole + 1024,
            unparsed != nil || total <= 2 * present.count + 1024
        {
            var bytes: [UInt8] = []
            for number in added { Self.appendLine(number, recorded[number]!, to: &bytes) }
            let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 {
                let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                close(fd)
                if written == bytes.count {
                    lines += added.count
                    return
                }
            }
        }
        // Whole: the files gone since (decided, closed) are left out. Without a listing, only the
        // files looked at or recorded are known; the folder is asked about the others (a `stat`
        // each, once each time the file doubles).
        parseAll()
        var kept: [Int64: Stamp] = [:]
        kept.reserveCapacity(recorded.count)
        for (number, stamp) in recorded
        where (listed || seen.contains(number)) && present[number] != nil
            || access(folder + "/" + Self.fileName(ProposalID(number)), F_OK) == 0
        {
            kept[number] = stamp
        }
        recorded = kept
        var bytes = Array((Self.header + "\(recorded.count)\n").utf8)
        bytes.reserveCapacity(recorded.count * 48)
        for (number, stamp) in recorded { Self.appendLine(number, stamp, to: &bytes) }
        if (try? AtomicFile.write(path, bytes: bytes)) != nil {
            lines = recorded.count + 1
            filesWhenWhole = recorded.count
        }
    }

    /// One line of the stamps file: `P-000042.yaml TAB size TAB seconds TAB nanoseconds TAB inode`.
    static func appendLine(_ number: Int64, _ stamp: Stamp, to bytes: inout [UInt8]) {
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
        bytes.append(contentsOf: fileName(ProposalID(number)).utf8)
        append(stamp.size)
        append(stamp.seconds)
        append(stamp.nanoseconds)
        bytes.append(UInt8(ascii: "\t"))
        append(digitsOf: stamp.inode)
        bytes.append(UInt8(ascii: "\n"))
    }

    static func stamp(of path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(info)
    }
}

extension FileStamps.Stamp {
    init(_ info: stat) {
        self.init(
            size: Int64(info.st_size), seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int64(info.st_mtim.tv_nsec),
            inode: UInt64(info.st_ino))
    }
}
