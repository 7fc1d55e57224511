import ArgumentParser
import Documents
import Foundation
import RollCall
import RollCallStore

extension ReportFormat: ExpressibleByArgument {}
extension ReportDocument: ExpressibleByArgument {}

extension RollCallCommand {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a session's roll call: CSV or JSON for tools, an .xlsx workbook or printable A4 HTML for people.",
            discussion: """
                Status: present / Có mặt (arrived, not checked out since), left / Đã về sớm (checked out after \
                arriving; no longer counted present), excused / Vắng có phép (checked out before arriving), absent / \
                Vắng. CSV and JSON keep these codes and write times as ISO 8601 with the site's offset; .xlsx and \
                HTML speak --lang and show dd/MM/yyyy HH:mm. The CSV holds data rows only (totals and quorum are in \
                the other formats) and starts with a byte-order mark so Excel reads Vietnamese names right \
                (--no-bom for tools that mind). HTML documents: record (the roll call by delegation), sign-in (an A4 \
                sign-in sheet per delegation, with a signature column), absentees (who is not here, per delegation). \
                The audit chain is verified first: when it is broken the report says so itself (a warning on the \
                documents, audit_chain=broken on every CSV row, audit.intact=false in JSON) and the command exits 3.
                """
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Option(help: "Session id (default: the open session, else the latest).")
        var session: Int64?

        @Option(help: "Output format: csv, json, html or xlsx.")
        var format: ReportFormat = .csv

        @Option(help: "HTML document: record, sign-in or absentees.")
        var document: ReportDocument = .record

        @Option(help: "HTML documents: this delegation only.")
        var unit: String?

        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
        var output: String?

        @Flag(name: .customLong("no-bom"), help: "CSV without the UTF-8 byte-order mark Excel needs.")
        var noBOM = false

        func validate() throws {
            if noBOM && format != .csv { throw ValidationError("--no-bom applies to --format csv only") }
            if (document != .record || unit != nil) && format != .html {
                throw ValidationError("--document and --unit apply to --format html only")
            }
            if format == .xlsx && output == nil && isatty(STDOUT_FILENO) == 1 {
                throw ValidationError("an .xlsx workbook is binary: write it with -o FILE.xlsx (or redirect standard output)")
            }
        }

        func run() async throws {
            let report = try store.openStore(mustExist: true).report(sessionID: session)
            let presentation = language.presentation
            var data = try format.render(report, presentation, document: document, unit: unit.map { .some($0) })
            if format == .csv && !noBOM { data = Data([0xEF, 0xBB, 0xBF]) + data }
            let context = ReportContext(report, presentation)
            let texts = language.texts
            if let output {
                do {
                    try data.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw ValidationError("cannot write \(output): \(error.localizedDescription)")
                }
                printError(texts.format("cli.report_summary", ["totals": context.countsLine(report.totals), "quorum": context.quorumLine])
                    + ". " + texts.format("report.written", ["file": output]))
            } else {
                FileHandle.standardOutput.write(data)
            }
            if !report.audit.isIntact {
                printError(context.auditText)
                throw ExitCode(3)
            }
        }
    }
}
