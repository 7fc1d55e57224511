import Foundation
import RollCall
import Texts

/// The formats `rollcall report` writes: two for machines, two for people.
public enum ReportFormat: String, Sendable, CaseIterable, Codable {
    /// RFC 4180 CSV, data rows only, machine column names and codes.
    case csv
    /// JSON with totals, per-delegation counts, quorum and audit verdict.
    case json
    /// A printable HTML document in the chosen language (`ReportDocument`).
    case html
    /// An Excel workbook in the chosen language: summary, roll call, per-delegation counts.
    case xlsx
}


extension AttendanceReport {
    /// The report as text in `format` (CSV, JSON or the HTML record), times on `timeZone`'s clock: the form callers
    /// used before `ReportFormat.render` (which also writes `.xlsx` and the other documents).
    public func rendered(as format: ReportFormat, timeZone: TimeZone = SiteTime.vietnam.timeZone, language: Language = .default) -> String {
        let presentation = Presentation(language: language, time: SiteTime(timeZone: timeZone))
        return String(decoding: (try? format.render(self, presentation)) ?? Data(), as: UTF8.self)
    }
}
