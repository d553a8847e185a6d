import RosterCore
import Testing

/// How the input reaches the reader: the size of each read from the source and the reader's own buffer.
struct Chunking: Sendable, CustomTestStringConvertible {
    var sourceChunk: Int
    var readerChunkSize: Int

    var testDescription: String {
        let source = sourceChunk == .max ? "whole input" : "source chunk \(sourceChunk)"
        return "\(source), reader buffer \(readerChunkSize)"
    }

    /// One read for the whole input, then reads of 1, 2 and 3 bytes so that chunk borders fall
    /// everywhere (between CR and LF, inside a doubled quote, a multi-byte character or the BOM),
    /// then the reader's smallest buffer.
    static let all: [Chunking] = [
        Chunking(sourceChunk: .max, readerChunkSize: 1 << 16),
        Chunking(sourceChunk: 1, readerChunkSize: 1 << 16),
        Chunking(sourceChunk: 2, readerChunkSize: 1 << 16),
        Chunking(sourceChunk: 3, readerChunkSize: 1 << 16),
        Chunking(sourceChunk: .max, readerChunkSize: 4),
        Chunking(sourceChunk: 3, readerChunkSize: 5),
    ]
}

/// Reads every record of `bytes`.
func readAll(
    _ bytes: [UInt8],
    chunking: Chunking = Chunking.all[0],
    maxRecordBytes: Int = 1 << 20,
    maxFields: Int = 1_000
) throws -> (records: [CSVRecord], encoding: CSVEncoding, sawInvalidUTF16: Bool) {
    let options = CSVReader<BytesSource>.Options(
        maxRecordBytes: maxRecordBytes, maxFields: maxFields, chunkSize: chunking.readerChunkSize)
    let reader = CSVReader(source: BytesSource(bytes, chunk: chunking.sourceChunk), options: options)
    var records: [CSVRecord] = []
    while let record = try reader.next() {
        records.append(record)
    }
    // The end stays the end.
    #expect(try reader.next() == nil)
    return (records, reader.encoding, reader.sawInvalidUTF16)
}

/// Reads every record of the UTF-8 text.
func readAll(_ text: String, chunking: Chunking = Chunking.all[0]) throws -> [CSVRecord] {
    try readAll(Array(text.utf8), chunking: chunking).records
}

/// The bytes of `text` in UTF-16 with a byte-order mark.
func utf16Bytes(_ text: String, littleEndian: Bool) -> [UInt8] {
    var bytes: [UInt8] = littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
    for unit in text.utf16 {
        let high = UInt8(unit >> 8)
        let low = UInt8(unit & 0xFF)
        bytes += littleEndian ? [low, high] : [high, low]
    }
    return bytes
}

/// Writes the table with ``CSVWriter``, flushing after every `flushSize` bytes, and returns the bytes.
func writeTable(_ table: [[String]], flushSize: Int = 1 << 16) throws -> [UInt8] {
    var output: [UInt8] = []
    var writer = CSVWriter(flushSize: flushSize) { output += $0 }
    for row in table {
        try writer.write(row)
    }
    try writer.flush()
    return output
}
