import Foundation
import RollCall
import Texts

/// A report turned into what templates show: texts in the reader's language, times on the site's clock.
///
/// Shared by the HTML documents and the dashboard, so a status, a time or a quorum line reads the same on paper and
/// on screen.
public struct ReportContext {
    public let report: AttendanceReport
    public let presentation: Presentation

    public init(_ report: AttendanceReport, _ presentation: Presentation) {
        self.report = report
        self.presentation = presentation
    }

    public var texts: Texts { presentation.texts }
    public var time: SiteTime { presentation.time }

    /// A delegation's display name (`(Không thuộc đoàn nào)` for none).
    public func unitName(_ unit: String?) -> String { unit ?? texts["report.no_unit"] }

    /// `Có mặt`, `Đã về sớm`, …
    public func status(_ status: AttendanceStatus) -> String { texts["status.\(status.rawValue)"] }

    /// "Túc số: 27/40 đại biểu có mặt; cần 27 (ít nhất 2/3 tổng số) — Đủ túc số".
    public var quorumLine: String {
        let q = report.quorum
        return texts.format("quorum.line", [
            "present": "\(q.present)", "expected": "\(q.expected)", "required": "\(q.required)",
            "rule": q.rule.text(texts), "verdict": texts[q.isMet ? "quorum.met" : "quorum.not_met"],
        ])
    }

    /// "Tổng số 40 đại biểu: có mặt 27, …".
    public func countsLine(_ counts: AttendanceReport.Counts, key: String = "report.totals") -> String {
        texts.format(key, ["expected": "\(counts.expected)", "present": "\(counts.present)", "left": "\(counts.left)",
                           "absent": "\(counts.absent)", "excused": "\(counts.excused)"])
    }

    /// The audit chain's state, in words: a warning naming the broken link, or one quiet line.
    public var auditText: String {
        let a = report.audit
        if let link = a.brokenLink { return texts.format("audit.broken", ["link": link, "problem": a.problem ?? ""]) }
        return texts.format("audit.intact", ["checked": "\(a.checked)", "head": String(a.headHash.prefix(16)) + "…"])
    }

    /// Counts of one delegation (or the totals), for a table row.
    public func counts(_ counts: AttendanceReport.Counts, name: String) -> [String: Any] {
        ["name": name, "expected": counts.expected, "present": counts.present, "left": counts.left, "absent": counts.absent,
         "excused": counts.excused, "arrived": counts.arrived]
    }

    /// One delegate's row; values a row does not have are left out (so `{{#gate}}` is false in a template).
    public func row(_ row: AttendanceReport.Row, number: Int) -> [String: Any] {
        var context: [String: Any] = [
            "number": number, "id": row.delegateID, "name": row.name, "unit": unitName(row.unit),
            "status": status(row.status), "code": row.status.rawValue, "isPresent": row.status == .present,
            "nameSize": row.name.count > 36 ? "xlong" : row.name.count > 30 ? "long" : "",
            "search": RosterColumn.fold([row.delegateID, row.name, row.unit ?? "", row.seat ?? ""].joined(separator: " ")),
        ]
        context["seat"] = row.seat
        context["arrived"] = row.firstSeen.map(time.display)
        context["arrivedClock"] = row.firstSeen.map(time.clock)
        context["left"] = row.leftAt.map(time.display)
        context["leftClock"] = row.leftAt.map(time.clock)
        // In a table of one sitting, HH:mm says it; a time on another day than the opening keeps its date.
        context["arrivedShort"] = row.firstSeen.map(short)
        context["leftShort"] = row.leftAt.map(short)
        context["gate"] = row.gate
        context["note"] = row.note
        context["method"] = row.method.map { texts["method.\($0.rawValue)"] }
        context["distance"] = row.distance.map { String(format: "%.3f", $0) }
        return context
    }

    /// `HH:mm` on the session's opening day, `dd/MM/yyyy HH:mm` on another.
    func short(_ date: Date) -> String {
        time.display(date).prefix(10) == time.display(report.session.openedAt).prefix(10) ? time.clock(date) : time.display(date)
    }

    /// What every document shows at its top: titles, session, times, quorum, totals, audit state, texts.
    public var common: [String: Any] {
        let s = report.session
        return [
            "t": texts.tree(), "lang": presentation.language.rawValue,
            "sessionName": s.name, "sessionLine": texts.format("report.session_line", ["id": "\(s.id)", "name": s.name]),
            "opened": texts.format("report.opened", ["time": time.display(s.openedAt)]),
            "closed": s.closedAt.map { texts.format("report.closed", ["time": time.display($0)]) } ?? texts["report.still_open"],
            "generated": texts.format("report.generated", ["time": time.display(report.generatedAt)]),
            "quorumLine": quorumLine, "quorumMet": report.quorum.isMet, "totals": countsLine(report.totals),
            "auditIntact": report.audit.isIntact, "auditText": auditText, "chainHead": report.chainHead,
            "pageWord": Templates.cssString(texts["report.page"] + " "), "pageOf": Templates.cssString(" " + texts["report.page_of"] + " "),
            "footerText": Templates.cssString(s.name),
            "unitCounts": report.units.map { counts($0, name: unitName($0.unit)) },
            "totalCounts": counts(report.totals, name: texts["report.all_units"]),
        ]
    }
}
