import Foundation
import Texts

/// Why a roster file was rejected. Nothing from a rejected file is applied.
///
/// `description` is English (logs, tests); `localized(_:)` and `errorDescription` (what the CLI prints) speak the
/// catalogue's language. Both name the file, the line (CSV) or row (`.xlsx`), and the reason.
public struct RosterError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What is wrong with one row.
    public enum Reason: Sendable, Equatable {
        case missingID
        case missingName(id: String)
        case duplicateID(id: String, firstLine: Int)
        case tooManyFields(fields: Int, columns: Int)
        case photoMissing(id: String, photo: String)
        case unclosedQuote
        case badUTF8(byte: UInt8, field: Int)
        case undecodable(byte: UInt8, encoding: String)

        /// The reason in `texts`' language; `row` names a line ("line 3" or "row 3").
        func text(_ texts: Texts, row: (Int) -> String) -> String {
            switch self {
            case .missingID: texts["roster.error.missing_id"]
            case .missingName(let id): texts.format("roster.error.missing_name", ["id": id])
            case .duplicateID(let id, let first): texts.format("roster.error.duplicate_id", ["id": id, "first": row(first)])
            case .tooManyFields(let fields, let columns):
                texts.format("roster.error.too_many_fields", ["fields": "\(fields)", "columns": "\(columns)"])
            case .photoMissing(let id, let photo): texts.format("roster.error.photo_missing", ["id": id, "photo": photo])
            case .unclosedQuote: texts["roster.error.unclosed_quote"]
            case .badUTF8(let byte, let field): texts.format("roster.error.bad_utf8", ["byte": Self.hex(byte), "field": "\(field)"])
            case .undecodable(let byte, let encoding): texts.format("roster.error.undecodable", ["byte": Self.hex(byte), "encoding": encoding])
            }
        }

        private static func hex(_ byte: UInt8) -> String {
            let digits = Array("0123456789ABCDEF")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }
    }

    /// One bad row: its line and what is wrong.
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        /// 1-based physical line (CSV) or sheet row (`.xlsx`) where the row starts.
        public var line: Int
        public var kind: Reason
        public init(line: Int, _ kind: Reason) { self.line = line; self.kind = kind }

        /// The reason in English.
        public var reason: String { kind.text(.of(.en), row: { "line \($0)" }) }
        public var description: String { "line \(line): \(reason)" }
    }

    /// What is wrong with the header row.
    public enum HeaderProblem: Error, Sendable, Equatable {
        /// No column for a required role: the names that would do, and the columns the file has.
        case missingColumn(role: RosterColumn.Role, found: [String])
        /// Two columns both give one role.
        case ambiguousColumn(role: RosterColumn.Role, columns: [String])
        /// The header row itself could not be read.
        case unreadable(Reason)
    }

    private enum Code: Sendable { case unreadableFile, empty, badHeader, badRows, spreadsheet, noSheet }
    private let code: Code
    /// The file concerned.
    public let file: String
    /// Every bad row, in file order (empty unless the rows were at fault).
    public let issues: [Issue]
    /// Whether lines are a spreadsheet's rows (`.xlsx`) rather than a text file's lines.
    public let isSpreadsheet: Bool
    private let header: (line: Int, problem: HeaderProblem)?
    private let detail: String?
    /// The workbook's sheets, for `noSheet`.
    private let sheets: [String]

    private init(code: Code, file: String, issues: [Issue] = [], isSpreadsheet: Bool = false,
                 header: (Int, HeaderProblem)? = nil, detail: String? = nil, sheets: [String] = []) {
        self.code = code; self.file = file; self.issues = issues; self.isSpreadsheet = isSpreadsheet
        self.header = header; self.detail = detail; self.sheets = sheets
    }

    public static func unreadableFile(_ file: String) -> Self { Self(code: .unreadableFile, file: file) }
    public static func empty(_ file: String) -> Self { Self(code: .empty, file: file) }
    public static func badHeader(_ file: String, line: Int, _ problem: HeaderProblem, isSpreadsheet: Bool = false) -> Self {
        Self(code: .badHeader, file: file, isSpreadsheet: isSpreadsheet, header: (line, problem))
    }
    public static func badRows(_ file: String, issues: [Issue], isSpreadsheet: Bool = false) -> Self {
        Self(code: .badRows, file: file, issues: issues, isSpreadsheet: isSpreadsheet)
    }
    /// An `.xlsx` that cannot be opened or read.
    public static func spreadsheet(_ file: String, _ reason: String) -> Self { Self(code: .spreadsheet, file: file, detail: reason) }
    /// A workbook without the sheet asked for (`--sheet`).
    public static func noSheet(_ file: String, sheet: String, sheets: [String]) -> Self {
        Self(code: .noSheet, file: file, detail: sheet, sheets: sheets)
    }

    public var description: String { localized(.of(.en)) }
    public var errorDescription: String? { localized(.interface) }

    /// The whole message in `texts`' language: one line per bad row, then the verdict.
    public func localized(_ texts: Texts) -> String {
        let row = { (line: Int) in texts.format(self.isSpreadsheet ? "roster.sheet_row" : "roster.row", ["line": "\(line)"]) }
        switch code {
        case .unreadableFile:
            return texts.format("roster.error.unreadable", ["file": file])
        case .empty:
            return texts.format("roster.error.empty", ["file": file])
        case .spreadsheet:
            return texts.format("roster.error.line", ["file": file, "where": "xlsx", "reason": texts.format("roster.error.xlsx", ["reason": detail ?? ""])])
        case .noSheet:
            let reason = texts.format("roster.error.no_sheet", ["sheet": detail ?? "", "sheets": sheets.joined(separator: ", ")])
            return texts.format("roster.error.line", ["file": file, "where": "xlsx", "reason": reason])
        case .badHeader:
            let (line, problem) = header!
            return texts.format("roster.error.header", ["file": file, "where": row(line), "reason": Self.text(problem, texts, row: row)])
        case .badRows:
            let lines = issues.map {
                texts.format("roster.error.line", ["file": file, "where": row($0.line), "reason": $0.kind.text(texts, row: row)])
            }
            return (lines + [texts.format("roster.error.rows", ["file": file], count: issues.count)]).joined(separator: "\n")
        }
    }

    private static func text(_ problem: HeaderProblem, _ texts: Texts, row: (Int) -> String) -> String {
        switch problem {
        case .missingColumn(let role, let found):
            let expected = RosterColumn.headers(for: role).map { "«\($0)»" }.joined(separator: ", ")
            return texts.format("roster.error.missing_column", [
                "role": texts["roster.role.\(role.rawValue)"], "expected": expected,
                "found": found.isEmpty ? "–" : found.map { "«\($0)»" }.joined(separator: ", "),
            ])
        case .ambiguousColumn(let role, let columns):
            return texts.format("roster.error.ambiguous_column", [
                "role": texts["roster.role.\(role.rawValue)"], "columns": columns.map { "«\($0)»" }.joined(separator: ", "),
            ])
        case .unreadable(let reason):
            return reason.text(texts, row: row)
        }
    }
}
