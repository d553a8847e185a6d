/// Which person survives a merge: the one with an email, then the one with more accounts, then the
/// older one (the lower id).
public enum SurvivorRule {
    /// What the rule looks at.
    public struct Candidate: Sendable, Equatable {
        public var id: PersonID
        public var hasEmail: Bool
        public var accounts: Int

        public init(id: PersonID, hasEmail: Bool, accounts: Int) {
            self.id = id
            self.hasEmail = hasEmail
            self.accounts = accounts
        }
    }

    public static func survivor(of candidates: [Candidate]) -> PersonID? {
        candidates.min { a, b in
            (a.hasEmail ? 0 : 1, -a.accounts, a.id.rawValue) < (b.hasEmail ? 0 : 1, -b.accounts, b.id.rawValue)
        }?.id
    }

    public static func survivor(of people: [MatchPerson]) -> PersonID? {
        survivor(of: people.map { Candidate(id: $0.id, hasEmail: !$0.emails.isEmpty, accounts: $0.accounts.count) })
    }
}
