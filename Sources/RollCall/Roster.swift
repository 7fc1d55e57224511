import Foundation
import Spreadsheets

/// A roster read from the secretariat's file and checked row by row, ready to be applied to the store in one
/// transaction.
///
/// The file is what the secretariat has: an Excel workbook (`.xlsx`, the first sheet unless one is named), or CSV as
/// Excel or any tool writes it — UTF-8 with or without a byte-order mark, UTF-16 ("Unicode text"), or Windows-1258
/// (Excel's "CSV" on a Vietnamese Windows, decoded to NFC), with `,`, `;` (Excel in a Vietnamese locale) or tab
/// between fields, and Excel's `sep=;` first line understood. Headers may be Vietnamese or English (see
/// `RosterColumn`): an id (`Mã đại biểu`, `id`) and a name (`Họ và tên`, `name`, or `Họ và tên đệm` + `Tên`) are
/// required; a delegation (`Đoàn`, `unit`), a seat (`Ghế`, `seat`) and photos (`Ảnh`, `photo`: paths relative to the
/// file, several separated by `;`) are optional. Every bad row is collected (not just the first), so the secretariat
/// can fix the file in one pass.
public struct Roster: Sendable {
    /// One delegate from the file and the photos listed for enrollment.
    public struct Entry: Sendable, Equatable {
        /// The delegate, NFC, with `rosterOrder` = position among the file's rows.
        public var delegate: Delegate
        /// Absolute paths of the photos listed for this delegate, checked readable at parse time.
        public var photos: [String]
        /// 1-based line (CSV) or sheet row (`.xlsx`) on which the row starts.
        public var line: Int

        public init(delegate: Delegate, photos: [String], line: Int) {
            self.delegate = delegate
            self.photos = photos
            self.line = line
        }
    }

    /// How a text roster's bytes are read.
    public enum Encoding: String, Sendable, CaseIterable {
        /// UTF-8 (or UTF-16 with its byte-order mark); a file that is not, and reads as Windows-1258, as that.
        case automatic
        case utf8 = "utf-8"
        case windows1258 = "windows-1258"
    }

    /// The file the roster was read from (as given).
    public let source: String
    /// The delegates in file order.
    public let entries: [Entry]
    /// Set when a text file that is not UTF-8 was read as Windows-1258 (the CLI says so).
    public var decodedAsWindows1258 = false
    /// The sheet read, for a workbook.
    public var sheet: String?

    /// A roster made in code (an evaluation's gallery); `entries` must have distinct ids.
    public init(source: String, entries: [Entry]) {
        self.source = source
        self.entries = entries
    }

    /// Photo paths per delegate id, for enrollment.
    public var photosByDelegate: [String: [String]] {
        Dictionary(entries.map { ($0.delegate.id, $0.photos) }, uniquingKeysWith: { first, _ in first })
    }

    /// Total number of photos listed.
    public var photoCount: Int { entries.reduce(0) { $0 + $1.photos.count } }

    /// Reads and checks the roster at `path`: an `.xlsx` workbook (by its content, whatever the extension) or CSV.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - encoding: How a CSV's bytes are read.
    ///   - sheet: The workbook sheet to read (default: the first).
    ///   - isReadable: Tells whether a photo path can be read; by default asks the file system. Tests inject it.
    /// - Throws: `RosterError` naming the file, and every bad line with its reason.
    public static func load(path: String, encoding: Encoding = .automatic, sheet: String? = nil,
                            isReadable: (String) -> Bool = Roster.fileIsReadable) throws -> Roster {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RosterError.unreadableFile(path)
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {   // "PK": a ZIP archive, so a workbook
            return try parseWorkbook(data, source: path, sheet: sheet, baseDirectory: base, isReadable: isReadable)
        }
        return try parse(Array(data), source: path, baseDirectory: base, encoding: encoding, isReadable: isReadable)
    }

    /// Checks an `.xlsx` workbook's sheet.
    public static func parseWorkbook(_ data: Data, source: String, sheet: String? = nil, baseDirectory: String,
                                     isReadable: (String) -> Bool = Roster.fileIsReadable) throws -> Roster {
        let rows: [XLSXReader.Row]
        let sheetName: String?
        do {
            let workbook = try XLSXReader(data: data)
            if let sheet, !workbook.sheetNames.contains(sheet) {
                throw RosterError.noSheet(source, sheet: sheet, sheets: workbook.sheetNames)
            }
            rows = try workbook.rows(ofSheet: sheet)
            sheetName = sheet ?? workbook.sheetNames.first
        } catch let error as XLSXError {
            throw RosterError.spreadsheet(source, error.description)
        }
        let records = rows.map { CSVRecordReader.Record(line: $0.number, fields: $0.cells.isEmpty ? [""] : $0.cells, problem: nil) }
        var roster = try parse(records: records, source: source, baseDirectory: baseDirectory, isSpreadsheet: true, isReadable: isReadable)
        roster.sheet = sheetName
        return roster
    }

    /// Checks CSV bytes; photo paths are resolved against `baseDirectory`.
    public static func parse(
        _ bytes: [UInt8], source: String, baseDirectory: String, encoding: Encoding = .automatic,
        isReadable: (String) -> Bool = Roster.fileIsReadable
    ) throws -> Roster {
        var bytes = bytes
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            // UTF-16 with its mark (Excel's "Unicode text"): re-encoded as UTF-8, line breaks kept.
            guard let text = String(data: Data(bytes), encoding: .utf16) else { throw RosterError.unreadableFile(source) }
            bytes = Array(text.utf8)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var delimiter: UInt8
        if let hinted = excelSeparatorHint(bytes) {
            delimiter = hinted
            bytes = Array(bytes.drop { $0 != 0x0A }.dropFirst())
        } else {
            delimiter = sniffDelimiter(bytes)
        }
        let decoding: CSVRecordReader.Decoding
        switch encoding {
        case .utf8: decoding = .utf8
        case .windows1258: decoding = .windows1258
        case .automatic: decoding = looksLikeWindows1258(bytes) ? .windows1258 : .utf8
        }
        let records = CSVRecordReader.records(bytes, delimiter: delimiter, decoding: decoding)
        var roster = try parse(records: records, source: source, baseDirectory: baseDirectory, isSpreadsheet: false, isReadable: isReadable)
        roster.decodedAsWindows1258 = decoding == .windows1258
        return roster
    }

    /// Excel's `sep=;` first line, which tells the delimiter.
    private static func excelSeparatorHint(_ bytes: [UInt8]) -> UInt8? {
        let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
        guard line.count == 5, line.starts(with: Array("sep=".utf8)) else { return nil }
        return line.last
    }

    /// The delimiter the first line uses most, outside quotes: `,`, `;` or tab (`,` when none appears).
    static func sniffDelimiter(_ bytes: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        var inQuotes = false
        for byte in bytes.drop(while: { $0 == 0x0A || $0 == 0x0D }) {
            if byte == 0x22 { inQuotes.toggle(); continue }
            if !inQuotes && (byte == 0x0A || byte == 0x0D) { break }
            if !inQuotes, counts[byte] != nil { counts[byte]! += 1 }
        }
        let best = counts.max { ($0.value, $0.key == 0x2C ? 1 : 0) < ($1.value, $1.key == 0x2C ? 1 : 0) }!
        return best.value == 0 ? 0x2C : best.key
    }

    /// Whether bytes that are not UTF-8 read better as Windows-1258: they hold fewer well-formed UTF-8 multi-byte
    /// sequences than stray bytes (a UTF-8 file with one damaged byte keeps its per-line error instead of being
    /// misread as a whole), and every byte is defined in the code page.
    static func looksLikeWindows1258(_ bytes: [UInt8]) -> Bool {
        guard String(validating: bytes, as: UTF8.self) == nil, Windows1258.firstUndefinedByte(in: bytes) == nil else { return false }
        var wellFormed = 0, stray = 0, i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0
            if length == 1 { i += 1; continue }
            if length > 1, i + length <= bytes.count, String(validating: bytes[i..<(i + length)], as: UTF8.self) != nil {
                wellFormed += 1; i += length
            } else {
                stray += 1; i += 1
            }
        }
        return stray > wellFormed
    }

    /// Checks records of a header row and delegate rows, from a text file or a sheet.
    static func parse(records: [CSVRecordReader.Record], source: String, baseDirectory: String, isSpreadsheet: Bool,
                      isReadable: (String) -> Bool) throws -> Roster {
        var records = records[...]
        while let first = records.first, first.isBlank { records.removeFirst() }
        guard let header = records.popFirst() else { throw RosterError.empty(source) }
        if let problem = header.problem {
            throw RosterError.badHeader(source, line: header.line, .unreadable(problem), isSpreadsheet: isSpreadsheet)
        }
        let layout: RosterColumn.Layout
        do { layout = try RosterColumn.layout(of: header.fields) } catch {
            throw RosterError.badHeader(source, line: header.line, error, isSpreadsheet: isSpreadsheet)
        }

        var issues: [RosterError.Issue] = []
        var entries: [Entry] = []
        var firstLineOfID: [String: Int] = [:]
        for record in records where !record.isBlank {
            if let problem = record.problem { issues.append(.init(line: record.line, problem)); continue }
            // A sheet's row may run past the header (a stray note in column Z); a text line's extra fields mean a
            // shifted row, which is refused.
            if !isSpreadsheet && record.fields.count > layout.count {
                issues.append(.init(line: record.line, .tooManyFields(fields: record.fields.count, columns: layout.count)))
                continue
            }
            func value(_ index: Int?) -> String? {
                guard let index, index < record.fields.count else { return nil }
                let text = record.fields[index].trimmingCharacters(in: .whitespaces).nfc
                return text.isEmpty ? nil : text
            }
            let name: String?
            switch layout.name {
            case .single(let column): name = value(column)
            case .split(let surname, let given):
                let parts = [value(surname), value(given)].compactMap { $0 }
                name = parts.isEmpty ? nil : parts.joined(separator: " ")
            }
            guard let id = value(layout.id) else {
                // A row with nothing in the columns RollCall reads is a spreadsheet's blank line (formatting only).
                if name == nil && value(layout.unit) == nil && value(layout.seat) == nil && value(layout.photo) == nil { continue }
                issues.append(.init(line: record.line, .missingID)); continue
            }
            guard let name else { issues.append(.init(line: record.line, .missingName(id: id))); continue }
            if let firstLine = firstLineOfID[id] {
                issues.append(.init(line: record.line, .duplicateID(id: id, firstLine: firstLine)))
                continue
            }
            firstLineOfID[id] = record.line
            var photos: [String] = []
            var photoProblem = false
            for relative in (value(layout.photo) ?? "").split(separator: ";") {
                let trimmed = relative.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                let absolute = trimmed.hasPrefix("/")
                    ? trimmed : URL(fileURLWithPath: baseDirectory).appendingPathComponent(trimmed).standardized.path
                if isReadable(absolute) {
                    photos.append(absolute)
                } else {
                    issues.append(.init(line: record.line, .photoMissing(id: id, photo: trimmed)))
                    photoProblem = true
                }
            }
            if photoProblem { continue }
            let delegate = Delegate(id: id, name: name, unit: value(layout.unit), seat: value(layout.seat), rosterOrder: entries.count)
            entries.append(Entry(delegate: delegate, photos: photos, line: record.line))
        }
        if !issues.isEmpty { throw RosterError.badRows(source, issues: issues, isSpreadsheet: isSpreadsheet) }
        if entries.isEmpty { throw RosterError.empty(source) }
        return Roster(source: source, entries: entries)
    }

    /// Whether `path` names a readable regular file.
    public static func fileIsReadable(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isReadableFile(atPath: path)
    }
}
