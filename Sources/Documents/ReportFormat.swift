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
