import Foundation
import Testing
import ZIPFoundation

@testable import Spreadsheets

/// `.xlsx` as Excel writes it, built here part by part (no file is downloaded).
struct XLSXTests {
    /// A workbook shaped like one saved by Excel: shared strings (one with rich-text runs and a kept leading space),
    /// an inline string, numbers, an empty cell skipped, rows numbered with a gap, and sheet files whose names do not
    /// follow the tab order (the second tab is `sheet1.xml`), found through the workbook's relationships.
    static func excelLikeWorkbook() throws -> Data {
        let archive = try Archive(accessMode: .create)
        func add(_ path: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { p, n in
                data.subdata(in: Int(p)..<(Int(p) + n))
            }
        }
        try add("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#)
        try add("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
            <sheets><sheet name="Danh sách" sheetId="2" r:id="rId2"/><sheet name="Ghi chú" sheetId="1" r:id="rId1"/></sheets></workbook>
            """)
        try add("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>
            <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
            </Relationships>
            """)
        try add("xl/sharedStrings.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">
            <si><t>Mã đại biểu</t></si><si><t>Họ và tên</t></si>
            <si><r><rPr><b/><sz val="11"/></rPr><t>Nguyễn</t></r><r><rPr><sz val="11"/></rPr><t xml:space="preserve"> Thị Ánh Tuyết</t></r></si>
            <si><t>Đoàn Hà Nội</t></si><si><t>ignored</t></si>
            </sst>
            """)
        try add("xl/worksheets/sheet1.xml", """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>4</v></c></row></sheetData></worksheet>
            """)
        try add("xl/worksheets/sheet2.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D4"/>
            <sheetData>
            <row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="inlineStr"><is><t>Ghế</t></is></c></row>
            <row r="2" spans="1:4"><c r="A2"><v>42</v></c><c r="B2" t="s"><v>2</v></c><c r="C2" s="3"/><c r="D2"><v>12.5</v></c></row>
            <row r="4"><c r="A4" t="str"><f>"D-"&amp;7</f><v>D-7</v></c><c r="B4" t="b"><v>1</v></c></row>
            </sheetData></worksheet>
            """)
        return try #require(archive.data)
    }

    @Test func readsCellsAsExcelShowsThem() throws {
        let workbook = try XLSXReader(data: try Self.excelLikeWorkbook())
        #expect(workbook.sheetNames == ["Danh sách", "Ghi chú"])
        let rows = try workbook.rows()
        #expect(rows.map(\.number) == [1, 2, 4])
        #expect(rows[0].cells == ["Mã đại biểu", "Họ và tên", "", "Ghế"])
        #expect(rows[1].cells == ["42", "Nguyễn Thị Ánh Tuyết", "", "12.5"])
        #expect(rows[2].cells == ["D-7", "TRUE"])
        #expect(try workbook.rows(ofSheet: "Ghi chú")[0].cells == ["ignored"])
        #expect(throws: XLSXError.self) { try workbook.rows(ofSheet: "Sheet9") }
    }

    @Test func writtenWorkbookReadsBackByteExact() throws {
        let names = ["Nguyễn Thị Ánh Tuyết", " spaced ", "Lê \"Ba\" <b> & Co", "Tổng hợp/x"]
        let data = try XLSXWriter(sheets: [
            .init(name: "Điểm danh", columnWidths: [8, 30], rows: [[.text("STT", .header), .text("Họ và tên", .header)]]
                    + names.enumerated().map { [.number(Double($0 + 1)), .text($1)] } + [[.empty, .date(46_053.25)]], frozenRows: 1),
            .init(name: "Tổng hợp: [x]", rows: [[.text("CẢNH BÁO", .warning)]]),
        ]).data()
        let workbook = try XLSXReader(data: data)
        #expect(workbook.sheetNames == ["Điểm danh", "Tổng hợp- -x-"])
        let rows = try workbook.rows()
        #expect(rows.count == 6)
        #expect(rows.dropFirst().prefix(4).map { $0.cells[1] } == names)
        #expect(rows.dropFirst().prefix(4).map { Array($0.cells[1].utf8) } == names.map { Array($0.utf8) })
        #expect(rows[5].cells == ["", "46053.25"])
        // Same report, same bytes.
        #expect(try XLSXWriter(sheets: [.init(name: "a", rows: [[.text("x")]])]).data()
                == XLSXWriter(sheets: [.init(name: "a", rows: [[.text("x")]])]).data())
    }

    @Test func notAWorkbook_Fail() {
        #expect(throws: XLSXError.self) { try XLSXReader(data: Data("id,name\n".utf8)) }
    }

    @Test func partThatInflatesPastTheLimit_Fail() throws {
        let archive = try Archive(accessMode: .create)
        let size = XLSXReader.maximumPartSize + 1
        try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(size), compressionMethod: .deflate) { _, n in
            Data(count: n)
        }
        let error = try #require(throws: XLSXError.self) { try XLSXReader(data: try #require(archive.data)) }
        #expect(error.description.contains("xl/worksheets/sheet1.xml"))
    }

    @Test func columnNamesAndIndexes() {
        #expect(XLSXWriter.columnName(0) == "A" && XLSXWriter.columnName(25) == "Z" && XLSXWriter.columnName(26) == "AA")
        #expect(XLSXReader.columnIndex("AB12") == 27)
        #expect(XLSXReader.numberText("12.0") == "12" && XLSXReader.numberText("0.1") == "0.1")
    }
}
