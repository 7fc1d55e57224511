import Foundation
import RollCall
import Spreadsheets
import Texts

/// The documents a secretariat prints from a report, each an A4 HTML page set with print CSS (repeated table
/// headers, page numbers, one delegation per section):
/// - `record`: the roll call — quorum, totals and per-delegation counts, then every delegate by delegation with
///   status, arrival and leaving times.
/// - `signIn`: the sign-in sheet, one delegation per page run, with a signature column.
/// - `absentees`: who is not here (absent, excused, left early) per delegation, with the reasons recorded.
public enum ReportDocument: String, Sendable, CaseIterable {
    case record
    case signIn = "sign-in"
    case absentees

    /// The document as HTML; `unit` keeps one delegation only (`.some(nil)`: the delegates without one).
    public func html(_ report: AttendanceReport, _ presentation: Presentation, unit: String?? = nil) -> String {
        let context = ReportContext(report, presentation)
        var values = context.common
        let titleKey: String
        switch self {
        case .record: titleKey = "report.record_title"
        case .signIn: titleKey = "report.sign_in_title"
        case .absentees: titleKey = "report.absentees_title"
        }
        values["title"] = presentation.texts[titleKey]
        var sections: [[String: Any]] = []
        for counts in report.units where unit == nil || counts.unit == unit! {
            var rows = report.rows(ofUnit: counts.unit)
            if self == .absentees { rows = rows.filter { $0.status != .present } }
            if rows.isEmpty { continue }
            sections.append([
                "name": context.unitName(counts.unit),
                "heading": presentation.texts.format("report.unit_heading", ["unit": context.unitName(counts.unit)]),
                "countsLine": context.countsLine(counts, key: "report.unit_counts"),
                "rows": rows.enumerated().map { context.row($1, number: $0 + 1) },
            ])
        }
        values["sections"] = sections
        values["nobody"] = sections.isEmpty
        return Templates.render(rawValue, values)
    }
}

extension ReportFormat {
    /// The report in this format: CSV and JSON for machines (fixed columns and codes, ISO 8601 times), HTML (the
    /// `document`) and `.xlsx` for people, in `presentation`'s language.
    public func render(_ report: AttendanceReport, _ presentation: Presentation, document: ReportDocument = .record,
                       unit: String?? = nil) throws -> Data {
        switch self {
        case .csv: Data(report.csv(time: presentation.time).utf8)
        case .json: Data(report.json(time: presentation.time).utf8)
        case .html: Data(document.html(report, presentation, unit: unit).utf8)
        case .xlsx: try ReportWorkbook(report, presentation).data()
        }
    }
}
