import Foundation
import Spreadsheets
import Testing
import Texts

@testable import RollCall

/// Rosters as a Vietnamese secretariat's Excel leaves them: `.xlsx`, `;`-CSV, Windows-1258, Vietnamese headers.
/// Every fixture is made here; the names must come out byte for byte as typed (NFC).
struct RosterFormatTests {
    static let names = ["Nguyễn Thị Ánh Tuyết", "Trần Văn Bình", "Lê Hoàng Châu", "Phạm Thị Thu Hường", "Đặng Quốc Ưng"]

    private func parse(_ bytes: [UInt8], encoding: Roster.Encoding = .automatic) throws -> Roster {
        try Roster.parse(bytes, source: "danh-sach.csv", baseDirectory: "/r", encoding: encoding, isReadable: { _ in true })
    }

    private func headerError(_ text: String) -> RosterError? {
        do { _ = try parse(Array(text.utf8)); return nil } catch let error as RosterError { return error } catch { return nil }
    }

    @Test func vietnameseHeadersAndSemicolonsAsExcelWritesThemInAVietnameseLocale() throws {
        let csv = "STT;Mã đại biểu;Họ và tên;Đơn vị / Đoàn;Chỗ ngồi;Ghi chú\r\n"
            + Self.names.enumerated().map { "\($0 + 1);ĐB-\($0 + 1);\($1);\"Đoàn Hà Nội; khối A\";A\($0 + 1);\r\n" }.joined()
        let roster = try parse(Array(csv.utf8))
        #expect(roster.entries.map(\.delegate.name) == Self.names)
        #expect(roster.entries.map { Array($0.delegate.name.utf8) } == Self.names.map { Array($0.utf8) })
        #expect(roster.entries[0].delegate == Delegate(id: "ĐB-1", name: Self.names[0], unit: "Đoàn Hà Nội; khối A", seat: "A1", rosterOrder: 0))
        #expect(!roster.decodedAsWindows1258)
    }

    @Test func headersMatchWithoutDiacriticsOrCase() throws {
        let roster = try parse(Array("MA DAI BIEU,ho va ten,DOAN,Ghe\nD1,Nguyễn Văn An,Huế,B2\n".utf8))
        #expect(roster.entries[0].delegate == Delegate(id: "D1", name: "Nguyễn Văn An", unit: "Huế", seat: "B2", rosterOrder: 0))
    }

    @Test func aNameSplitIntoSurnameAndGivenNameIsJoined() throws {
        let roster = try parse(Array("Mã;Họ và tên đệm;Tên;Đoàn\nD1;Nguyễn Thị Ánh;Tuyết;Hà Nội\n".utf8))
        #expect(roster.entries[0].delegate.name == "Nguyễn Thị Ánh Tuyết")
    }

    @Test func excelSeparatorLineIsHonoured() throws {
        let roster = try parse(Array("sep=;\nid;name;unit\nD1;Lê, Văn;Huế\n".utf8))
        #expect(roster.entries[0].delegate.name == "Lê, Văn")
    }

    /// The bytes Excel's "CSV (Comma delimited)" writes on a Vietnamese Windows: Windows-1258, tone marks combining.
    static func windows1258Roster() -> [UInt8] {
        func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
        var bytes: [UInt8] = []
        // "Mã;Họ và tên;Đoàn": a + tilde (0xDE), o + dot below (0xF2), a + grave (0xCC), ê (0xEA), Đ (0xD0)
        bytes += ascii("M") + [0x61, 0xDE] + ascii(";H") + [0x6F, 0xF2] + ascii(" v") + [0x61, 0xCC] + ascii(" t") + [0xEA]
        bytes += ascii("n;") + [0xD0] + ascii("o") + [0x61, 0xCC] + ascii("n\r\n")
        // "D1;Nguyễn Thị Ánh Tuyết;Đoàn Huế"
        bytes += ascii("D1;Nguy") + [0xEA, 0xDE] + ascii("n Thi") + [0xF2] + ascii(" ") + [0xC1] + ascii("nh Tuy") + [0xEA, 0xEC]
        bytes += ascii("t;") + [0xD0] + ascii("o") + [0x61, 0xCC] + ascii("n Hu") + [0xEA, 0xEC] + ascii("\r\n")
        // "D2;Đặng Quốc Ưng;Hải Phòng": ă (0xE3) + dot below, ô (0xF4) + acute, Ư (0xDD), a + hook above (0xD2)
        bytes += ascii("D2;") + [0xD0, 0xE3, 0xF2] + ascii("ng Qu") + [0xF4, 0xEC] + ascii("c ") + [0xDD] + ascii("ng;H")
        bytes += [0x61, 0xD2] + ascii("i Pho") + [0xCC] + ascii("ng\r\n")
        return bytes
    }

    @Test func windows1258IsDecodedToPrecomposedNames() throws {
        let roster = try parse(Self.windows1258Roster())
        #expect(roster.decodedAsWindows1258)
        #expect(roster.entries.map(\.delegate.name) == ["Nguyễn Thị Ánh Tuyết", "Đặng Quốc Ưng"])
        #expect(Array(roster.entries[0].delegate.name.utf8) == Array("Nguy\u{1EC5}n Th\u{1ECB} \u{00C1}nh Tuy\u{1EBF}t".utf8))
        #expect(roster.entries.map(\.delegate.unit) == ["Đoàn Huế", "Hải Phòng"])
    }

    @Test func windows1258RefusedWhenUTF8IsDemanded() {
        #expect(throws: RosterError.self) { try parse(Self.windows1258Roster(), encoding: .utf8) }
    }

    @Test func utf16AsExcelsUnicodeTextIsRead() throws {
        let text = "Mã\tHọ và tên\r\nD1\tNguyễn Văn An\r\n"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try parse(bytes).entries[0].delegate.name == "Nguyễn Văn An")
    }

    @Test func missingColumnErrorListsTheColumnsExpectedAndFound() throws {
        let error = try #require(headerError("STT,Họ tên,Đoàn\n1,An,Huế\n"))
        let vi = error.localized(.of(.vi))
        #expect(vi.contains("thiếu cột mã đại biểu"), "\(vi)")
        #expect(vi.contains("«Mã đại biểu»") && vi.contains("«id»"), "\(vi)")
        #expect(vi.contains("các cột đang có: «STT», «Họ tên», «Đoàn»"), "\(vi)")
        #expect(vi.contains("dòng 1"), "\(vi)")
        let en = error.description
        #expect(en.contains("no id column") && en.contains("the columns are: «STT», «Họ tên», «Đoàn»"), "\(en)")
    }

    @Test func twoColumnsForOneRoleAreRefused() throws {
        let error = try #require(headerError("Mã,id,Họ và tên\n1,2,An\n"))
        #expect(error.description.contains("two columns give the id: «Mã», «id»"), "\(error)")
    }

    @Test func rowErrorsSpeakVietnamese() throws {
        do {
            _ = try parse(Array("Mã;Họ và tên\n;Bình\nD2;\n".utf8))
            Issue.record("expected an error")
        } catch let error as RosterError {
            let vi = error.localized(.of(.vi))
            #expect(vi.contains("danh sách danh-sach.csv: dòng 2: thiếu mã đại biểu"), "\(vi)")
            #expect(vi.contains("dòng 3: đại biểu D2: thiếu họ tên"), "\(vi)")
            #expect(vi.contains("2 dòng lỗi, chưa nhập gì"), "\(vi)")
        }
    }

    /// A workbook as the secretariat's Excel saves it (shared strings, a numeric id, an empty formatted row, a note
    /// beyond the header), its rows named by sheet row.
    @Test func xlsxRosterImportsByteExact() throws {
        var rows: [[XLSXWriter.Cell]] = [["STT", "Mã đại biểu", "Họ và tên", "Đoàn", "Ghế"].map { .text($0, .header) }]
        for (index, name) in Self.names.enumerated() {
            rows.append([.number(Double(index + 1)), .number(Double(1000 + index)), .text(name), .text(index < 2 ? "Đoàn Hà Nội" : "Đoàn Huế"),
                         .text("B\(index + 1)"), .empty, .text("ghi chú ngoài bảng")])
        }
        rows.append([.empty, .empty, .empty])
        let data = try XLSXWriter(sheets: [.init(name: "Danh sách", rows: rows)]).data()
        let roster = try Roster.parseWorkbook(data, source: "ds.xlsx", baseDirectory: "/r")
        #expect(roster.sheet == "Danh sách")
        #expect(roster.entries.map(\.delegate.id) == ["1000", "1001", "1002", "1003", "1004"])
        #expect(roster.entries.map { Array($0.delegate.name.utf8) } == Self.names.map { Array($0.utf8) })
        #expect(roster.entries.map(\.delegate.unit) == ["Đoàn Hà Nội", "Đoàn Hà Nội", "Đoàn Huế", "Đoàn Huế", "Đoàn Huế"])
        #expect(roster.entries.map(\.line) == [2, 3, 4, 5, 6])
        do {
            _ = try Roster.parseWorkbook(data, source: "ds.xlsx", sheet: "Sheet1", baseDirectory: "/r")
            Issue.record("expected an error")
        } catch let error as RosterError {
            #expect(error.localized(.of(.vi)).contains("không có trang tính «Sheet1»; các trang đang có: Danh sách"), "\(error.localized(.of(.vi)))")
        }
    }

    @Test func xlsxRowErrorsNameTheSheetRow() throws {
        let data = try XLSXWriter(sheets: [.init(name: "DS", rows: [[.text("Mã"), .text("Họ và tên")], [.text("D1"), .text("An")],
                                                                    [.empty, .text("Bình")]])]).data()
        do {
            _ = try Roster.parseWorkbook(data, source: "ds.xlsx", baseDirectory: "/r")
            Issue.record("expected an error")
        } catch let error as RosterError {
            #expect(error.localized(.of(.vi)).contains("ds.xlsx: hàng 3: thiếu mã đại biểu"), "\(error.localized(.of(.vi)))")
            #expect(error.description.contains("ds.xlsx: row 3: missing id"))
        }
    }
}
