/// A merge proposal as matching computes it, before the store gives it an id.
public struct ProposalDraft: Sendable, Equatable {
    /// The people, sorted by id.
    public var people: [PersonID]
    public var survivor: PersonID
    public var confidence: Double
    /// The evidence lines, kept packed (``packedEvidence``).
    public var evidence: [String] {
        get { packedEvidence.lines }
        set { packedEvidence = PackedLines(newValue) }
    }
    /// The evidence lines in one buffer: a full pass holds every proposal's draft at once, and a
    /// string per line (with the list around them) was most of the memory the drafts added at the
    /// peak of a pass (`bench/proposals.sh 1000000`).
    public private(set) var packedEvidence: PackedLines
    /// Reasons to look closely: snowball, shared mailbox, bots. A flagged proposal is never confident.
    public var flags: [String]

    public init(people: [PersonID], survivor: PersonID, confidence: Double, evidence: [String], flags: [String]) {
        self.people = people
        self.survivor = survivor
        self.confidence = confidence
        packedEvidence = PackedLines(evidence)
        self.flags = flags
    }

    /// The people as one string, `U-000001,U-000007`: the proposal's identity across refreshes.
    public var peopleKey: String {
        people.map(\.description).joined(separator: ",")
    }
}

/// Two people, the lower id first: a rejected pair, or a candidate.
public struct PersonPair: Hashable, Sendable, Comparable {
    public let low: PersonID
    public let high: PersonID

    public init(_ a: PersonID, _ b: PersonID) {
        (low, high) = a < b ? (a, b) : (b, a)
    }

    public static func < (lhs: PersonPair, rhs: PersonPair) -> Bool {
        (lhs.low, lhs.high) < (rhs.low, rhs.high)
    }
}

/// Lines of text in one buffer: each line's UTF-8 length (LEB128), then its bytes.
public struct PackedLines: Sendable, Equatable {
    private var bytes: [UInt8]

    public init(_ lines: [String]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.utf8.count + 2 })
        for line in lines {
            var length = line.utf8.count
            repeat {
                let low = UInt8(length & 0x7F)
                length >>= 7
                bytes.append(length == 0 ? low : low | 0x80)
            } while length > 0
            bytes.append(contentsOf: line.utf8)
        }
        self.bytes = bytes
    }

    /// The lines, as strings.
    public var lines: [String] {
        var lines: [String] = []
        forEachLine { lines.append(String(decoding: $0, as: UTF8.self)) }
        return lines
    }

    /// Hands each line's bytes to `body`, valid during the call.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            var position = 0
            while position < buffer.count {
                var length = 0
                var shift = 0
                while true {
                    let byte = buffer[position]
                    position += 1
                    length |= Int(byte & 0x7F) << shift
                    shift += 7
                    if byte & 0x80 == 0 { break }
                }
                body(UnsafeBufferPointer(rebasing: buffer[position..<position + length]))
                position += length
            }
        }
    }
}
