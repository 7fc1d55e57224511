import Foundation
import Testing

@testable import RollCall

struct ReportTests {
    private let hanoi = TimeZone(secondsFromGMT: 7 * 3600)!

    private func report() -> AttendanceReport {
        let opened = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        return AttendanceReport(
            session: SessionInfo(id: 3, name: "Đại hội <XIV>", quorum: 2.0 / 3, openedAt: opened, closedAt: nil),
            rows: [
                .init(delegateID: "D-1", name: "Nguyễn Thị Ánh Tuyết", unit: "Hà Nội, Ba Đình", status: .present,
                      firstSeen: opened.addingTimeInterval(125), gate: "Cổng A", distance: 0.2345678, method: .face),
                .init(delegateID: "D-2", name: "<script>alert('x')</script>", unit: nil, status: .present,
                      firstSeen: opened.addingTimeInterval(300), method: .manual, note: "badge"),
                .init(delegateID: "D-3", name: "=HYPERLINK(\"x\")", status: .excused, note: "ốm"),
                .init(delegateID: "D-4", name: "Lê \"Ba\"", status: .absent),
            ],
            generatedAt: opened.addingTimeInterval(3600), chainHead: String(repeating: "a", count: 64))
    }

    @Test func iso8601CarriesTheOffset() {
        let date = Date(timeIntervalSince1970: 1_767_225_600)
        #expect(AttendanceReport.iso8601(date, timeZone: hanoi) == "2026-01-01T07:00:00+07:00")
        #expect(AttendanceReport.iso8601(date, timeZone: TimeZone(secondsFromGMT: 0)!) == "2026-01-01T00:00:00+00:00")
        #expect(AttendanceReport.iso8601(date, timeZone: TimeZone(secondsFromGMT: -(3 * 3600 + 1800))!) == "2025-12-31T20:30:00-03:30")
    }

    @Test func quorumRequiresAtLeastTheFraction() {
        #expect(Quorum(expected: 3, present: 2, fraction: 2.0 / 3).isMet)
        #expect(!Quorum(expected: 4, present: 2, fraction: 2.0 / 3).isMet)
        #expect(Quorum(expected: 4, present: 2, fraction: 0.5).required == 2)
        #expect(!Quorum(expected: 0, present: 0, fraction: 0.5).isMet)
        #expect(report().quorum.line == "Quorum: 2 of 4 present (50.0%), required 3 (≥ 66.7%): NOT MET")
    }

    @Test func csvHasHeaderRosterOrderQuotingAndTotals() {
        let lines = report().rendered(as: .csv, timeZone: hanoi).components(separatedBy: "\r\n")
        #expect(lines[0] == "delegate_id,name,unit,status,first_seen,gate,distance,method")
        #expect(lines[1] == "D-1,Nguyễn Thị Ánh Tuyết,\"Hà Nội, Ba Đình\",present,2026-01-01T07:02:05+07:00,Cổng A,0.2346,face")
        #expect(lines[2] == "D-2,<script>alert('x')</script>,,present,2026-01-01T07:05:00+07:00,,,manual")
        #expect(lines[3] == "D-3,\"'=HYPERLINK(\"\"x\"\")\",,excused,,,,")
        #expect(lines[4] == "D-4,\"Lê \"\"Ba\"\"\",,absent,,,,")
        #expect(lines.contains("# Totals: 2 present, 1 absent, 1 excused, 4 expected"))
        #expect(lines.contains { $0.hasPrefix("# Quorum: 2 of 4 present") })
    }

    @Test func jsonHasTheColumnsTotalsAndQuorum() throws {
        let data = Data(report().rendered(as: .json, timeZone: hanoi).utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let delegates = try #require(object["delegates"] as? [[String: Any]])
        #expect(delegates.map { $0["delegate_id"] as? String } == ["D-1", "D-2", "D-3", "D-4"])
        #expect(delegates[0]["first_seen"] as? String == "2026-01-01T07:02:05+07:00")
        #expect(delegates[0]["name"] as? String == "Nguyễn Thị Ánh Tuyết")
        #expect(delegates[2]["status"] as? String == "excused")
        let quorum = try #require(object["quorum"] as? [String: Any])
        #expect(quorum["required"] as? Int == 3 && quorum["met"] as? Bool == false)
        let totals = try #require(object["totals"] as? [String: Any])
        #expect(totals["expected"] as? Int == 4 && totals["present"] as? Int == 2)
    }

    @Test func htmlEscapesEveryString() {
        let html = report().rendered(as: .html, timeZone: hanoi)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("<title>Đại hội &lt;XIV&gt; — sign-in sheet</title>"))
        #expect(html.contains("Lê &quot;Ba&quot;"))
        #expect(html.contains("Nguyễn Thị Ánh Tuyết"))
        #expect(html.contains("Quorum: 2 of 4 present"))
        #expect(AttendanceReport.htmlEscaped("a&b<c>\"'") == "a&amp;b&lt;c&gt;&quot;&#39;")
    }

    @Test func statusRule() {
        #expect(AttendanceStatus.derive(isPresent: true, hasCheckout: true) == .present)
        #expect(AttendanceStatus.derive(isPresent: false, hasCheckout: true) == .excused)
        #expect(AttendanceStatus.derive(isPresent: false, hasCheckout: false) == .absent)
    }
}
