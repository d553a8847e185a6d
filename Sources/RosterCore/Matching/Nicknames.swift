/// Common given names and their short forms (William, Bill, Will, Billy…), folded to lower case.
///
/// Each group is one given name with its usual nicknames; a name may belong to several groups (`al`
/// is Albert, Alan or Alexander). Two given names are compatible when they share a group.
public enum Nicknames {
    /// The groups, the formal name first.
    public static let groups: [[String]] = [
        ["william", "will", "bill", "billy", "willy", "liam", "wil"],
        ["robert", "rob", "bob", "bobby", "robbie", "bert", "robby"],
        ["richard", "rick", "dick", "rich", "ricky", "richie"],
        ["james", "jim", "jimmy", "jamie", "jimi"],
        ["john", "johnny", "jack", "jon", "johan", "jonny"],
        ["jonathan", "jon", "jonny", "nathan"],
        ["michael", "mike", "mick", "mickey", "micky", "mikey", "mikael", "michal"],
        ["thomas", "tom", "tommy", "thom"],
        ["christopher", "chris", "kit", "topher", "cris"],
        ["christian", "chris", "christer"],
        ["christine", "chris", "christina", "tina", "kristina", "kristin", "kris", "kristine"],
        ["daniel", "dan", "danny", "dani", "daan"],
        ["david", "dave", "davey", "davy", "dawid"],
        ["joseph", "joe", "joey", "jo", "josef", "jose", "pepe"],
        ["charles", "charlie", "chuck", "chas", "carl", "karl"],
        ["edward", "ed", "eddie", "ted", "teddy", "ned", "eddy"],
        ["edwin", "ed", "eddie"],
        ["edmund", "ed", "eddie", "ted"],
        ["anthony", "tony", "ant", "antonio", "anton", "antoine"],
        ["andrew", "andy", "drew", "andreas", "andre", "andrei", "andrey", "andrea", "andrzej"],
        [
            "alexander", "alex", "al", "sasha", "xander", "alexandre", "alejandro", "alessandro", "aleksandr",
            "aleksander", "alek", "sandro", "alexandr", "oleksandr",
        ],
        ["alexandra", "alex", "sasha", "alexa", "sandra", "alessandra"],
        ["albert", "al", "bert", "bertie"],
        ["alan", "al", "allan", "allen"],
        ["alfred", "al", "alf", "fred", "freddie"],
        ["frederick", "fred", "freddie", "freddy", "fritz", "frederik", "fredrik", "friedrich", "rick"],
        ["benjamin", "ben", "benny", "benji"],
        ["samuel", "sam", "sammy"],
        ["samantha", "sam", "sammy"],
        ["matthew", "matt", "matty", "mat", "matthias", "mathias", "matteo", "mateusz", "matej", "matti"],
        ["nicholas", "nick", "nicky", "nico", "nicolas", "nicola", "niklas", "nikolai", "klaus", "niko", "nikolaus"],
        ["patrick", "pat", "paddy", "patrik"],
        ["patricia", "pat", "patty", "trish", "tricia"],
        ["peter", "pete", "piet", "pieter", "petr", "pierre", "pietro", "pedro", "piotr"],
        ["stephen", "steve", "stevie", "steven", "stephan", "stefan", "steffen", "esteban", "stefano"],
        ["timothy", "tim", "timmy", "timo"],
        ["gregory", "greg", "gregor", "grzegorz"],
        ["jeffrey", "jeff", "geoff", "geoffrey"],
        ["kenneth", "ken", "kenny"],
        ["ronald", "ron", "ronnie"],
        ["donald", "don", "donnie"],
        ["raymond", "ray"],
        ["lawrence", "larry", "laurence", "lars", "laurent", "lorenzo"],
        ["leonard", "leo", "len", "lenny", "leon"],
        ["gerald", "gerry", "jerry"],
        ["jerome", "jerry"],
        ["harold", "harry", "hal"],
        ["henry", "harry", "hank", "hal", "henrik", "heinrich", "henri", "enrico", "enrique"],
        ["philip", "phil", "pip", "phillip", "philipp", "philippe", "filip", "felipe"],
        ["douglas", "doug"],
        ["eugene", "gene"],
        ["walter", "walt", "wally"],
        ["francis", "frank", "fran", "francesco", "francisco", "franz", "francois", "franck", "frans"],
        ["vincent", "vince", "vinny", "vincenzo"],
        ["victor", "vic", "viktor"],
        ["zachary", "zach", "zack"],
        ["nathaniel", "nate", "nathan", "nat"],
        ["joshua", "josh"],
        ["jacob", "jake", "jakob", "jakub", "jacques", "giacomo", "kuba"],
        ["benedict", "ben"],
        ["theodore", "theo", "ted", "teddy"],
        ["oliver", "ollie", "olly"],
        ["maximilian", "max", "maxim", "maksim", "maxime"],
        ["sebastian", "seb", "bastian", "sebastien"],
        ["tobias", "toby", "tobi"],
        ["elizabeth", "liz", "beth", "betty", "lisa", "eliza", "libby", "liza", "elisabeth", "elise", "betsy"],
        ["margaret", "maggie", "meg", "peggy", "marge", "greta", "margarete"],
        [
            "katherine", "kate", "kathy", "katie", "cathy", "catherine", "kathryn", "katharina", "katrin", "kat",
            "katarzyna", "kasia", "caterina", "karin",
        ],
        ["jennifer", "jen", "jenny", "jenn"],
        ["jessica", "jess", "jessie"],
        ["rebecca", "becky", "becca"],
        ["susan", "sue", "susie", "suzanne", "susanne"],
        ["deborah", "deb", "debbie", "debra"],
        ["victoria", "vicky", "tori", "viktoria"],
        ["barbara", "barb", "babs"],
        ["dorothy", "dot", "dottie", "dora"],
        ["abigail", "abby", "gail"],
        ["amanda", "mandy", "manda"],
        ["kimberly", "kim"],
        ["cynthia", "cindy"],
        ["pamela", "pam"],
        ["teresa", "terry", "tess", "theresa"],
        ["terence", "terry"],
        ["valentina", "val", "valentin", "valentine"],
        ["gabriel", "gabe", "gabriele", "gabriela", "gabrielle", "gaby"],
        ["isabel", "izzy", "bella", "isabella", "isabelle"],
        ["evgeny", "eugene", "zhenya", "evgenii", "yevgeny", "evgenij"],
        ["dmitry", "dima", "dmitri", "dmitrii", "dmytro"],
        ["vladimir", "vlad", "volodymyr", "vova"],
        ["konstantin", "kostya", "constantin", "konstantinos", "costa"],
        ["mikhail", "misha", "michail"],
        ["ivan", "vanya", "ivo"],
        ["ignacio", "nacho"],
        ["guillermo", "memo", "guillaume", "wilhelm"],
        ["giuseppe", "beppe", "pino"],
        ["johannes", "hans", "jan", "johann", "johan"],
        ["jan", "janek", "jannis"],
        ["marcus", "mark", "marc", "marco", "markus", "marek"],
        ["daniela", "dani", "danielle"],
        ["emanuel", "manny", "emmanuel", "manuel", "manu"],
        ["martin", "marty", "martijn", "marcin"],
        ["thorsten", "torsten"],
        ["kristoffer", "kris", "christoffer", "kristof", "krzysztof", "christoph"],
        ["gustav", "gus", "gustavo", "gustaf"],
        ["augustus", "gus", "august", "augusto"],
        ["ferdinand", "ferdi", "fernando", "nando"],
        ["rodrigo", "rod", "rodney", "roderick"],
    ]

    /// For each name, the indices of its groups.
    private static let index = Index(groups)

    /// The names of the groups, each with the indices of its groups, in a table of their own.
    ///
    /// Written by hand because the handle rules and name comparisons look a given name up for many
    /// of the pairs they score, and most names are none of these: a `Dictionary` hashed each one
    /// with SipHash, and the lookups were 3% of the CPU of a full pass over 1,000,000 people
    /// (perf). Here a name is hashed with FNV-1a, and one longer than every name of the groups is
    /// not looked up at all. Open addressing, a quarter full at most.
    private struct Index: Sendable {
        private var names: [String?]
        private var ids: [[Int]]
        private let mask: Int
        private let longest: Int

        init(_ groups: [[String]]) {
            let count = Set(groups.joined()).count
            var size = 16
            while size < count * 4 { size <<= 1 }
            (names, ids, mask) = ([String?](repeating: nil, count: size), [[Int]](repeating: [], count: size), size - 1)
            longest = groups.joined().map(\.utf8.count).max() ?? 0
            for (number, group) in groups.enumerated() {
                for name in group {
                    var slot = Self.slot(name, mask)
                    while let stored = names[slot], stored != name { slot = (slot + 1) & mask }
                    names[slot] = name
                    if ids[slot].last != number { ids[slot].append(number) }
                }
            }
        }

        private static func slot(_ name: String, _ mask: Int) -> Int {
            Int(truncatingIfNeeded: BlockingKeys.hash(name)) & mask
        }

        subscript(name: String) -> [Int]? {
            guard name.utf8.count <= longest else { return nil }
            var slot = Self.slot(name, mask)
            while let stored = names[slot] {
                if stored == name { return ids[slot] }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// The groups a given name belongs to; empty when it has no known nickname.
    public static func groupIDs(of name: String) -> [Int] {
        index[name] ?? []
    }

    /// Whether two given names are the same or nicknames of one name (`bill` and `william`).
    public static func compatible(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let left = index[a], let right = index[b] else { return false }
        return left.contains { right.contains($0) }
    }

    /// The formal names of a given name's groups (`bill` → `["william"]`), or the name itself.
    public static func formal(_ name: String) -> [String] {
        let ids = groupIDs(of: name)
        return ids.isEmpty ? [name] : ids.map { groups[$0][0] }
    }
}
