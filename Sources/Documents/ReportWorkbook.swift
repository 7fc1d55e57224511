import Foundation
import RollCall
import Spreadsheets
import Texts

/// The report as an Excel workbook in the reader's language: what a secretariat files and forwards.
///
/// - Sheet 1, summary ("Tổng hợp"): title, session, times, the quorum line, totals, the audit chain's state (a red
///   warning when broken), and the counts per delegation.
/// - Sheet 2, the roll call ("Điểm danh"): one header row (frozen) and one row per delegate; times are real date
///   cells on the site's clock, so they sort and filter. Nothing but delegates below the header: totals live on the
///   summary.
public struct ReportWorkbook {
    let context: ReportContext

    public init(_ report: AttendanceReport, _ presentation: Presentation) {
        context = ReportContext(report, presentation)
    }

    public func data() throws -> Data {
        try XLSXWriter(sheets: [summary, rollCall]).data()
    }

    private var texts: Texts { context.texts }
    private var report: AttendanceReport { context.report }

    private var summary: XLSXWriter.Sheet {
        let s = report.session
        var rows: [[XLSXWriter.Cell]] = [
            [.text(texts["report.record_title"].uppercased(), .title)],
            [.text(texts.format("report.session_line", ["id": "\(s.id)", "name": s.name]), .bold)],
            [.text(texts.format("report.opened", ["time": context.time.display(s.openedAt)]))],
            [.text(s.closedAt.map { texts.format("report.closed", ["time": context.time.display($0)]) } ?? texts["report.still_open"])],
            [.text(texts.format("report.generated", ["time": context.time.display(report.generatedAt)]))],
            [],
            [.text(context.quorumLine, .bold)],
            [.text(context.countsLine(report.totals))],
            [.text(context.auditText, report.audit.isIntact ? .plain : .warning)],
            [],
        ]
        let header = ["column.unit", "column.expected", "status.present", "status.left", "status.absent", "status.excused"]
        rows.append(header.map { .text(texts[$0], .header) })
        func countRow(_ c: AttendanceReport.Counts, name: String, style: XLSXWriter.Style) -> [XLSXWriter.Cell] {
            [.text(name, style)] + [c.expected, c.present, c.left, c.absent, c.excused].map { .number(Double($0), style) }
        }
        for counts in report.units { rows.append(countRow(counts, name: context.unitName(counts.unit), style: .plain)) }
        rows.append(countRow(report.totals, name: texts["report.all_units"], style: .bold))
        return XLSXWriter.Sheet(name: texts["report.sheet_summary"], columnWidths: [38, 10, 10, 12, 10, 14], rows: rows)
    }

    private var rollCall: XLSXWriter.Sheet {
        let columns = ["column.number", "column.id", "column.name", "column.unit", "column.seat", "column.status",
                       "column.arrived", "column.left", "column.gate", "column.method", "column.note"]
        var rows: [[XLSXWriter.Cell]] = [columns.map { .text(texts[$0], .header) }]
        let time = context.time
        for (index, row) in report.rows.enumerated() {
            rows.append([
                .number(Double(index + 1)), .text(row.delegateID), .text(row.name), .text(context.unitName(row.unit)),
                row.seat.map { .text($0) } ?? .empty, .text(context.status(row.status)),
                row.firstSeen.map { .date(time.spreadsheetSerial($0)) } ?? .empty,
                row.leftAt.map { .date(time.spreadsheetSerial($0)) } ?? .empty,
                row.gate.map { .text($0) } ?? .empty,
                row.method.map { .text(texts["method.\($0.rawValue)"]) } ?? .empty,
                row.note.map { .text($0) } ?? .empty,
            ])
        }
        return XLSXWriter.Sheet(name: texts["report.sheet_rows"], columnWidths: [6, 12, 30, 24, 8, 14, 17, 17, 14, 24, 30],
                                rows: rows, frozenRows: 1)
    }
}
