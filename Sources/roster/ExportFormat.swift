import ArgumentParser
import Foundation
import RosterAgent
import RosterCore
import RosterStore

/// The formats `roster export --format` writes.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case users
    case accounts
    case seiDevelopers = "sei-developers"
    case devlake
    case mailmap
}

extension Export {
    /// Writes the formats of neighbouring tools: SEI developers, DevLake team files, git mailmap.
    func exportOther(_ format: ExportFormat, store: any SQLRosterStore, config: RosterConfig, layout: StateLayout)
        throws
    {
        do {
            switch format {
            case .users, .accounts:
                preconditionFailure("the users and accounts exports are written by run()")
            case .seiDevelopers:
                let target = out ?? "\(layout.exports)/sei-developers.csv"
                var bytes: [UInt8] = []
                let incomplete = try SEIDevelopersExport.write(store: store) { bytes += $0 }
                try write(bytes, to: target)
                if target != "-" { printError("Wrote \(target)") }
                if incomplete > 0 {
                    printError(
                        "\(incomplete) developers lack a role, sub role, team, department or site; SEI refuses blank values."
                    )
                }
            case .devlake:
                let folder = out ?? "\(layout.exports)/devlake"
                guard folder != "-" else {
                    throw ValidationError("--format devlake writes three files: give a folder with --out <dir>.")
                }
                for path in try DevLakeExport.write(store: store, config: config, folder: folder) {
                    printError("Wrote \(path)")
                }
            case .mailmap:
                let target = out ?? "\(layout.exports)/mailmap"
                try write(Array(try MailmapExport.text(store: store).utf8), to: target)
                if target != "-" { printError("Wrote \(target)") }
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            printError("\(error)")
            throw ExitCode(70)
        }
    }
}
