import Foundation

/// The roll call of one session, in roster order, ready to render as CSV, JSON or a printable HTML sheet.
public struct AttendanceReport: Sendable, Equatable {
    /// One delegate's line.
    public struct Row: Sendable, Equatable {
        public var delegateID: String
        public var name: String
        public var unit: String?
        public var seat: String?
        public var status: AttendanceStatus
        /// Time of the first confirmed sighting or manual check-in.
        public var firstSeen: Date?
        public var gate: String?
        /// Match distance of the first confirmed sighting (face only).
        public var distance: Double?
        public var method: AttendanceMethod?
        /// Reason of the manual event that explains the status (check-in or excuse), if any.
        public var note: String?

        public init(delegateID: String, name: String, unit: String? = nil, seat: String? = nil, status: AttendanceStatus,
                    firstSeen: Date? = nil, gate: String? = nil, distance: Double? = nil, method: AttendanceMethod? = nil,
                    note: String? = nil) {
            self.delegateID = delegateID; self.name = name; self.unit = unit; self.seat = seat; self.status = status
            self.firstSeen = firstSeen; self.gate = gate; self.distance = distance; self.method = method; self.note = note
        }
    }

    public var session: SessionInfo
    /// Roster order.
    public var rows: [Row]
    /// When the report was made.
    public var generatedAt: Date
    /// Audit chain head hash at report time, printed so a signed sheet anchors the chain.
    public var chainHead: String

    public init(session: SessionInfo, rows: [Row], generatedAt: Date, chainHead: String) {
        self.session = session; self.rows = rows; self.generatedAt = generatedAt; self.chainHead = chainHead
    }

    /// Count of rows with `status`.
    public func count(_ status: AttendanceStatus) -> Int { rows.filter { $0.status == status }.count }

    /// Quorum: present against the roster under the session's fraction.
    public var quorum: Quorum { Quorum(expected: rows.count, present: count(.present), fraction: session.quorum) }

    /// "Totals: 3 present, 1 absent, 1 excused, 5 expected".
    public var totalsLine: String {
        "Totals: \(count(.present)) present, \(count(.absent)) absent, \(count(.excused)) excused, \(rows.count) expected"
    }
}

/// Output formats of `rollcall report`.
public enum ReportFormat: String, Sendable, CaseIterable, Codable {
    case csv, json, html
}

extension AttendanceReport {
    /// Renders the report; times are written in ISO 8601 with the offset of `timeZone`.
    public func rendered(as format: ReportFormat, timeZone: TimeZone = .current) -> String {
        switch format {
        case .csv: csv(timeZone: timeZone)
        case .json: json(timeZone: timeZone)
        case .html: html(timeZone: timeZone)
        }
    }

    /// ISO 8601 with an explicit numeric offset, e.g. `2026-05-01T08:30:12+07:00` (never `Z`, for the secretariat's
    /// spreadsheets).
    public static func iso8601(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = (abs(offset) % 3600) / 60
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d%@%02d:%02d",
                      c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, sign, hours, minutes)
    }

    private static func distanceText(_ distance: Double?) -> String {
        distance.map { String(format: "%.4f", $0) } ?? ""
    }

    // MARK: - CSV

    /// RFC 4180 CSV with a header; text cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) get a
    /// leading `'`. Totals and quorum follow a blank line as `#` comment lines.
    private func csv(timeZone: TimeZone) -> String {
        func cell(_ text: String?, text isText: Bool = true) -> String {
            var value = text ?? ""
            if isText, let first = value.first, "=+-@".contains(first) { value = "'" + value }
            if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                value = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return value
        }
        var lines = ["delegate_id,name,unit,status,first_seen,gate,distance,method"]
        for row in rows {
            lines.append([
                cell(row.delegateID), cell(row.name), cell(row.unit), row.status.rawValue,
                row.firstSeen.map { Self.iso8601($0, timeZone: timeZone) } ?? "", cell(row.gate),
                Self.distanceText(row.distance), row.method?.rawValue ?? "",
            ].joined(separator: ","))
        }
        lines.append("")
        lines.append("# Session \(session.id): \(session.name.replacingOccurrences(of: "\n", with: " "))")
        lines.append("# " + totalsLine)
        lines.append("# " + quorum.line)
        lines.append("# Audit chain head: \(chainHead)")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: - JSON

    private struct JSONRow: Encodable {
        var delegate_id: String, name: String, unit: String?, seat: String?, status: String
        var first_seen: String?, gate: String?, distance: Double?, method: String?, note: String?
    }
    private struct JSONSession: Encodable {
        var id: Int64, name: String, quorum: Double, opened_at: String, closed_at: String?
    }
    private struct JSONTotals: Encodable { var present: Int, absent: Int, excused: Int, expected: Int }
    private struct JSONReport: Encodable {
        var session: JSONSession, generated_at: String, delegates: [JSONRow], totals: JSONTotals, quorum: Quorum
        var audit_chain_head: String
    }

    private func json(timeZone: TimeZone) -> String {
        let iso = { (date: Date) in Self.iso8601(date, timeZone: timeZone) }
        let report = JSONReport(
            session: JSONSession(id: session.id, name: session.name, quorum: session.quorum,
                                 opened_at: iso(session.openedAt), closed_at: session.closedAt.map(iso)),
            generated_at: iso(generatedAt),
            delegates: rows.map {
                JSONRow(delegate_id: $0.delegateID, name: $0.name, unit: $0.unit, seat: $0.seat, status: $0.status.rawValue,
                        first_seen: $0.firstSeen.map(iso), gate: $0.gate, distance: $0.distance, method: $0.method?.rawValue,
                        note: $0.note)
            },
            totals: JSONTotals(present: count(.present), absent: count(.absent), excused: count(.excused), expected: rows.count),
            quorum: quorum, audit_chain_head: chainHead)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // swiftlint:disable:next force_try
        return String(decoding: try! encoder.encode(report), as: UTF8.self) + "\n"
    }

    // MARK: - HTML

    /// Escapes text for HTML element content and quoted attribute values.
    public static func htmlEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A printable sign-in sheet: one A4 table in roster order with a blank signature column.
    private func html(timeZone: TimeZone) -> String {
        let e = Self.htmlEscaped
        let iso = { (date: Date) in Self.iso8601(date, timeZone: timeZone) }
        var body = ""
        for (index, row) in rows.enumerated() {
            body += """
                <tr class="\(row.status.rawValue)"><td>\(index + 1)</td><td>\(e(row.delegateID))</td><td>\(e(row.name))</td>\
                <td>\(e(row.unit ?? ""))</td><td>\(e(row.seat ?? ""))</td><td>\(row.status.rawValue)</td>\
                <td>\(e(row.firstSeen.map(iso) ?? ""))</td><td>\(e(row.gate ?? ""))</td><td>\(Self.distanceText(row.distance))</td>\
                <td>\(row.method?.rawValue ?? "")</td><td class="sign"></td></tr>

                """
        }
        return """
            <!DOCTYPE html>
            <html lang="vi">
            <head>
            <meta charset="utf-8">
            <title>\(e(session.name)) — sign-in sheet</title>
            <style>
            body { font-family: "Times New Roman", serif; margin: 1.5cm; }
            h1 { font-size: 16pt; margin: 0 0 0.2em; }
            p { margin: 0.2em 0; }
            table { border-collapse: collapse; width: 100%; font-size: 10pt; margin-top: 0.8em; }
            th, td { border: 1px solid #000; padding: 3px 5px; text-align: left; }
            thead { display: table-header-group; }
            tr { page-break-inside: avoid; }
            td.sign { width: 18%; }
            tr.absent td, tr.excused td { color: #444; }
            .footer { font-size: 8pt; margin-top: 1em; word-break: break-all; }
            @page { size: A4; margin: 1.5cm; }
            </style>
            </head>
            <body>
            <h1>\(e(session.name))</h1>
            <p>Session \(session.id), opened \(e(iso(session.openedAt)))\(session.closedAt.map { ", closed " + e(iso($0)) } ?? "")</p>
            <p>\(e(totalsLine))</p>
            <p><strong>\(e(quorum.line))</strong></p>
            <table>
            <thead><tr><th>#</th><th>ID</th><th>Name</th><th>Unit</th><th>Seat</th><th>Status</th><th>First seen</th><th>Gate</th><th>Distance</th><th>Method</th><th>Signature</th></tr></thead>
            <tbody>
            \(body)</tbody>
            </table>
            <p class="footer">Generated \(e(iso(generatedAt))). Audit chain head: \(e(chainHead))</p>
            </body>
            </html>

            """
    }
}
