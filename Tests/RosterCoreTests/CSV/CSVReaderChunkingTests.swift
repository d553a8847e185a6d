import PropertyBased
import RosterCore
import Testing

/// The reader must find the same records however its input is cut into reads.
@Suite struct CSVReaderChunkingTests {
    @Test func everyChunkingReadsArbitraryBytesTheSameWay() async throws {
        await propertyCheck(count: 500, input: ByteGen.input) { bytes in
            let whole = try readAll(bytes)
            for chunking in Chunking.all.dropFirst() {
                let cut = try readAll(bytes, chunking: chunking)
                #expect(cut.records == whole.records, "\(chunking.testDescription)")
                #expect(cut.encoding == whole.encoding)
                #expect(cut.sawInvalidUTF16 == whole.sawInvalidUTF16)
            }
        }
    }

    @Test func everyChunkingAppliesTheLimitsTheSameWay() async throws {
        await propertyCheck(count: 300, input: ByteGen.input) { bytes in
            let whole = try readAll(bytes, maxRecordBytes: 6, maxFields: 3)
            for chunking in Chunking.all.dropFirst() {
                let cut = try readAll(bytes, chunking: chunking, maxRecordBytes: 6, maxFields: 3)
                #expect(cut.records == whole.records, "\(chunking.testDescription)")
            }
        }
    }

    @Test func recordsOfArbitraryBytesStartOnNonDecreasingLines() async throws {
        await propertyCheck(count: 300, input: ByteGen.input) { bytes in
            let lines = try readAll(bytes).records.map(\.line)
            #expect(lines == lines.sorted())
            #expect(Set(lines).count == lines.count)
            #expect(lines.allSatisfy { $0 >= 1 })
        }
    }

    @Test(arguments: [0, -3, 1, 5])
    func bytesSourceHandsOutAtMostItsChunk(chunk: Int) throws {
        var source = BytesSource(Array("abcdefg".utf8), chunk: chunk)
        var buffer = [UInt8](repeating: 0, count: 4)
        var read: [UInt8] = []
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            #expect(count <= max(1, min(chunk, 4)))
            read += buffer[0..<count]
        }
        #expect(read == Array("abcdefg".utf8))
    }
}
