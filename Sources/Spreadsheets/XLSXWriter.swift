import Foundation
import XMLCoder
import ZIPFoundation

/// Writes an `.xlsx` workbook: sheets of text, numbers and dates with a few styles, the header row frozen.
///
/// Strings are written inline (`t="inlineStr"`), which Excel, LibreOffice and every reader accept; the workbook's
/// fixed parts (content types, relationships, styles) are constants; the sheets and the workbook index are encoded
/// with XMLCoder, which escapes the text. The ZIP is built in memory with fixed timestamps, so the same report gives
/// the same bytes.
public struct XLSXWriter: Sendable {
    /// How a cell looks. The raw value is the style index in `styles.xml`.
    public enum Style: Int, Sendable {
        case plain = 0
        /// Bold on grey, bordered: a table's header row.
        case header = 1
        /// `dd/mm/yyyy hh:mm`.
        case dateTime = 2
        /// Bold, 14 pt: a sheet's title.
        case title = 3
        /// Bold, red: a warning the reader must not miss (a broken audit chain).
        case warning = 4
        /// Bold.
        case bold = 5
    }

    /// One cell.
    public enum Cell: Sendable, Equatable {
        case empty
        case text(String, Style = .plain)
        case number(Double, Style = .plain)
        /// A spreadsheet date serial (`SiteTime.spreadsheetSerial`), shown as `dd/mm/yyyy hh:mm`.
        case date(Double)
    }

    /// One sheet.
    public struct Sheet: Sendable {
        /// The tab's name (at most 31 characters, none of `[]:*?/\`; cleaned up if need be).
        public var name: String
        /// Column widths in characters, from column A; columns past the list keep Excel's default.
        public var columnWidths: [Double]
        public var rows: [[Cell]]
        /// Rows kept in view while scrolling (the header), 0 for none.
        public var frozenRows: Int

        public init(name: String, columnWidths: [Double] = [], rows: [[Cell]], frozenRows: Int = 0) {
            self.name = name; self.columnWidths = columnWidths; self.rows = rows; self.frozenRows = frozenRows
        }
    }

    public var sheets: [Sheet]

    public init(sheets: [Sheet]) {
        precondition(!sheets.isEmpty, "a workbook needs a sheet")
        self.sheets = sheets
    }

    /// The workbook's bytes.
    public func data() throws -> Data {
        let archive: Archive
        do { archive = try Archive(accessMode: .create) } catch { throw XLSXError("cannot create the workbook in memory (\(error))") }
        var names = Set<String>()
        let cleanNames = sheets.enumerated().map { index, sheet -> String in
            var name = Self.sheetName(sheet.name, fallback: "Sheet\(index + 1)")
            while !names.insert(name.lowercased()).inserted { name = String(name.prefix(28)) + " \(index + 1)" }
            return name
        }
        var parts: [(String, Data)] = [
            ("[Content_Types].xml", Data(Self.contentTypes(sheetCount: sheets.count).utf8)),
            ("_rels/.rels", Data(Self.rootRelationships.utf8)),
            ("xl/_rels/workbook.xml.rels", Data(Self.workbookRelationships(sheetCount: sheets.count).utf8)),
            ("xl/styles.xml", Data(Self.styles.utf8)),
            ("xl/workbook.xml", try Self.encode(WorkbookXML(names: cleanNames), root: "workbook", attributes: WorkbookXML.namespaces)),
        ]
        for (index, sheet) in sheets.enumerated() {
            parts.append(("xl/worksheets/sheet\(index + 1).xml",
                          try Self.encode(WorksheetXML(sheet), root: "worksheet", attributes: ["xmlns": Self.mainNamespace])))
        }
        let stamp = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01: fixed, so equal reports give equal files
        do {
            for (path, bytes) in parts {
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: stamp,
                                     compressionMethod: .deflate) { position, size in
                    bytes.subdata(in: Int(position)..<(Int(position) + size))
                }
            }
        } catch {
            throw XLSXError("cannot write the workbook (\(error))")
        }
        guard let data = archive.data else { throw XLSXError("cannot write the workbook") }
        return data
    }

    /// `A`, `B`, … `Z`, `AA`… for a 0-based column.
    public static func columnName(_ index: Int) -> String {
        var index = index + 1
        var name = ""
        while index > 0 {
            let remainder = (index - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            index = (index - 1) / 26
        }
        return name
    }

    static func sheetName(_ name: String, fallback: String) -> String {
        let cleaned = String(name.map { "[]:*?/\\".contains($0) ? "-" : $0 }.prefix(31)).trimmingCharacters(in: CharacterSet(charactersIn: "' "))
        return cleaned.isEmpty ? fallback : cleaned
    }

    /// Text without the characters XML 1.0 forbids (control characters other than tab and line breaks).
    static func xmlSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" || $0 == "\n" || $0 == "\r" }))
    }

    private static func encode<T: Encodable>(_ value: T, root: String, attributes: [String: String]) throws -> Data {
        let encoder = XMLEncoder()
        do {
            return try encoder.encode(value, withRootKey: root, rootAttributes: attributes,
                                      header: XMLHeader(version: 1.0, encoding: "UTF-8", standalone: "yes"))
        } catch {
            throw XLSXError("cannot encode \(root) (\(error))")
        }
    }

    // MARK: - Encoded parts

    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    private struct WorkbookXML: Encodable {
        static let namespaces = ["xmlns": mainNamespace, "xmlns:r": relationshipNamespace]
        struct Sheets: Encodable { var sheet: [SheetEntry] }
        struct SheetEntry: Encodable, DynamicNodeEncoding {
            var name: String
            var sheetId: Int
            var id: String
            enum CodingKeys: String, CodingKey { case name, sheetId, id = "r:id" }
            static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding { .attribute }
        }
        var sheets: Sheets
        init(names: [String]) {
            sheets = Sheets(sheet: names.enumerated().map { SheetEntry(name: XLSXWriter.xmlSafe($1), sheetId: $0 + 1, id: "rId\($0 + 1)") })
        }
    }

    private struct WorksheetXML: Encodable {
        struct SheetViews: Encodable { var sheetView: SheetView }
        struct SheetView: Encodable, DynamicNodeEncoding {
            var workbookViewId = 0
            var pane: Pane?
            static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding {
                key.stringValue == "pane" ? .element : .attribute
            }
        }
        struct Pane: Encodable, DynamicNodeEncoding {
            var ySplit: Int
            var topLeftCell: String
            var activePane = "bottomLeft"
            var state = "frozen"
            static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding { .attribute }
        }
        struct Cols: Encodable { var col: [Col] }
        struct Col: Encodable, DynamicNodeEncoding {
            var min: Int, max: Int, width: Double
            var customWidth = 1
            static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding { .attribute }
        }
        struct SheetData: Encodable { var row: [RowXML] }
        struct RowXML: Encodable, DynamicNodeEncoding {
            var r: Int
            var c: [CellXML]
            static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding { key.stringValue == "r" ? .attribute : .element }
        }
        struct InlineString: Encodable { var t: TextXML }
        struct TextXML: Encodable, DynamicNodeEncoding {
            var space = "preserve"
            var value: String
            enum CodingKeys: String, CodingKey { case space = "xml:space", value = "" }
            static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding { key.stringValue == "" ? .element : .attribute }
        }
        struct CellXML: Encodable, DynamicNodeEncoding {
            var r: String
            var s: Int?
            var t: String?
            var v: String?
            var `is`: InlineString?
            static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding {
                ["r", "s", "t"].contains(key.stringValue) ? .attribute : .element
            }
        }

        var sheetViews: SheetViews
        var cols: Cols?
        var sheetData: SheetData

        init(_ sheet: Sheet) {
            let pane = sheet.frozenRows > 0 ? Pane(ySplit: sheet.frozenRows, topLeftCell: "A\(sheet.frozenRows + 1)") : nil
            sheetViews = SheetViews(sheetView: SheetView(pane: pane))
            cols = sheet.columnWidths.isEmpty ? nil
                : Cols(col: sheet.columnWidths.enumerated().map { Col(min: $0 + 1, max: $0 + 1, width: $1) })
            sheetData = SheetData(row: sheet.rows.enumerated().map { rowIndex, cells in
                RowXML(r: rowIndex + 1, c: cells.enumerated().compactMap { column, cell in
                    let reference = XLSXWriter.columnName(column) + "\(rowIndex + 1)"
                    switch cell {
                    case .empty:
                        return nil
                    case .text(let text, let style):
                        return CellXML(r: reference, s: style == .plain ? nil : style.rawValue, t: "inlineStr",
                                       is: InlineString(t: TextXML(value: XLSXWriter.xmlSafe(text))))
                    case .number(let number, let style):
                        return CellXML(r: reference, s: style == .plain ? nil : style.rawValue, v: XLSXReader.numberText("\(number)"))
                    case .date(let serial):
                        return CellXML(r: reference, s: Style.dateTime.rawValue, v: "\(serial)")
                    }
                })
            })
        }
    }

    // MARK: - Fixed parts

    private static func contentTypes(sheetCount: Int) -> String {
        let sheets = (1...sheetCount).map {
            #"<Override PartName="/xl/worksheets/sheet\#($0).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }.joined()
        return #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
            + #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
            + #"<Default Extension="xml" ContentType="application/xml"/>"#
            + #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
            + #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
            + sheets + "</Types>"
    }

    private static let rootRelationships = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        + #"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#
        + "</Relationships>"

    private static func workbookRelationships(sheetCount: Int) -> String {
        let sheets = (1...sheetCount).map {
            #"<Relationship Id="rId\#($0)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#($0).xml"/>"#
        }.joined()
        return #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"# + sheets
            + #"<Relationship Id="rId\#(sheetCount + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
            + "</Relationships>"
    }

    /// Fonts: 0 normal, 1 bold, 2 bold 14 pt, 3 bold red. Fills: 0 none, 1 gray125 (required), 2 light grey.
    /// Cell formats in `Style` order.
    private static let styles = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        + #"<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/></numFmts>"#
        + #"<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font>"#
        + #"<font><b/><sz val="14"/><name val="Calibri"/></font><font><b/><sz val="11"/><color rgb="FFC00000"/><name val="Calibri"/></font></fonts>"#
        + #"<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>"#
        + #"<fill><patternFill patternType="solid"><fgColor rgb="FFE7E9EE"/><bgColor indexed="64"/></patternFill></fill></fills>"#
        + #"<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>"#
        + #"<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>"#
        + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
        + #"<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
        + #"<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>"#
        + #"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
        + #"<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
        + #"<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
        + #"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>"#
        + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#
        + "</styleSheet>"
}
