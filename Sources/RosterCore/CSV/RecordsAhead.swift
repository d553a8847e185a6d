import Dispatch
import Foundation
import Synchronization

/// Reads the records of a CSV file on a thread of its own, a few batches ahead of the thread that
/// applies them, and checks each record there with a function that needs nothing but the header.
///
/// Applying a users CSV is one thread's work on the store, row after row; reading the bytes
/// (hashing them as they come), splitting the records and checking the cells took about a third of
/// it (perf on `bench/ingest.sh`). Here that part runs on another core while the rows before are
/// applied. Memory stays bounded: at most `capacity` batches wait.
final class RecordsAhead<Checked: Sendable>: Sendable {
    typealias Batch = [(record: CSVRecord, checked: Checked)]

    private let waiting = Mutex<(batches: [Result<Batch, any Error>], stopped: Bool)>(([], false))
    /// Counts the batches waiting.
    private let filled = DispatchSemaphore(value: 0)
    /// Counts the places left for batches.
    private let free: DispatchSemaphore
    private let ended = DispatchSemaphore(value: 0)

    /// Starts reading.
    ///
    /// - Parameters:
    ///   - reader: Read by the new thread only, until ``finish()`` returns.
    ///   - check: Called on the reading thread for each record.
    init<Source>(
        reader: CSVReader<Source>, batch size: Int = 1024, capacity: Int = 4,
        check: @escaping @Sendable (CSVRecord) -> Checked
    ) {
        // Counted up from zero: libdispatch stops the process when a semaphore is freed holding
        // less than the value it was created with.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<max(1, capacity) { free.signal() }
        let reader = ReaderLoan(reader)
        let thread = Thread { [self] in
            defer { ended.signal() }
            while true {
                free.wait()
                if waiting.withLock({ $0.stopped }) { return }
                let result = Result { () throws -> Batch in
                    var batch: Batch = []
                    batch.reserveCapacity(size)
                    while batch.count < size, let record = try reader.value.next() {
                        batch.append((record, check(record)))
                    }
                    return batch
                }
                waiting.withLock { $0.batches.append(result) }
                filled.signal()
                // The end of the file (an empty batch) or an error: nothing more to read.
                guard case .success(let batch) = result, !batch.isEmpty else { return }
            }
        }
        thread.name = "roster: reading ahead"
        thread.start()
    }

    /// The next batch of records in file order, with what `check` found; nil at the end.
    ///
    /// - Throws: What reading the file threw, in its place among the records.
    func next() throws -> Batch? {
        filled.wait()
        let result = waiting.withLock { $0.batches.removeFirst() }
        free.signal()
        let batch = try result.get()
        if batch.isEmpty {
            // Left there for a further call, which gets the end again.
            waiting.withLock { $0.batches.insert(.success([]), at: 0) }
            filled.signal()
            return nil
        }
        return batch
    }

    /// Stops the reading where it is and waits for its thread to end: the reader is the caller's
    /// again. Call once, whether or not every batch was taken.
    func finish() {
        waiting.withLock { $0.stopped = true }
        free.signal()
        ended.wait()
    }
}

/// A reader lent to the thread of ``RecordsAhead``: the lender doesn't touch it until the thread
/// has ended (``RecordsAhead/finish()`` waits for that), so it is never used from two threads at once.
private final class ReaderLoan<Source: ByteSource>: @unchecked Sendable {
    let value: CSVReader<Source>
    init(_ value: CSVReader<Source>) { self.value = value }
}
