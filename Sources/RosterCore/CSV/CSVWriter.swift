/// Writes RFC 4180 CSV into a byte buffer, handing full chunks to a sink.
///
/// Fields are quoted only when they must be (a delimiter, quote, CR or LF inside, or a leading or
/// trailing space that a reader might trim); quotes are doubled; records end with LF.
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
        buffer.reserveCapacity(flushSize + 1024)
    }

    /// Appends one record.
    public mutating func write<S: Sequence>(_ fields: S) throws where S.Element: StringProtocol {
        var first = true
        for field in fields {
            if !first { buffer.append(UInt8(ascii: ",")) }
            first = false
            Self.appendField(field, to: &buffer)
        }
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
        var first = true
        for field in fields {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendField(field, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendField<F: StringProtocol>(_ field: F, to buffer: inout [UInt8]) {
        var string = String(field)
        string.withUTF8 { bytes in
            var needsQuotes = bytes.first == 0x20 || bytes.last == 0x20
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
