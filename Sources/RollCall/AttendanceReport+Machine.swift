import Foundation
import Texts

/// The machine formats of a report: CSV and JSON keep their column names and status codes whatever the language,
/// and write every time in one form (ISO 8601 with the site's offset, `SiteTime.iso8601`).
extension AttendanceReport {
    /// The CSV's columns, in order.
    public static let csvColumns = ["delegate_id", "name", "unit", "seat", "status", "first_seen", "left_at", "gate", "distance",
                                    "method", "note", "audit_chain"]

    /// RFC 4180 CSV: a header line, then one line per delegate and nothing else (totals and the quorum are in the JSON,
    /// the `.xlsx` and the HTML; a tool reading the CSV meets only data rows). Every row carries `audit_chain`
    /// (`intact` or `broken`), so the chain's state travels with any row a tool reads. Text cells a spreadsheet would
    /// run as a formula (`=`, `+`, `-`, `@`) get a leading `'`. Lines end in CRLF; no byte-order mark (the caller
    /// adds one for Excel).
    public func csv(time: SiteTime) -> String {
        func cell(_ text: String?) -> String {
            var value = text ?? ""
            if let first = value.first, "=+-@".contains(first) { value = "'" + value }
            if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                value = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return value
        }
        let chain = audit.isIntact ? "intact" : "broken"
        var lines = [Self.csvColumns.joined(separator: ",")]
        for row in rows {
            lines.append([
                cell(row.delegateID), cell(row.name), cell(row.unit), cell(row.seat), row.status.rawValue,
                row.firstSeen.map(time.iso8601) ?? "", row.leftAt.map(time.iso8601) ?? "", cell(row.gate),
                row.distance.map { String(format: "%.4f", $0) } ?? "", row.method?.rawValue ?? "", cell(row.note), chain,
            ].joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private struct JSONRow: Encodable {
        var delegate_id: String, name: String, unit: String?, seat: String?, status: String
        var first_seen: String?, left_at: String?, gate: String?, distance: Double?, method: String?, note: String?
    }
    private struct JSONSession: Encodable {
        var id: Int64, name: String, quorum_rule: String, opened_at: String, closed_at: String?
    }
    private struct JSONCounts: Encodable {
        var unit: String?, present: Int, left: Int, absent: Int, excused: Int, arrived: Int, expected: Int
        init(_ c: Counts) {
            unit = c.unit; present = c.present; left = c.left; absent = c.absent; excused = c.excused
            arrived = c.arrived; expected = c.expected
        }
    }
    private struct JSONAudit: Encodable {
        var intact: Bool, checked: Int, broken_link: String?, problem: String?, head: String
    }
    private struct JSONReport: Encodable {
        var session: JSONSession, generated_at: String, delegates: [JSONRow], totals: JSONCounts, units: [JSONCounts]
        var quorum: Quorum, audit: JSONAudit, audit_chain_head: String
    }

    /// Pretty, key-sorted JSON: the session, every delegate, totals, per-delegation counts, the quorum and the audit
    /// chain's verdict.
    public func json(time: SiteTime) -> String {
        let report = JSONReport(
            session: JSONSession(id: session.id, name: session.name, quorum_rule: session.quorumRule.description,
                                 opened_at: time.iso8601(session.openedAt), closed_at: session.closedAt.map(time.iso8601)),
            generated_at: time.iso8601(generatedAt),
            delegates: rows.map {
                JSONRow(delegate_id: $0.delegateID, name: $0.name, unit: $0.unit, seat: $0.seat, status: $0.status.rawValue,
                        first_seen: $0.firstSeen.map(time.iso8601), left_at: $0.leftAt.map(time.iso8601), gate: $0.gate,
                        distance: $0.distance, method: $0.method?.rawValue, note: $0.note)
            },
            totals: JSONCounts(totals), units: units.map(JSONCounts.init), quorum: quorum,
            audit: JSONAudit(intact: audit.isIntact, checked: audit.checked, broken_link: audit.brokenLink, problem: audit.problem,
                             head: audit.headHash),
            audit_chain_head: chainHead)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // swiftlint:disable:next force_try
        return String(decoding: try! encoder.encode(report), as: UTF8.self) + "\n"
    }
}
