import Documents
import Foundation
@testable import RollCall
import Spreadsheets
import Testing
import Texts

/// The documents people read, in Vietnamese (and English), made from one report.
struct ReportDocumentTests {
    static let opened = Date(timeIntervalSince1970: 1_779_928_200)  // 28/05/2026 07:30 in Hà Nội

    static func report(audit: AuditVerdict? = nil) -> AttendanceReport {
        AttendanceReport(
            session: SessionInfo(id: 3, name: "Đại hội <XVII>", quorumRule: .atLeast(2, 3), openedAt: opened, closedAt: nil),
            rows: [
                .init(delegateID: "ĐB-1", name: "Nguyễn Thị Ánh Tuyết", unit: "Đoàn Hà Nội", seat: "A1", status: .present,
                      firstSeen: opened.addingTimeInterval(125), gate: "cong-chinh", distance: 0.31, method: .face),
                .init(delegateID: "ĐB-2", name: "<script>alert('x')</script>", unit: "Đoàn Hà Nội", seat: "A2", status: .left,
                      firstSeen: opened.addingTimeInterval(300), leftAt: opened.addingTimeInterval(5400), method: .manual, note: "họp đột xuất"),
                .init(delegateID: "ĐB-3", name: "Lê \"Ba\" & Co", unit: "Đoàn Huế", status: .excused, note: "công tác nước ngoài"),
                .init(delegateID: "ĐB-4", name: "Trần Văn Bình", unit: "Đoàn Huế", seat: "B2", status: .absent),
            ],
            generatedAt: opened.addingTimeInterval(7200), chainHead: String(repeating: "ab", count: 32), audit: audit)
    }

    static let vi = Presentation(language: .vi, time: .vietnam)
    static let broken = AuditVerdict(checked: 1, brokenLink: "attendance row 2", problem: "its content does not match its hash (the row was edited)",
                                     headHash: String(repeating: "ab", count: 32))

    @Test func recordSpeaksVietnameseWithDelegationCountsAndTimes() {
        let html = ReportDocument.record.html(Self.report(), Self.vi)
        for text in ["<html lang=\"vi\">", "Kết quả điểm danh đại biểu", "Phiên số 3: Đại hội &lt;XVII&gt;", "Khai mạc lúc 28/05/2026 07:30",
                     "Túc số: 1/4 đại biểu có mặt; cần 3 (ít nhất 2/3 tổng số) — Chưa đủ túc số", "Đoàn: Đoàn Hà Nội",
                     "2 đại biểu — có mặt 1, đã về sớm 1, vắng 0, vắng có phép 0", "Đã về sớm", "Vắng có phép", ">09:00<", ">07:32<",
                     "Cổng cong-chinh", "họp đột xuất", "Chuỗi kiểm toán nguyên vẹn"] {
            #expect(html.contains(text), "missing «\(text)»")
        }
        #expect(html.contains("<tr><td>Đoàn Huế</td><td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">1</td></tr>"))
        #expect(!html.contains("+07:00") && !html.contains("⟦"))
    }

    @Test func everyStringIsEscaped() {
        let html = ReportDocument.record.html(Self.report(), Self.vi)
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("Lê &quot;Ba&quot; &amp; Co"))
    }

    @Test func signInSheetHasASignatureColumnAndPrintRules() {
        let html = ReportDocument.signIn.html(Self.report(), Self.vi)
        #expect(html.contains("Danh sách đại biểu ký tên"))
        #expect(html.contains("<th class=\"sign\">Ký tên</th>"))
        #expect(html.components(separatedBy: "<td class=\"sign\"></td>").count - 1 == 4)
        #expect(html.contains("section.unit + section.unit { break-before: page;"))
        #expect(html.contains("thead { display: table-header-group; }"))
        #expect(html.contains("content: \"Trang \" counter(page) \" / \" counter(pages)"))
        #expect(html.contains("td.name { white-space: nowrap;"))
        #expect(html.components(separatedBy: "<section class=\"unit\">").count - 1 == 2)
    }

    @Test func absenteeListHoldsOnlyThoseNotHereWithTheirReasons() {
        let html = ReportDocument.absentees.html(Self.report(), Self.vi)
        #expect(html.contains("Danh sách đại biểu chưa có mặt"))
        #expect(!html.contains("Nguyễn Thị Ánh Tuyết"))
        #expect(html.contains("công tác nước ngoài") && html.contains("Trần Văn Bình") && html.contains("Đã về sớm (09:00)"))
        let hanoiOnly = ReportDocument.absentees.html(Self.report(), Self.vi, unit: .some("Đoàn Huế"))
        #expect(!hanoiOnly.contains("&lt;script&gt;") && hanoiOnly.contains("Trần Văn Bình"))
    }

    @Test func aBrokenChainIsSaidOnTheDocumentItself() {
        for document in ReportDocument.allCases {
            let html = document.html(Self.report(audit: Self.broken), Self.vi)
            #expect(html.contains("<p class=\"audit\" role=\"alert\">CẢNH BÁO: chuỗi kiểm toán BỊ PHÁ VỠ tại attendance row 2."), "\(document)")
        }
        #expect(!ReportDocument.record.html(Self.report(), Self.vi).contains("role=\"alert\""))
    }

    @Test func englishIsOneOptionAway() {
        let html = ReportDocument.record.html(Self.report(), Presentation(language: .en, time: .vietnam))
        #expect(html.contains("<html lang=\"en\">") && html.contains("Roll call of the delegates") && html.contains("Left early"))
        #expect(html.contains("Quorum: 1/4 delegates present; needs 3 (at least 2/3 of the roster) — Quorum not reached"))
        #expect(!html.contains("⟦"))
    }

    @Test func workbookHasASummaryAndOneRowPerDelegateWithRealDates() throws {
        let data = try ReportFormat.xlsx.render(Self.report(audit: Self.broken), Self.vi)
        let workbook = try XLSXReader(data: data)
        #expect(workbook.sheetNames == ["Tổng hợp", "Điểm danh"])
        let summary = try workbook.rows(ofSheet: "Tổng hợp").map { $0.cells.first ?? "" }
        #expect(summary.contains("KẾT QUẢ ĐIỂM DANH ĐẠI BIỂU"))
        #expect(summary.contains { $0.hasPrefix("Túc số: 1/4") })
        #expect(summary.contains { $0.hasPrefix("CẢNH BÁO: chuỗi kiểm toán BỊ PHÁ VỠ") })
        #expect(summary.contains("Đoàn Huế") && summary.contains("Toàn bộ"))
        let rows = try workbook.rows(ofSheet: "Điểm danh")
        #expect(rows[0].cells == ["STT", "Mã ĐB", "Họ và tên", "Đoàn", "Ghế", "Trạng thái", "Giờ đến", "Giờ về", "Cổng", "Cách điểm danh", "Ghi chú"])
        #expect(rows.count == 5)
        #expect(rows[1].cells[2] == "Nguyễn Thị Ánh Tuyết" && rows[1].cells[5] == "Có mặt")
        // 28/05/2026 07:32:05 on the site's clock, as a date serial
        let serial = try #require(Double(rows[1].cells[6]))
        let expected: Double = 46_170 + Double(7 * 3600 + 32 * 60 + 5) / 86_400
        #expect(abs(serial - expected) < 1e-6, "\(serial)")
        #expect(rows[2].cells[5] == "Đã về sớm" && !rows[2].cells[7].isEmpty)
    }
}
