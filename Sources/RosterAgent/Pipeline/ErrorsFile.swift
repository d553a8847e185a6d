import RosterCore

#if canImport(Glibc)
    import Glibc
#endif

/// The `<file>.errors.csv` of a rejected input, written as problems are found so that memory stays
/// bounded however many rows are bad. Lives as a temporary file until ``commit(to:)``.
final class ErrorsFile {
    private let temporary: String
    private var writer: FileWriter?
    private var csv: CSVWriter?
    private var committed = false

    init(folder: String) {
        temporary = "\(folder)/.errors-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
    }

    func add(_ problem: Problem) throws {
        if csv == nil {
            let writer = try FileWriter(creating: temporary)
            self.writer = writer
            csv = CSVWriter { try writer.write($0) }
            try csv!.write(Problem.csvHeader)
        }
        try csv!.write(problem.csvFields)
    }

    /// Finishes the file and gives it its final name.
    func commit(to path: String) throws {
        if csv == nil { try add(Problem(line: 0, problem: "no problem was recorded", fix: "")) }
        try csv!.flush()
        try writer!.finish()
        guard rename(temporary, path) == 0 else { throw FileError.syscall("write", path: path) }
        committed = true
        try AtomicFile.syncFolder(AtomicFile.split(path).folder)
    }

    /// Removes the temporary file unless it was committed.
    func discard() {
        guard !committed, writer != nil else { return }
        writer?.abandon()
        unlink(temporary)
    }
}
