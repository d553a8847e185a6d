/// A sequential source of bytes, read in chunks.
///
/// ``CSVReader`` pulls from a source so that it never holds more than one chunk of the input and
/// the record in hand: memory stays bounded whatever the size of the file. The agent supplies a
/// source that reads a file descriptor; tests use ``BytesSource``.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes into `buffer`.
    ///
    /// - Returns: The number of bytes read; 0 at the end of the input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A ``ByteSource`` over bytes already in memory, handed out in chunks of a chosen size.
public struct BytesSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0
    private let chunk: Int

    /// - Parameters:
    ///   - bytes: The whole input.
    ///   - chunk: The most bytes one ``read(into:)`` returns; small values exercise chunk borders.
    public init(_ bytes: [UInt8], chunk: Int = .max) {
        self.bytes = bytes
        self.chunk = max(1, chunk)
    }

    /// A source of the UTF-8 bytes of `text`.
    public init(_ text: String, chunk: Int = .max) {
        self.init(Array(text.utf8), chunk: chunk)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, chunk, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { all in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[offset..<offset + count]))
        }
        offset += count
        return count
    }
}
