import Foundation
import XMLCoder
import ZIPFoundation

/// An `.xlsx` workbook opened for reading its cells as text: what a roster typed in Excel holds.
///
/// - Cells come back as the text Excel shows for text cells (shared strings, rich-text runs joined, inline strings,
///   formula results) and as the shortest exact decimal for numbers (`12`, not `12.0`); booleans as `TRUE`/`FALSE`.
///   Dates are numbers here (their meaning lives in the styles), which a roster does not need.
/// - Rows keep the sheet's own row numbers (`row r="7"`), so an error can name the row the secretariat sees.
/// - Zip bombs and huge sheets are refused: no part may inflate beyond `maximumPartSize`.
public struct XLSXReader: Sendable {
    /// One row of a sheet.
    public struct Row: Sendable, Equatable {
        /// The row number Excel shows (1-based).
        public var number: Int
        /// Cell texts from column A up to the last cell present; missing cells are empty strings.
        public var cells: [String]
    }

    /// The largest any part (sheet, shared strings) may be once inflated: 64 MiB, far above a 2,000-delegate roster
    /// (about 1 MiB).
    public static let maximumPartSize = 64 << 20

    /// The workbook's sheets, in the order Excel shows their tabs.
    public let sheetNames: [String]
    private let sheetPaths: [String]
    private let sharedStrings: [String]
    private let parts: [String: Data]

    /// Opens the workbook in `data`.
    ///
    /// - Throws: `XLSXError` saying what is wrong (not a ZIP file, not a workbook, a part too large or malformed).
    public init(data: Data) throws {
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch {
            throw XLSXError("not an .xlsx file (it is not a ZIP archive; an old .xls must be saved as .xlsx first)")
        }
        var parts: [String: Data] = [:]
        for entry in archive where entry.type == .file {
            let path = entry.path.hasPrefix("/") ? String(entry.path.dropFirst()) : entry.path
            guard path.hasSuffix(".xml") || path.hasSuffix(".rels") else { continue }
            guard entry.uncompressedSize <= Self.maximumPartSize else {
                throw XLSXError("part \(path) is \(entry.uncompressedSize) bytes inflated, more than \(Self.maximumPartSize)")
            }
            var bytes = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    bytes.append(chunk)
                    // The directory's size may lie; the bytes themselves may not pass the limit.
                    if bytes.count > Self.maximumPartSize { throw XLSXError("part \(path) inflates beyond \(Self.maximumPartSize) bytes") }
                }
            } catch let error as XLSXError {
                throw error
            } catch {
                throw XLSXError("part \(path) is damaged (\(error))")
            }
            parts[path] = bytes
        }
        guard let workbookXML = parts["xl/workbook.xml"] else {
            throw XLSXError("no xl/workbook.xml: the ZIP file is not an Excel workbook")
        }
        let workbook: Workbook = try Self.decode(workbookXML, part: "xl/workbook.xml")
        let relationships: Relationships = try parts["xl/_rels/workbook.xml.rels"].map { try Self.decode($0, part: "xl/_rels/workbook.xml.rels") }
            ?? Relationships(relationship: nil)
        func target(_ id: String?) -> String? {
            guard let id, let target = relationships.relationship?.first(where: { $0.id == id })?.target else { return nil }
            return Self.resolve(target)
        }
        let sheets = workbook.sheets.sheet ?? []
        sheetNames = sheets.map(\.name)
        sheetPaths = sheets.enumerated().map { index, sheet in target(sheet.id) ?? "xl/worksheets/sheet\(index + 1).xml" }
        let sharedPath = relationships.relationship?.first { $0.type?.hasSuffix("/sharedStrings") == true }
            .map { Self.resolve($0.target) } ?? "xl/sharedStrings.xml"
        if let shared = parts[sharedPath] {
            let table: SharedStrings = try Self.decode(shared, part: sharedPath)
            sharedStrings = (table.si ?? []).map(\.text)
        } else {
            sharedStrings = []
        }
        self.parts = parts
    }

    /// Opens the workbook at `url`.
    public init(contentsOf url: URL) throws {
        try self.init(data: try Data(contentsOf: url))
    }

    /// The rows of the sheet named `name`, or of the first sheet; empty rows are kept only if Excel wrote them.
    ///
    /// - Throws: `XLSXError` when there is no such sheet or the sheet is malformed.
    public func rows(ofSheet name: String? = nil) throws -> [Row] {
        let index: Int
        if let name {
            guard let found = sheetNames.firstIndex(of: name) else {
                throw XLSXError("no sheet named \"\(name)\"; the sheets are: \(sheetNames.joined(separator: ", "))")
            }
            index = found
        } else {
            guard !sheetNames.isEmpty else { throw XLSXError("the workbook has no sheet") }
            index = 0
        }
        let path = sheetPaths[index]
        guard let xml = parts[path] else { throw XLSXError("sheet \"\(sheetNames[index])\" (\(path)) is missing from the file") }
        let sheet: Worksheet = try Self.decode(xml, part: path)
        var rows: [Row] = []
        var nextNumber = 1
        for row in sheet.sheetData.row ?? [] {
            let number = row.r ?? nextNumber
            nextNumber = number + 1
            var cells: [String] = []
            var nextColumn = 0
            for cell in row.c ?? [] {
                let column = cell.r.flatMap(Self.columnIndex) ?? nextColumn
                nextColumn = column + 1
                guard column < 16_384 else { throw XLSXError("\(path): cell \(cell.r ?? "?") is past column XFD") }
                let text = try value(of: cell, path: path)
                if text.isEmpty { continue }
                if cells.count <= column { cells += Array(repeating: "", count: column + 1 - cells.count) }
                cells[column] = text
            }
            rows.append(Row(number: number, cells: cells))
        }
        return rows
    }

    private func value(of cell: Cell, path: String) throws -> String {
        switch cell.t {
        case "s":
            guard let raw = cell.v, let index = Int(raw.trimmingCharacters(in: .whitespaces)), sharedStrings.indices.contains(index) else {
                throw XLSXError("\(path): cell \(cell.r ?? "?") names shared string \(cell.v ?? "nothing"), which does not exist")
            }
            return sharedStrings[index]
        case "inlineStr":
            return cell.is?.text ?? ""
        case "b":
            return cell.v == "1" ? "TRUE" : "FALSE"
        case "str", "e":
            return cell.v ?? ""
        default:
            guard let raw = cell.v?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return "" }
            return Self.numberText(raw)
        }
    }

    /// `12` for 12.0, `0.1` for 0.1000000000000000055…, the text itself if it is not a number.
    static func numberText(_ raw: String) -> String {
        guard let number = Double(raw), number.isFinite else { return raw }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    /// `B7` → 1 (0-based column); `nil` if the reference has no letters.
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for character in reference.uppercased() {
            guard let ascii = character.asciiValue, (65...90).contains(ascii) else { break }
            index = index * 26 + Int(ascii - 64)
            letters += 1
        }
        return letters == 0 ? nil : index - 1
    }

    /// A relationship target as a path inside the archive (`worksheets/sheet1.xml` is under `xl/`).
    private static func resolve(_ target: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = ["xl"]
        for component in target.split(separator: "/") {
            if component == ".." { _ = parts.popLast() } else if component != "." { parts.append(String(component)) }
        }
        return parts.joined(separator: "/")
    }

    private static func decode<T: Decodable>(_ data: Data, part: String) throws -> T {
        let decoder = XMLDecoder()
        decoder.trimValueWhitespaces = false  // a run's leading space belongs to the name: "Nguyễn" + " Văn An"
        decoder.shouldProcessNamespaces = true
        do { return try decoder.decode(T.self, from: data) } catch {
            throw XLSXError("\(part) is not valid spreadsheet XML (\(error))")
        }
    }

    // MARK: - The parts' XML, as much of it as is read

    private struct Workbook: Decodable {
        struct Sheets: Decodable { var sheet: [Sheet]? }
        struct Sheet: Decodable {
            var name: String
            /// `r:id`, whether the parser keeps the prefix or not.
            var id: String?
            enum CodingKeys: String, CodingKey { case name, id, prefixedID = "r:id" }
            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                name = try c.decode(String.self, forKey: .name)
                id = try c.decodeIfPresent(String.self, forKey: .prefixedID) ?? c.decodeIfPresent(String.self, forKey: .id)
            }
        }
        var sheets: Sheets
    }

    private struct Relationships: Decodable {
        struct Relationship: Decodable {
            var id: String
            var type: String?
            var target: String
            enum CodingKeys: String, CodingKey { case id = "Id", type = "Type", target = "Target" }
        }
        var relationship: [Relationship]?
        enum CodingKeys: String, CodingKey { case relationship = "Relationship" }
    }

    /// Text of a `<t>` element (its content, spaces kept).
    private struct TextElement: Decodable {
        var value: String
        enum CodingKeys: String, CodingKey { case value = "" }
        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            value = (try? container.decode(String.self, forKey: .value)) ?? ""
        }
    }

    /// A shared or inline string: plain `<t>`, or rich-text runs `<r><t>…</t></r>` joined.
    private struct StringItem: Decodable {
        struct Run: Decodable { var t: TextElement? }
        var t: TextElement?
        var r: [Run]?
        var text: String { t?.value ?? (r ?? []).map { $0.t?.value ?? "" }.joined() }
    }

    private struct SharedStrings: Decodable { var si: [StringItem]? }

    private struct Cell: Decodable {
        var r: String?
        var t: String?
        var v: String?
        var `is`: StringItem?
    }

    private struct Worksheet: Decodable {
        struct SheetData: Decodable { var row: [SheetRow]? }
        struct SheetRow: Decodable {
            var r: Int?
            var c: [Cell]?
        }
        var sheetData: SheetData
    }
}
