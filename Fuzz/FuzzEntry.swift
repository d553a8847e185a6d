// libFuzzer entry for RosterCore, built by scripts/fuzz.sh together with the RosterCore sources
// (one module, so internal helpers are reachable). Not part of the SwiftPM package: `swift build`
// never sees this folder.
//
// The target is chosen with the environment variable ROSTER_FUZZ_TARGET:
//   csv        CSVReader on any bytes, with limits and chunk sizes taken from the first input byte;
//              every record it returns must survive CSVWriter → CSVReader unchanged.
//   recognise  the first record as a header through FileKind.recognise, then every further record
//              through the recognised accounts layout.
//   json       AccountJSON.parse on any bytes.
// A crash, a trap (precondition, overflow, out-of-range index) or an AddressSanitizer report is a
// finding; libFuzzer then writes the input to crash-<sha1>.

#if canImport(Glibc)
    import Glibc
#endif

enum FuzzTarget: String {
    case csv, recognise, json

    static let current: FuzzTarget = {
        guard let name = getenv("ROSTER_FUZZ_TARGET").map({ String(cString: $0) }) else { return .csv }
        guard let target = FuzzTarget(rawValue: name) else {
            printError("ROSTER_FUZZ_TARGET must be csv, recognise or json, not '\(name)'")
            exit(2)
        }
        return target
    }()
}

/// Writes `text` to standard error (Swift 6 rejects the C global `stderr`).
func printError(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.append(0x0A)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// Fails loudly, so that libFuzzer keeps the input.
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        printError("fuzz invariant broken: \(message())")
        abort()
    }
}

func readAll(_ bytes: [UInt8], options: CSVReader<BytesSource>.Options, chunk: Int) throws -> [CSVRecord] {
    let reader = CSVReader(source: BytesSource(bytes, chunk: chunk), options: options)
    var records: [CSVRecord] = []
    var lastLine = 0
    while let record = try reader.next() {
        check(record.line > lastLine, "lines must increase: \(record.line) after \(lastLine)")
        check(record.fields.count <= options.maxFields, "\(record.fields.count) fields over \(options.maxFields)")
        lastLine = record.line
        records.append(record)
        if records.count > 100_000 { break }
    }
    return records
}

func fuzzCSV(_ bytes: [UInt8]) throws {
    guard let control = bytes.first else {
        _ = try readAll([], options: .init(), chunk: 1)
        return
    }
    let input = Array(bytes.dropFirst())
    let options = CSVReader<BytesSource>.Options(
        delimiter: control & 0x80 != 0 ? UInt8(ascii: ";") : UInt8(ascii: ","),
        maxRecordBytes: control & 0x40 != 0 ? 64 : 1 << 20,
        maxFields: control & 0x20 != 0 ? 4 : 1_000,
        chunkSize: [1, 2, 3, 7, 64, 1 << 16][Int(control & 0x07) % 6])
    let records = try readAll(input, options: options, chunk: [1, 5, .max][Int(control >> 3 & 0x03) % 3])

    // Round trip: what was read, written again, reads back the same (records without issues only:
    // an invalid byte became U+FFFD, a cut record lost its tail).
    let clean = records.filter { $0.issues.isEmpty }.map(\.fields)
    guard !clean.isEmpty else { return }
    var written: [UInt8] = []
    var writer = CSVWriter { written.append(contentsOf: $0) }
    for fields in clean { try writer.write(fields) }
    try writer.flush()
    let again = try readAll(written, options: .init(), chunk: .max).map(\.fields)
    // A record of one empty field is a blank line to the reader unless quoted; the writer quotes it.
    check(again == clean, "round trip changed \(clean.prefix(3)) into \(again.prefix(3))")
}

func fuzzRecognise(_ bytes: [UInt8]) throws {
    let reader = CSVReader(source: BytesSource(bytes, chunk: 4096))
    guard let header = try reader.next() else { return }
    let names = ["users.csv", "github-users.csv", "jira-export.csv", "slack.csv", "accounts.csv"]
    let fileName = names[bytes.count % names.count]
    let recognition = FileKind.recognise(csvHeader: header.fields, fileName: fileName, config: RosterConfig())
    guard case .kind(let kind, let instance, _) = recognition else { return }
    switch kind {
    case .accountsCSV(let layout):
        _ = CSVIssues.problems(for: header, headers: [])
        while let record = try reader.next() {
            _ = CSVIssues.problems(for: record, headers: layout.headers)
            let (account, _) = layout.account(from: record, instance: instance)
            if let account { check(!account.key.accountID.isEmpty, "an account without an id") }
        }
    case .usersCSV:
        while let record = try reader.next() {
            _ = CSVIssues.problems(for: record, headers: header.fields)
        }
    case .accountsJSON:
        check(false, "a CSV header recognised as JSON")
    }
}

func fuzzJSON(_ bytes: [UInt8]) {
    switch AccountJSON.parse(bytes, instance: bytes.count % 2 == 0 ? nil : "jira-prod") {
    case .success(let parsed):
        for account in parsed.accounts { check(!account.key.accountID.isEmpty, "an account without an id") }
    case .failure(let problem):
        check(!problem.problem.isEmpty, "a failure without a reason")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    do {
        switch FuzzTarget.current {
        case .csv: try fuzzCSV(bytes)
        case .recognise: try fuzzRecognise(bytes)
        case .json: fuzzJSON(bytes)
        }
    } catch {
        // BytesSource never throws; CSVWriter's sink above neither.
        check(false, "unexpected error \(error)")
    }
    return 0
}
