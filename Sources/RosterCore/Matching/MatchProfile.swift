/// What the scorer compares of a person, derived once from a ``MatchPerson``.
///
/// A class, not a struct: scoring a pair copied both profiles, a retain and a release for each of
/// their fifteen fields, about a seventh of a full pass over `bench/proposals.sh` (perf).
public final class MatchProfile: Sendable {
    public let id: PersonID
    public let isBot: Bool
    /// Whether every name and handle is ASCII, so that comparisons can be made byte by byte.
    let isASCII: Bool
    /// Whether the person has a real address (not a placeholder, not noreply).
    public let hasEmail: Bool
    private let accounts: UInt32
    /// Distinct normalised names (person name and account display names), as token lists.
    ///
    /// This and the other lists of a profile are ``SmallList``s: most people have one or two of
    /// each, and an array per list and person was most of the allocations of a full pass, which
    /// keeps a profile of every person (docs/MATCHING.md, "Seventh round").
    let names: SmallList<[String]>
    /// Distinct handles: logins, local parts of real emails, GitHub noreply logins, letters and digits only.
    let handles: SmallList<String>
    /// Handles with separators that read as names (`jane.doe` → `["jane", "doe"]`).
    let handleNames: SmallList<[String]>
    /// ``BlockingKeys/hash(_:)`` of each real address, the first here and the others in
    /// `otherEmails`: scoring only asks whether two people share one (when they have addresses at
    /// one private domain), and the text of most addresses was an allocation of its own per person.
    private let firstEmail: UInt64
    private let otherEmails: [UInt64]
    /// The domains of the real addresses that are not public mail providers.
    let privateDomains: [String]
    /// Integration instances of the accounts, one entry per account.
    public let integrations: [String]
    /// What few people have, in an object of its own that most profiles go without.
    private let rare: Rare?

    /// The fields of a profile that most people leave empty.
    private final class Rare: Sendable {
        let githubUsers: [String]
        let placeholders: [String]
        let accountsWithoutEmail: [AccountKey]
        let sharedMailbox: String?

        init(githubUsers: [String], placeholders: [String], accountsWithoutEmail: [AccountKey], sharedMailbox: String?)
        {
            self.githubUsers = githubUsers
            self.placeholders = placeholders
            self.accountsWithoutEmail = accountsWithoutEmail
            self.sharedMailbox = sharedMailbox
        }
    }

    /// Whether the two have a real address in common (as far as 64-bit hashes tell: two addresses
    /// mistaken for one would only spare a pair the penalty of different addresses at one domain).
    func sharesEmail(with other: MatchProfile) -> Bool {
        guard hasEmail, other.hasEmail else { return false }
        return firstEmail == other.firstEmail || otherEmails.contains(other.firstEmail)
            || other.otherEmails.contains(firstEmail) || otherEmails.contains(where: other.otherEmails.contains)
    }
    /// Handle `index` without its trailing digits (``NameNormaliser/withoutTrailingDigits(_:)``;
    /// empty when it is all digits), made when asked: kept in the profile, they were 40 bytes of
    /// every one, 48 MB of the peak of `bench/proposals.sh 1000000` (which ``ScoringTable``'s keys
    /// then raised past 1 GB).
    func bareHandle(_ index: Int) -> String {
        NameNormaliser.withoutTrailingDigits(handles[index])
    }

    /// Every handle's ``bareHandle(_:)``, in their order.
    var bareHandles: [String] { handles.indices.map(bareHandle) }

    /// ``BlockingKeys/hash(_:)`` of each real address; empty without one.
    var emailHashes: [UInt64] { hasEmail ? [firstEmail] + otherEmails : [] }
    /// GitHub users named by noreply addresses: the numeric id when present, else the login.
    public var githubUsers: [String] { rare?.githubUsers ?? [] }
    /// Placeholder addresses the accounts carry (`root@localhost`, `noreply@…`).
    public var placeholders: [String] { rare?.placeholders ?? [] }
    /// The accounts that have no email of any kind, for the evidence lines.
    public var accountsWithoutEmail: [AccountKey] { rare?.accountsWithoutEmail ?? [] }
    /// Why the person looks like a shared mailbox, if it does.
    public var sharedMailbox: String? { rare?.sharedMailbox }
    public var accountCount: Int { Int(accounts) }

    /// Names that say nothing about who someone is.
    static let genericNames: Set<String> = [
        "unknown", "root", "anonymous", "admin", "administrator", "user", "none", "nobody", "test", "ubuntu",
        "localhost", "guest", "github", "bot", "system", "build", "builder", "jenkins", "ci", "git", "dev",
        "developer", "me", "your name", "name", "no name", "noname", "default", "local", "unknown author",
    ]

    /// Local parts that are usually a team's or a role's mailbox.
    static let sharedLocalParts: Set<String> = [
        "info", "support", "admin", "team", "dev", "devel", "developers", "contact", "office", "hello", "sales",
        "help", "security", "webmaster", "postmaster", "mail", "list", "lists", "staff", "all", "everyone", "ops",
        "it", "hr", "billing", "jobs", "press", "marketing", "feedback", "service", "maintainers", "committers",
        "bugs", "git", "build", "ci", "release", "releases", "abuse", "devops", "engineering", "tech", "dev-team",
    ]

    /// The length in bytes of the longest of `genericNames` and `sharedLocalParts`.
    static let longestSkipped = genericNames.union(sharedLocalParts).map(\.utf8.count).max() ?? 0

    /// Code hosting sites that people name after their handle (`jdoe on github`).
    static let hostingSites: Set<String> = ["github", "gitlab", "bitbucket", "codeberg", "sourcehut", "gitee"]

    /// `["jdoe", "on", "github"]` → `["jdoe"]`: the words that say where the name is used are not
    /// part of it.
    static func withoutHostingSuffix(_ tokens: [String]) -> [String] {
        guard tokens.count >= 3, hostingSites.contains(tokens[tokens.count - 1]),
            ["on", "at", "from", "via"].contains(tokens[tokens.count - 2])
        else { return tokens }
        return Array(tokens.dropLast(2))
    }

    /// Default accounts of operating systems and images, not anyone's own user name.
    static let defaultHostUsers: Set<String> = [
        "vagrant", "runner", "docker", "ec2user", "debian", "centos", "fedora", "kali", "pi", "vscode", "node",
    ]

    /// The local part of an address at a machine's own host name (`jdoe@laptop.local`,
    /// `jdoe@localhost.localdomain`, `jdoe@box.lan`, `jdoe@pc.home.arpa`), which git and mail tools
    /// fill in from the user's login when no address is configured; nil for any other address.
    static func localHostUser(_ address: String) -> String? {
        guard let (localPart, domain) = EmailAddress.parts(address) else { return nil }
        let local = String(localPart)
        let hostSuffixes = [".local", ".localdomain", ".lan", ".home", ".internal", ".home.arpa", ".localhost"]
        guard domain == "localhost" || hostSuffixes.contains(where: { domain.hasSuffix($0) }),
            !local.isEmpty, !defaultHostUsers.contains(NameNormaliser.compactHandle(local))
        else { return nil }
        return local
    }

    public convenience init(_ person: MatchPerson, placeholderPatterns: [String] = []) {
        var lists = SharedLists()
        self.init(person, placeholderPatterns: placeholderPatterns, sharing: &lists)
    }

    /// Lists that many people have alike (the integrations of their accounts, the private domains
    /// of their addresses, the tokens of their names), kept once among the profiles built with the same
    /// `SharedLists`: a list in a profile of its own was an allocation of 48 to 80 bytes per person
    /// and field, and a full pass keeps a profile of every person (peak RSS of
    /// `bench/proposals.sh 1000000`).
    struct SharedLists {
        /// The lists of one type kept so far, each once.
        struct Kept<List: Hashable & Collection> {
            private var lists: [List: List] = [:]

            /// The kept list equal to `list`, or `list`, kept from now on.
            mutating func share(_ list: List) -> List {
                guard !list.isEmpty else { return list }
                if let kept = lists[list] { return kept }
                lists[list] = list
                return list
            }
        }

        var strings = Kept<[String]>()
    }

    init(_ person: MatchPerson, placeholderPatterns: [String], sharing lists: inout SharedLists) {
        id = person.id
        isBot = person.isBot || person.accounts.contains { $0.isBot }
        var names: [[String]] = []
        var handles: [String] = []
        var handleNames: [[String]] = []
        var emails: [String] = []
        var placeholders: [String] = []
        var githubUsers: [String] = []
        var withoutEmail: [AccountKey] = []
        func addName(_ raw: String?) {
            // Bytes, not `contains(_: String)`, which Foundation answers by a search with a
            // locale (an eighth of building the profiles, perf).
            guard let raw, !raw.utf8.contains(UInt8(ascii: "@")) else { return }
            let tokens = Self.withoutHostingSuffix(NameNormaliser.tokens(raw))
            guard !tokens.isEmpty, !Self.genericNames.contains(tokens.joined(separator: " ")) else { return }
            if tokens.count == 1, tokens[0].count < 3 { return }
            if !names.contains(tokens) { names.append(tokens) }
        }
        // ASCII handles (nearly all) are read by bytes, where a byte is a character: searching and
        // counting characters was two fifths of adding a handle, and adding handles a third of
        // building the profiles of a full pass (perf). Anything else as characters, as before.
        func addHandle(_ raw: String) {
            let ascii = raw.utf8.allSatisfy { $0 < 0x80 }
            var local = Substring(raw)
            if ascii {
                if let plus = raw.utf8.firstIndex(of: UInt8(ascii: "+")) { local = Substring(raw.utf8[..<plus]) }
            } else if let plus = local.firstIndex(of: "+") {
                local = local[..<plus]
            }
            // One tokenisation for both the compact handle and its parts.
            let tokens = NameNormaliser.handleTokens(String(local))
            let compact = tokens.joined()
            let length = ascii ? compact.utf8.count : compact.count
            guard length >= 3 else { return }
            // No word of either list is longer than `longestSkipped` bytes: most handles need
            // no lookup.
            if compact.utf8.count <= Self.longestSkipped,
                Self.genericNames.contains(compact) || Self.sharedLocalParts.contains(compact)
            {
                return
            }
            if !handles.contains(compact) { handles.append(compact) }
            let parts = tokens.filter { token in
                ascii ? !token.utf8.allSatisfy { (0x30...0x39).contains($0) } : !token.allSatisfy(\.isNumber)
            }
            if parts.count >= 2, !handleNames.contains(parts) { handleNames.append(parts) }
        }
        var classified: [String] = []
        func addEmail(_ raw: String?) {
            // An account usually repeats its person's address: the same text says the same again.
            if let raw {
                if classified.contains(raw) { return }
                classified.append(raw)
            }
            switch EmailEvidence.classify(raw, placeholders: placeholderPatterns) {
            case .address(let address):
                if !emails.contains(address) { emails.append(address) }
                if let (local, _) = EmailAddress.parts(address) { addHandle(String(local)) }
            case .githubLogin(let login):
                addHandle(login)
                let address = EmailAddress.normalise(raw ?? "")
                if let plus = address.firstIndex(of: "+"), address[..<plus].allSatisfy(\.isNumber) {
                    let user = "id " + address[..<plus]
                    if !githubUsers.contains(user) { githubUsers.append(user) }
                }
                if !githubUsers.contains(login) { githubUsers.append(login) }
            case .placeholder:
                if let raw, !placeholders.contains(EmailAddress.normalise(raw)) {
                    placeholders.append(EmailAddress.normalise(raw))
                }
                // `jdoe@laptop.local`: no mailbox, but the user name on someone's own machine.
                if let raw, let local = Self.localHostUser(EmailAddress.normalise(raw)) { addHandle(local) }
            case .invalid, .none:
                break
            }
        }
        addName(person.name)
        for email in person.emails { addEmail(email) }
        for account in person.accounts {
            // A list's rewritten sender (`Jane Doe via a-list`): her name, the list's address.
            let sender = ListSender.sender(in: account.displayName, email: account.email)
            addName(sender ?? account.displayName)
            if let login = account.login { addHandle(login) }
            if sender == nil { addEmail(account.email) }
            if (account.email ?? "").isEmpty { withoutEmail.append(account.key) }
        }
        // Equal token lists share one buffer: a full pass keeps a profile per person (peak RSS of
        // `bench/proposals.sh`, where most handles read as the person's own name).
        let sharedNames = names.map { lists.strings.share($0) }
        self.names = SmallList(sharedNames)
        self.handles = SmallList(handles)
        self.handleNames = SmallList(handleNames.map { split in sharedNames.first { $0 == split } ?? split })
        hasEmail = !emails.isEmpty
        firstEmail = emails.first.map(BlockingKeys.hash) ?? 0
        otherEmails = emails.dropFirst().map(BlockingKeys.hash)
        isASCII =
            names.allSatisfy { $0.allSatisfy(NameEvidence.isASCII) } && handles.allSatisfy(NameEvidence.isASCII)
            && handleNames.allSatisfy { $0.allSatisfy(NameEvidence.isASCII) }
        var privateDomains: [String] = []
        for email in emails {
            guard let domain = PairScorer.domain(email), !PairScorer.publicDomains.contains(domain) else { continue }
            if !privateDomains.contains(domain) { privateDomains.append(domain) }
        }
        self.privateDomains = lists.strings.share(privateDomains)
        integrations = lists.strings.share(person.accounts.map(\.key.integration))
        accounts = UInt32(clamping: person.accounts.count)
        var shared: String?
        // A role address (info@, dev@) alone is often someone's own domain; it is a shared mailbox
        // when the accounts behind it also carry different people's names.
        let people = Self.distinctPeople(in: names)
        for email in emails where people >= 2 {
            if let (local, _) = EmailAddress.parts(email), Self.sharedLocalParts.contains(String(local)) {
                shared = "\(email) looks like a shared mailbox used by \(people) different names"
            }
        }
        if shared == nil, people >= 3 {
            shared = "its accounts carry \(names.count) different names"
        }
        rare =
            githubUsers.isEmpty && placeholders.isEmpty && withoutEmail.isEmpty && shared == nil
            ? nil
            : Rare(
                githubUsers: githubUsers, placeholders: placeholders, accountsWithoutEmail: withoutEmail,
                sharedMailbox: shared)
    }

    /// The profiles of `people`, in their order, built in pieces on up to `threads` threads.
    public static func profiles(
        of people: [MatchPerson], placeholderPatterns: [String] = [], threads: Int = 1
    ) -> [MatchProfile] {
        let pieces = ParallelWork.ranges(people.count, pieces: (people.count + 1023) / 1024)
        var profiles: [MatchProfile] = []
        profiles.reserveCapacity(people.count)
        let built = ParallelWork.map(pieces.count, threads: threads) { piece in
            sharingLists(people[pieces[piece]], placeholderPatterns: placeholderPatterns)
        }
        for piece in built { profiles += piece }
        return profiles
    }

    /// The profiles of a piece of `people`, built with one ``SharedLists``.
    static func sharingLists(_ people: some Sequence<MatchPerson>, placeholderPatterns: [String]) -> [MatchProfile] {
        var lists = SharedLists()
        return people.map { MatchProfile($0, placeholderPatterns: placeholderPatterns, sharing: &lists) }
    }

    /// How many of `names` are mutually incompatible (different last names, not nicknames).
    static func distinctPeople(in names: some Sequence<[String]>) -> Int {
        var groups: [[String]] = []
        for name in names where !groups.contains(where: { NameEvidence.compatible($0, name) }) {
            groups.append(name)
        }
        return groups.count
    }
}
