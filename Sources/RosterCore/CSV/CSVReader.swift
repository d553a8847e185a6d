/// One record of a CSV file, with where it came from.
public struct CSVRecord: Sendable, Equatable {
    /// The fields, unquoted, as strings. Invalid UTF-8 is replaced by U+FFFD and reported in ``issues``.
    public var fields: [String]
    /// The 1-based physical line on which the record starts.
    public var line: Int
    /// Problems the reader met while reading this record.
    public var issues: [CSVIssue]

    public init(fields: [String], line: Int, issues: [CSVIssue] = []) {
        self.fields = fields
        self.line = line
        self.issues = issues
    }
}

/// A problem in the bytes of a CSV file, found by ``CSVReader``.
public struct CSVIssue: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The bytes at ``CSVIssue/byteOffset`` are not valid UTF-8.
        case invalidUTF8
        /// A quoted field is still open at the end of the file.
        case unterminatedQuote
        /// The record is longer than ``CSVReader/Options/maxRecordBytes``; the rest of it was skipped.
        case recordTooLarge(limit: Int)
        /// The record has more fields than ``CSVReader/Options/maxFields``; the rest were skipped.
        case tooManyFields(limit: Int)
        /// The input is UTF-16 and holds an unpaired surrogate.
        case invalidUTF16
    }

    public var kind: Kind
    /// The 0-based index of the field in its record, when the issue belongs to one field.
    public var field: Int?
    /// The 0-based byte offset in the file, when known.
    public var byteOffset: Int?

    public init(kind: Kind, field: Int? = nil, byteOffset: Int? = nil) {
        self.kind = kind
        self.field = field
        self.byteOffset = byteOffset
    }
}

/// The text encoding ``CSVReader`` found at the start of its input.
public enum CSVEncoding: String, Sendable {
    case utf8 = "UTF-8"
    case utf8WithBOM = "UTF-8 with BOM"
    case utf16LittleEndian = "UTF-16LE"
    case utf16BigEndian = "UTF-16BE"
}

/// A streaming RFC 4180 reader that works on bytes.
///
/// Written by hand rather than taken from a library: on a 1,000,000-row file the byte-level loop
/// runs at hundreds of MB/s in a few MiB of memory, where the CSV packages available here stream at
/// about 15 MB/s or load the whole file (see the project README, "Performance"). It accepts quoted
/// fields, doubled quotes, delimiters and line breaks inside quotes, LF, CRLF and lone CR line ends,
/// a UTF-8 byte-order mark, and UTF-16 with a byte-order mark (transcoded on the fly). Entirely
/// blank lines are skipped. It is lenient where spreadsheets are: a quote inside an unquoted field
/// and text after a closing quote are kept as written.
///
/// Memory stays bounded: one input chunk plus the record in hand, whose size is capped by
/// ``Options/maxRecordBytes`` and ``Options/maxFields``.
public final class CSVReader<Source: ByteSource> {
    /// Limits and the delimiter.
    public struct Options: Sendable {
        public var delimiter: UInt8
        /// The most bytes one record may hold; beyond it the record is cut and flagged.
        public var maxRecordBytes: Int
        /// The most fields one record may hold; beyond it the record is cut and flagged.
        public var maxFields: Int
        /// The size of one read from the source.
        public var chunkSize: Int

        public init(
            delimiter: UInt8 = UInt8(ascii: ","),
            maxRecordBytes: Int = 1 << 20,
            maxFields: Int = 1_000,
            chunkSize: Int = 1 << 16
        ) {
            self.delimiter = delimiter
            self.maxRecordBytes = maxRecordBytes
            self.maxFields = maxFields
            self.chunkSize = max(4, chunkSize)
        }
    }

    /// The source, as far as it has been read.
    public private(set) var source: Source
    private let options: Options
    private let buffer: UnsafeMutableRawBufferPointer
    private var count = 0
    private var position = 0
    /// The byte offset in the (decoded) input of `buffer[0]`.
    private var bufferStart = 0
    private var atEnd = false
    private var line = 1
    private var started = false
    private var transcoder: UTF16Transcoder?

    /// The encoding found at the start of the input; known after the first call to ``next()``.
    public private(set) var encoding: CSVEncoding = .utf8
    /// Set when a UTF-16 input held an unpaired surrogate (replaced by U+FFFD).
    public private(set) var sawInvalidUTF16 = false

    public init(source: Source, options: Options = Options()) {
        self.source = source
        self.options = options
        self.buffer = .allocate(byteCount: options.chunkSize * 2, alignment: 8)
    }

    deinit {
        buffer.deallocate()
    }

    // MARK: - Input

    /// Makes at least one unread byte available; returns false at the end of the input.
    private func fill() throws -> Bool {
        if position < count { return true }
        if atEnd { return false }
        bufferStart += count
        position = 0
        count = 0
        while count == 0 {
            if var transcoder {
                count = try transcoder.read(from: &source, into: buffer, chunk: options.chunkSize)
                if transcoder.sawInvalid { sawInvalidUTF16 = true }
                self.transcoder = transcoder
            } else {
                count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<options.chunkSize]))
            }
            if count == 0 {
                atEnd = true
                return false
            }
        }
        return true
    }

    /// Looks at the first bytes for a byte-order mark.
    private func detectEncoding() throws {
        started = true
        // Gather at least 3 bytes (or all there is) so a BOM split across reads is still seen.
        while count < 3 {
            let got = try source.read(
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[count..<options.chunkSize]))
            if got == 0 { break }
            count += got
        }
        if count == 0 {
            atEnd = true
            return
        }
        let b0 = buffer[0]
        let b1 = count > 1 ? buffer[1] : 0
        let b2 = count > 2 ? buffer[2] : 0
        if b0 == 0xEF, b1 == 0xBB, b2 == 0xBF {
            encoding = .utf8WithBOM
            position = 3
        } else if (b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF) {
            let littleEndian = b0 == 0xFF
            encoding = littleEndian ? .utf16LittleEndian : .utf16BigEndian
            var transcoder = UTF16Transcoder(littleEndian: littleEndian)
            transcoder.pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[2..<count]))
            self.transcoder = transcoder
            count = 0
            position = 0
        }
    }

    // MARK: - Records

    private var fieldBytes: [UInt8] = []
    private var fieldHasHighBytes = false
    private var fieldContentStart = 0
    /// How many bytes of `fieldBytes` came before the closing quote of a quoted field, once closed.
    private var fieldClosedAt: Int?

    /// Reads the next record.
    ///
    /// - Returns: The record, or nil at the end of the input.
    public func next() throws -> CSVRecord? {
        if !started { try detectEncoding() }
        while true {
            guard let record = try readRecord() else { return nil }
            if record.fields.count == 1, record.fields[0].isEmpty, record.issues.isEmpty, !lastRecordHadQuote {
                continue  // a blank line
            }
            return record
        }
    }

    private var lastRecordHadQuote = false

    private func readRecord() throws -> CSVRecord? {
        guard try fill() else { return nil }
        let delimiter = options.delimiter
        let quote = UInt8(ascii: "\"")
        let lf = UInt8(ascii: "\n")
        let cr = UInt8(ascii: "\r")

        var fields: [String] = []
        var issues: [CSVIssue] = []
        let startLine = line
        var recordBytes = 0
        // The bytes of the field in hand, including those dropped past maxRecordBytes: whether a
        // quote opens a quoted field must not depend on where a read ended.
        var fieldLength = 0
        var truncated = false
        var inQuotes = false
        var fieldWasQuoted = false
        var anyQuote = false
        fieldBytes.removeAll(keepingCapacity: true)
        fieldHasHighBytes = false
        fieldContentStart = bufferStart + position

        func finishField() {
            if fields.count >= options.maxFields {
                if !truncated {
                    issues.append(CSVIssue(kind: .tooManyFields(limit: options.maxFields), field: fields.count))
                    truncated = true
                }
            } else {
                fields.append(makeString(fieldIndex: fields.count, quoted: fieldWasQuoted, issues: &issues))
            }
            fieldBytes.removeAll(keepingCapacity: true)
            fieldHasHighBytes = false
            fieldWasQuoted = false
            fieldClosedAt = nil
            fieldLength = 0
        }

        /// Appends `length` bytes from `start` to the field, counting them against the record's
        /// limit (past it they are dropped and the record flagged), in one copy: byte by byte, the
        /// reader ran at about 20 MB/s on a users CSV (perf, `bench/ingest.sh`).
        func append(run start: UnsafePointer<UInt8>, length: Int) {
            guard length > 0 else { return }
            let room = max(0, options.maxRecordBytes - recordBytes)
            recordBytes += length
            fieldLength += length
            let kept = UnsafeBufferPointer(start: start, count: min(length, room))
            if length > room, !truncated {
                issues.append(CSVIssue(kind: .recordTooLarge(limit: options.maxRecordBytes), field: fields.count))
                truncated = true
            }
            guard !kept.isEmpty else { return }
            var high: UInt8 = 0
            for byte in kept { high |= byte }
            if high >= 0x80 { fieldHasHighBytes = true }
            fieldBytes.append(contentsOf: kept)
        }

        while true {
            guard try fill() else {
                // End of input.
                if inQuotes {
                    issues.append(CSVIssue(kind: .unterminatedQuote, field: fields.count))
                }
                finishField()
                lastRecordHadQuote = anyQuote
                return CSVRecord(fields: fields, line: startLine, issues: issues)
            }
            if inQuotes {
                // Copy a run of ordinary bytes at once.
                let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var i = position
                var wasCR = previousWasCR
                var lines = 0
                while i < count {
                    let b = base[i]
                    if b == quote { break }
                    // CR, LF and CRLF each end one line.
                    if b == cr || (b == lf && !wasCR) { lines += 1 }
                    wasCR = b == cr
                    i += 1
                }
                line += lines
                previousWasCR = wasCR
                append(run: base + position, length: i - position)
                position = i
                guard i < count else { continue }
                previousWasCR = false
                // A quote: closing, or the first of a doubled pair.
                position += 1
                if try fill(), byteAtPosition() == quote {
                    withUnsafePointer(to: quote) { append(run: $0, length: 1) }
                    position += 1
                } else {
                    inQuotes = false
                    fieldClosedAt = fieldBytes.count
                }
                continue
            }

            let b = byteAtPosition()
            if b == delimiter {
                position += 1
                finishField()
                fieldContentStart = bufferStart + position
            } else if b == lf {
                position += 1
                line += 1
                finishField()
                lastRecordHadQuote = anyQuote
                return CSVRecord(fields: fields, line: startLine, issues: issues)
            } else if b == cr {
                position += 1
                line += 1
                if try fill(), byteAtPosition() == lf { position += 1 }
                finishField()
                lastRecordHadQuote = anyQuote
                return CSVRecord(fields: fields, line: startLine, issues: issues)
            } else if b == quote, fieldLength == 0, !fieldWasQuoted {
                position += 1
                inQuotes = true
                fieldWasQuoted = true
                anyQuote = true
                fieldContentStart = bufferStart + position
            } else {
                // A run of ordinary bytes.
                // (A quote that would open a quoted field was taken above: this byte is not one,
                // and the bytes after it are inside the field.)
                let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var i = position
                while i < count {
                    let c = base[i]
                    if c == delimiter || c == lf || c == cr { break }
                    i += 1
                }
                append(run: base + position, length: i - position)
                position = i
            }
        }
    }

    /// Whether the last byte inside a quoted field was a CR, so that a following LF is not counted again.
    private var previousWasCR = false

    @inline(__always)
    private func byteAtPosition() -> UInt8 {
        buffer[position]
    }

    private func makeString(fieldIndex: Int, quoted: Bool, issues: inout [CSVIssue]) -> String {
        if !fieldHasHighBytes {
            return String(decoding: fieldBytes, as: UTF8.self)
        }
        if let valid = String(validating: fieldBytes, as: UTF8.self) {
            return valid
        }
        // Find the first bad byte for the report.
        var iterator = fieldBytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        var quotesBefore = 0
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                offset += scalar.count
            case .emptyInput:
                break parsing
            case .error:
                break parsing
            }
        }
        if quoted {
            // Quotes inside the quotes were written twice; text after the closing quote (kept
            // leniently) follows one more byte, the closing quote, and its quotes were written once.
            let inside = min(offset, fieldClosedAt ?? offset)
            quotesBefore = fieldBytes[..<inside].reduce(0) { $0 + ($1 == UInt8(ascii: "\"") ? 1 : 0) }
            if let fieldClosedAt, offset >= fieldClosedAt { quotesBefore += 1 }
        }
        let absolute = transcoder == nil ? fieldContentStart + offset + quotesBefore : nil
        issues.append(CSVIssue(kind: .invalidUTF8, field: fieldIndex, byteOffset: absolute))
        return String(decoding: fieldBytes, as: UTF8.self)
    }
}

/// Turns UTF-16 input into UTF-8, chunk by chunk, keeping a split code unit or surrogate pair for
/// the next chunk.
struct UTF16Transcoder {
    let littleEndian: Bool
    var pending: [UInt8] = []
    var sawInvalid = false
    private var leadSurrogate: UInt16?
    private var raw: [UInt8] = []

    init(littleEndian: Bool) {
        self.littleEndian = littleEndian
    }

    /// Fills `output` with up to `chunk` bytes of UTF-8; returns 0 at the end of the input.
    mutating func read<Source: ByteSource>(
        from source: inout Source,
        into output: UnsafeMutableRawBufferPointer,
        chunk: Int
    ) throws -> Int {
        // Each UTF-16 code unit (2 bytes) becomes at most 3 UTF-8 bytes, so half a chunk of input
        // can't overflow the output, which holds 2 * chunk bytes.
        while true {
            if pending.count < 2 {
                raw = [UInt8](repeating: 0, count: chunk / 2)
                let got = try raw.withUnsafeMutableBytes { try source.read(into: $0) }
                if got == 0 {
                    var written = 0
                    if leadSurrogate != nil || !pending.isEmpty {
                        sawInvalid = true
                        leadSurrogate = nil
                        pending.removeAll()
                        written = put(0xFFFD, into: output, at: 0)
                    }
                    return written
                }
                pending.append(contentsOf: raw[0..<got])
            }
            var written = 0
            var i = 0
            while i + 1 < pending.count {
                let unit =
                    littleEndian
                    ? UInt16(pending[i]) | UInt16(pending[i + 1]) << 8
                    : UInt16(pending[i]) << 8 | UInt16(pending[i + 1])
                i += 2
                if let lead = leadSurrogate {
                    leadSurrogate = nil
                    if (0xDC00...0xDFFF).contains(unit) {
                        let scalar = 0x10000 + (UInt32(lead - 0xD800) << 10) + UInt32(unit - 0xDC00)
                        written += put(scalar, into: output, at: written)
                        continue
                    }
                    sawInvalid = true
                    written += put(0xFFFD, into: output, at: written)
                }
                if (0xD800...0xDBFF).contains(unit) {
                    leadSurrogate = unit
                } else if (0xDC00...0xDFFF).contains(unit) {
                    sawInvalid = true
                    written += put(0xFFFD, into: output, at: written)
                } else {
                    written += put(UInt32(unit), into: output, at: written)
                }
            }
            pending.removeFirst(i)
            if written > 0 { return written }
        }
    }

    private func put(_ value: UInt32, into output: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        var n = 0
        for byte in UTF8.encode(scalar)! {
            output[offset + n] = byte
            n += 1
        }
        return n
    }
}
