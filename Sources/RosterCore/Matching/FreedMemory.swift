#if canImport(Glibc)
    import Glibc
#endif

/// Hands memory the process freed back to the system.
///
/// glibc's allocator keeps freed memory for reuse, per arena, and reuses it poorly for allocations
/// of other sizes or from other threads: a full proposals pass frees most of its profiles once the
/// groups are known, then writes the proposals and records them, and the profiles' memory stayed
/// in the peak RSS of everything after (`bench/proposals.sh 1000000`). `malloc_trim(3)` returns
/// the free pages of every arena. It is not in Swift's Glibc module, so it is looked up at run
/// time; without it, nothing is done.
package enum FreedMemory {
    package static func release() {
        #if canImport(Glibc)
            typealias Trim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(nil, "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
