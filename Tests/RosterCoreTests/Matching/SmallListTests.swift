import Testing

@testable import RosterCore

@Suite("SmallList: two elements in place, the others in an array")
struct SmallListTests {
    @Test(arguments: 0...5)
    func behavesAsTheArrayOfItsElements(count: Int) {
        let elements = (0..<count).map { "e\($0)" }
        var list = SmallList<String>()
        for element in elements { list.append(element) }
        #expect(Array(list) == elements)
        #expect(list.count == count)
        #expect(list == SmallList(elements))
        #expect(list.description == elements.description)
        for element in elements {
            #expect(list.contains(element))
            #expect(list.first { $0 == element } == element)
            #expect(list.contains { $0 == element })
        }
        #expect(!list.contains("absent"))
        #expect(list.first { $0 == "absent" } == nil)
        #expect(!list.contains { $0 == "absent" })
        // Lists that differ in their last element, wherever it is kept.
        if count > 0 {
            var other = elements
            other[count - 1] = "changed"
            #expect(list != SmallList(other))
        }
        #expect(list != SmallList(elements + ["more"]))
    }
}
