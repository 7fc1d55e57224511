import Foundation
import Testing
import Texts

@testable import RollCall

struct ReportTests {
    static let hanoi = SiteTime(timeZone: TimeZone(secondsFromGMT: 7 * 3600)!)
    static let opened = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    static func report(audit: AuditVerdict? = nil) -> AttendanceReport {
        AttendanceReport(
            session: SessionInfo(id: 3, name: "Đại hội <XIV>", quorumRule: .atLeast(2, 3), openedAt: opened, closedAt: nil),
            rows: [
                .init(delegateID: "D-1", name: "Nguyễn Thị Ánh Tuyết", unit: "Hà Nội, Ba Đình", seat: "A1", status: .present,
                      firstSeen: opened.addingTimeInterval(125), gate: "Cổng A", distance: 0.2345678, method: .face),
                .init(delegateID: "D-2", name: "<script>alert('x')</script>", unit: "Huế", status: .left,
                      firstSeen: opened.addingTimeInterval(300), leftAt: opened.addingTimeInterval(5400), method: .manual, note: "ốm"),
                .init(delegateID: "D-3", name: "=HYPERLINK(\"x\")", unit: "Huế", status: .excused, note: "công tác"),
                .init(delegateID: "D-4", name: "Lê \"Ba\"", status: .absent),
            ],
            generatedAt: opened.addingTimeInterval(3600), chainHead: String(repeating: "a", count: 64), audit: audit)
    }

    static let broken = AuditVerdict(checked: 1, brokenLink: "attendance row 2", problem: "its content does not match its hash (the row was edited)",
                                     headHash: String(repeating: "a", count: 64))

    @Test func csvIsDataRowsOnlyWithMachineColumnsAndISOTimes() {
        let lines = Self.report().csv(time: Self.hanoi).components(separatedBy: "\r\n")
        #expect(lines[0] == "delegate_id,name,unit,seat,status,first_seen,left_at,gate,distance,method,note,audit_chain")
        #expect(lines[1] == "D-1,Nguyễn Thị Ánh Tuyết,\"Hà Nội, Ba Đình\",A1,present,2026-01-01T07:02:05+07:00,,Cổng A,0.2346,face,,intact")
        #expect(lines[2] == "D-2,<script>alert('x')</script>,Huế,,left,2026-01-01T07:05:00+07:00,2026-01-01T08:30:00+07:00,,,manual,ốm,intact")
        #expect(lines[3] == "D-3,\"'=HYPERLINK(\"\"x\"\")\",Huế,,excused,,,,,,công tác,intact")
        #expect(lines[4] == "D-4,\"Lê \"\"Ba\"\"\",,,absent,,,,,,,intact")
        #expect(lines[5] == "" && lines.count == 6)  // nothing after the data rows
    }

    @Test func csvCarriesABrokenChainOnEveryRow() {
        let lines = Self.report(audit: Self.broken).csv(time: Self.hanoi).split(separator: "\r\n").dropFirst()
        #expect(lines.count == 4 && lines.allSatisfy { $0.hasSuffix(",broken") })
    }

    @Test func jsonHasTotalsUnitsQuorumAndAudit() throws {
        let data = Data(Self.report(audit: Self.broken).json(time: Self.hanoi).utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let delegates = try #require(object["delegates"] as? [[String: Any]])
        #expect(delegates.map { $0["delegate_id"] as? String } == ["D-1", "D-2", "D-3", "D-4"])
        #expect(delegates[1]["status"] as? String == "left")
        #expect(delegates[1]["left_at"] as? String == "2026-01-01T08:30:00+07:00")
        let quorum = try #require(object["quorum"] as? [String: Any])
        #expect(quorum["rule"] as? String == "2/3" && quorum["required"] as? Int == 3 && quorum["met"] as? Bool == false)
        #expect(quorum["present"] as? Int == 1)
        let totals = try #require(object["totals"] as? [String: Any])
        #expect(totals["expected"] as? Int == 4 && totals["present"] as? Int == 1 && totals["left"] as? Int == 1
                && totals["arrived"] as? Int == 2)
        let units = try #require(object["units"] as? [[String: Any]])
        #expect(units.map { $0["unit"] as? String } == ["Hà Nội, Ba Đình", "Huế", nil])
        #expect(units[1]["left"] as? Int == 1 && units[1]["excused"] as? Int == 1 && units[1]["expected"] as? Int == 2)
        let audit = try #require(object["audit"] as? [String: Any])
        #expect(audit["intact"] as? Bool == false && audit["broken_link"] as? String == "attendance row 2")
        let session = try #require(object["session"] as? [String: Any])
        #expect(session["quorum_rule"] as? String == "2/3" && session["opened_at"] as? String == "2026-01-01T07:00:00+07:00")
    }

    @Test func countsPerDelegationInRosterOrder() {
        let units = Self.report().units
        #expect(units.map(\.unit) == ["Hà Nội, Ba Đình", "Huế", nil])
        #expect(units.map(\.expected) == [1, 2, 1])
        #expect(units[1].left == 1 && units[1].excused == 1 && units[1].arrived == 1)
        #expect(Self.report().totals.expected == 4)
    }

    @Test func quorumCountsOnlyThosePresentNow() {
        let quorum = Self.report().quorum
        #expect(quorum.present == 1 && quorum.expected == 4 && quorum.required == 3 && !quorum.isMet)
    }
}
