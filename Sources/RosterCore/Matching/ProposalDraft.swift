/// A merge proposal as matching computes it, before the store gives it an id.
public struct ProposalDraft: Sendable, Equatable {
    /// The people, sorted by id.
    public var people: [PersonID]
    public var survivor: PersonID
    public var confidence: Double
    public var evidence: [String]
    /// Reasons to look closely: snowball, shared mailbox, bots. A flagged proposal is never confident.
    public var flags: [String]

    public init(people: [PersonID], survivor: PersonID, confidence: Double, evidence: [String], flags: [String]) {
        self.people = people
        self.survivor = survivor
        self.confidence = confidence
        self.evidence = evidence
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
