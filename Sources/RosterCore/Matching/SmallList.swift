/// A list that keeps its first two elements in place and only the others in an array.
///
/// Written for ``MatchProfile``: a full pass keeps a profile of every person, and most people have
/// one or two names, handles and addresses. As arrays, each of those lists was an allocation of
/// its own (a 32-byte header, the elements, the allocator's rounding and bookkeeping) for nearly
/// every person; in place they cost 16 or 32 bytes more in the profile and no allocation
/// (peak RSS of `bench/proposals.sh 1000000`, docs/MATCHING.md).
struct SmallList<Element>: RandomAccessCollection {
    private var first: Element?
    private var second: Element?
    /// nil rather than empty: copying the list, as every loop over it does, then retains nothing
    /// for it.
    private var rest: [Element]?

    init() {}

    init(_ elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }

    mutating func append(_ element: Element) {
        if first == nil {
            first = element
        } else if second == nil {
            second = element
        } else {
            if rest == nil { rest = [element] } else { rest!.append(element) }
        }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { second == nil ? (first == nil ? 0 : 1) : 2 + (rest?.count ?? 0) }

    @inline(__always)
    subscript(position: Int) -> Element {
        switch position {
        case 0: first!
        case 1: second!
        default: rest.unsafelyUnwrapped[position - 2]
        }
    }
}

extension SmallList {
    // In place, as ``contains(_:)`` below: `Sequence`'s methods iterate over a copy of the list,
    // and a copy retains each of its parts (scoring a full pass calls these for most pairs, perf).

    @inline(__always)
    func contains(where predicate: (Element) throws -> Bool) rethrows -> Bool {
        try first(where: predicate) != nil
    }

    @inline(__always)
    func first(where predicate: (Element) throws -> Bool) rethrows -> Element? {
        guard let first else { return nil }
        if try predicate(first) { return first }
        guard let second else { return nil }
        if try predicate(second) { return second }
        return try rest?.first(where: predicate)
    }
}

extension SmallList: Sendable where Element: Sendable {}

extension SmallList where Element: Equatable {
    /// Whether `element` is in the list, read in place: `Sequence`'s method iterates over a copy.
    @inline(__always)
    func contains(_ element: Element) -> Bool {
        guard let first else { return false }
        if first == element { return true }
        guard let second else { return false }
        return second == element || (rest?.contains(element) ?? false)
    }
}

extension SmallList: Equatable where Element: Equatable {
    static func == (lhs: SmallList, rhs: SmallList) -> Bool { lhs.elementsEqual(rhs) }
}

extension SmallList: ExpressibleByArrayLiteral {
    init(arrayLiteral elements: Element...) {
        self.init(elements)
    }
}

extension SmallList: CustomStringConvertible {
    var description: String { Array(self).description }
}
