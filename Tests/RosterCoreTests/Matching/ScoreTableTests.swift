import Testing

@testable import RosterCore

/// The scorer's hand-written memo table answers as a dictionary would.
@Suite struct ScoreTableTests {
    /// A key whose mix is chosen by the test: a few values make every key collide.
    struct Key: MemoKey {
        var id: Int
        var mixed: UInt64
    }

    /// Random adds and replacements, with mixes drawn from `spread` values, against a Dictionary;
    /// the table starts small so that it grows several times.
    @Test(arguments: [1, 3, 1 << 20, 1 << 62])
    func answersAsADictionaryWouldThroughGrowthAndCollisions(spread: Int) {
        var random = ParallelMatchingTests.SplitMix(seed: UInt64(spread))
        var table = ScoreTable<Key>(capacity: 1)
        var reference: [Int: Double] = [:]
        func key(_ id: Int) -> Key { Key(id: id, mixed: UInt64(id * 7919 % spread)) }
        for step in 0..<5_000 {
            let id = Int(random.next() % 1_500)
            let value = Double(step) / 7
            table[key(id)] = value
            reference[id] = value
            let probe = Int(random.next() % 2_000)
            #expect(table[key(probe)] == reference[probe])
        }
        for id in 0..<2_000 {
            #expect(table[key(id)] == reference[id])
        }
    }

    @Test func settingNothingKeepsWhatWasThere() {
        var table = ScoreTable<Key>()
        table[Key(id: 1, mixed: 5)] = 0.5
        table[Key(id: 1, mixed: 5)] = nil
        #expect(table[Key(id: 1, mixed: 5)] == 0.5)
        #expect(table[Key(id: 2, mixed: 5)] == nil, "the same mix, another key")
    }

    /// Name pairs are told apart by both of their keys, in order, not by the slot their mix picks:
    /// a table started small (so that real keys share slots and it grows) against a dictionary.
    @Test func namePairsThatDifferInOneKeyAreDifferentEntries() {
        typealias Memo = ScoringTable.Memo
        let jane = ScoringTable.nameKey(["jane", "doe"])
        let john = ScoringTable.nameKey(["john", "doe"])
        var memo = Memo()
        memo.names[Memo.NamePair(left: jane, right: john)] = 0.8
        #expect(memo.names[Memo.NamePair(left: jane, right: john)] == 0.8)
        #expect(memo.names[Memo.NamePair(left: john, right: jane)] == nil)
        memo.handles[Memo.Handles(person: 1, name: jane)] = 0.5
        #expect(memo.handles[Memo.Handles(person: 2, name: jane)] == nil)
        #expect(memo.handles[Memo.Handles(person: 1, name: john)] == nil)

        let tokens = ["jane", "doe", "j", "smith", "li", "wei", "anna"]
        let names = tokens.flatMap { a in tokens.map { b in ScoringTable.nameKey([a, b]) } }
        #expect(Set(names).count == names.count)
        var table = ScoreTable<Memo.NamePair>(capacity: 1)
        var reference: [String: Double] = [:]
        func text(_ key: Memo.NamePair) -> String { "\(key.left) \(key.right)" }
        for (index, pair) in zip(names, names.reversed()).enumerated() where index % 2 == 0 {
            let key = Memo.NamePair(left: pair.0, right: pair.1)
            table[key] = Double(index)
            reference[text(key)] = Double(index)
        }
        for left in names {
            for right in names {
                let key = Memo.NamePair(left: left, right: right)
                #expect(table[key] == reference[text(key)])
            }
        }
    }
}
