import Testing

@testable import RosterCore

/// Records read and checked on another thread, handed over in file order.
@Suite struct RecordsAheadTests {
    /// A source that fails once `failAt` bytes have been read.
    struct FailingSource: ByteSource {
        struct Broken: Error {}
        var inner: BytesSource
        var left: Int
        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            guard left > 0 else { throw Broken() }
            let count = try inner.read(
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, left)]))
            left -= count
            return count
        }
    }

    @Test(arguments: [1, 7, 1024])
    func everyRecordComesOnceInFileOrderWithItsCheck(batch: Int) throws {
        let text = (1...3000).map { "\($0),x\n" }.joined()
        let reader = CSVReader(source: BytesSource(text, chunk: 100))
        let ahead = RecordsAhead(reader: reader, batch: batch, capacity: 2) { record in Int(record.fields[0])! * 2 }
        defer { ahead.finish() }
        var seen: [Int] = []
        while let records = try ahead.next() {
            #expect(records.count <= batch)
            for (record, checked) in records {
                #expect(checked == record.line * 2)
                seen.append(record.line)
            }
        }
        #expect(seen == Array(1...3000))
        #expect(try ahead.next() == nil, "the end stays the end")
    }

    @Test func aReadErrorComesAfterTheRecordsBeforeIt() throws {
        let text = (1...500).map { "\($0),x\n" }.joined()
        let source = FailingSource(inner: BytesSource(text, chunk: 64), left: 64 * 20)
        let reader = CSVReader(source: source, options: .init(chunkSize: 64))
        let ahead = RecordsAhead(reader: reader, batch: 10) { _ in () }
        defer { ahead.finish() }
        var lines: [Int] = []
        #expect(throws: FailingSource.Broken.self) {
            while let records = try ahead.next() { lines += records.map(\.record.line) }
        }
        #expect(!lines.isEmpty)
        #expect(lines == Array(1...lines.count), "in order, none skipped, up to the error")
    }

    @Test func finishingEarlyEndsTheThreadAndHandsTheReaderBack() throws {
        let text = (1...10000).map { "\($0)\n" }.joined()
        let reader = CSVReader(source: BytesSource(text))
        let ahead = RecordsAhead(reader: reader, batch: 16, capacity: 2) { _ in () }
        let first = try #require(try ahead.next())
        #expect(first.first?.record.line == 1)
        ahead.finish()
        // At most the batches that fit in the queue were read past the one taken.
        let next = try #require(try reader.next())
        #expect(next.line > 16 && next.line <= 16 * 4 + 1)
    }
}
