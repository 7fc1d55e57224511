import ArgumentParser
import Foundation
import RollCall
import RollCallStore

extension ReportFormat: ExpressibleByArgument {}

extension RollCallCommand {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a session's roll call in roster order: CSV, JSON or a printable HTML sign-in sheet.",
            discussion: """
                Status: present (first confirmed sighting or manual check-in), excused (checked out with a reason and \
                never arrived), absent. Times are ISO 8601 with the local offset.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Session id (default: the open session, else the latest).")
        var session: Int64?

        @Option(help: "Output format: csv, json or html.")
        var format: ReportFormat = .csv

        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
        var output: String?

        @Flag(help: "CSV for Microsoft Excel: start with a UTF-8 byte-order mark (without it Excel reads the legacy code page and garbles Vietnamese names).")
        var excel = false

        func validate() throws {
            if excel && format != .csv { throw ValidationError("--excel applies to --format csv only") }
        }

        func run() async throws {
            let report = try store.openStore(mustExist: true).report(sessionID: session)
            let text = (excel ? "\u{FEFF}" : "") + report.rendered(as: format)
            if let output {
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw ValidationError("cannot write \(output): \(error.localizedDescription)")
                }
                printError("\(report.totalsLine). \(report.quorum.line). Written to \(output)")
            } else {
                print(text, terminator: "")
            }
        }
    }
}
