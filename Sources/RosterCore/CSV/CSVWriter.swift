/// Writes RFC 4180 CSV into a byte buffer, handing full chunks to a sink.
///
/// Fields are quoted only when they must be (a delimiter, quote, CR or LF inside, a leading or
/// trailing space that a reader might trim, a leading U+FEFF, or a record's only field empty);
/// quotes are doubled; records end with LF.
public struct CSVWriter {
    private var buffer: [UInt8] = []
    private let flushSize: Int
    private let sink: ([UInt8]) throws -> Void

    /// - Parameters:
    ///   - flushSize: The buffered size at which bytes are handed to `sink`.
    ///   - sink: Receives the written bytes in order.
    public init(flushSize: Int = 1 << 16, sink: @escaping ([UInt8]) throws -> Void) {
        self.flushSize = flushSize
        self.sink = sink
        buffer.reserveCapacity(min(flushSize, 1 << 20) + 1024)
    }

    /// Appends one record.
    public mutating func write<S: Sequence>(_ fields: S) throws where S.Element: StringProtocol {
        Self.appendRecord(fields, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= flushSize { try flush() }
    }

    /// Appends one record of strings: the generic `write(_:)` specialised here, where the
    /// exports call it from another module for every row (unspecialised there, stepping the
    /// fields through witness tables was a tenth of rewriting the exports of 1,000,000 people).
    public mutating func write(_ fields: [String]) throws {
        Self.appendRecord(fields, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= flushSize { try flush() }
    }

    /// Hands what is buffered to the sink.
    public mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// The CSV text of one record, without the line end; for tests and small outputs.
    public static func line<S: Sequence>(_ fields: S) -> String where S.Element: StringProtocol {
        var bytes: [UInt8] = []
        appendRecord(fields, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendRecord<S: Sequence>(_ fields: S, to buffer: inout [UInt8]) where S.Element: StringProtocol {
        let start = buffer.count
        var count = 0
        for field in fields {
            if count > 0 { buffer.append(UInt8(ascii: ",")) }
            count += 1
            appendField(field, to: &buffer)
        }
        // A record of one empty field would be an empty line, which readers skip as blank: quote it.
        if count == 1, buffer.count == start {
            buffer.append(contentsOf: [0x22, 0x22])
        }
    }

    static func appendField<F: StringProtocol>(_ field: F, to buffer: inout [UInt8]) {
        var string = String(field)
        string.withUTF8 { bytes in
            // A leading U+FEFF at the start of a file would be read back as a byte-order mark.
            var needsQuotes = bytes.first == 0x20 || bytes.last == 0x20 || bytes.starts(with: [0xEF, 0xBB, 0xBF])
            if !needsQuotes {
                for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
                    needsQuotes = true
                    break
                }
            }
            guard needsQuotes else {
                buffer.append(contentsOf: bytes)
                return
            }
            buffer.append(0x22)
            for byte in bytes {
                if byte == 0x22 { buffer.append(0x22) }
                buffer.append(byte)
            }
            buffer.append(0x22)
        }
    }
}
