import Documents
import Foundation
import Mustache
import RollCall
import Texts

/// The secretariat's live page, rendered on the server: counts, quorum, gates, counts per delegation, the latest
/// check-ins, who is not here, and every delegate with a search box.
///
/// The first paint is complete without any script (it prints, and a browser with scripts off shows the same data);
/// the page's small script then follows `/api/events` and, on each check-in and every 10 s, replaces the live part with
/// `/dashboard/live` — the same template, rendered again — and filters the list as the user types. The search also
/// works without script, as a plain form (`?q=`). A `?token=` in the address is passed on to every request and link.
enum Dashboard {
    static let templates = Templates.library(in: .module)

    /// Check-ins listed under "latest".
    static let latestCount = 12

    /// - Parameter suspectedPhotos: delegates whose check-in the gate flagged as a photo held up to the camera.
    static func render(report: AttendanceReport, gates: [GateHealth], usher: [UsherDesk.Case] = [], suspectedPhotos: Set<String> = [],
                       presentation: Presentation,
                       query: String, token: String?, fragment: Bool) -> String {
        let context = ReportContext(report, presentation)
        let texts = presentation.texts
        var values = context.common
        let totals = report.totals, quorum = report.quorum
        values["title"] = texts["dashboard.title"]
        values["present"] = totals.present
        values["expected"] = totals.expected
        values["arrivedLine"] = texts.format("dashboard.arrived", ["arrived": "\(totals.arrived)", "left": "\(totals.left)"])
        values["fillPercent"] = percent(totals.present, of: totals.expected)
        values["markPercent"] = percent(quorum.required, of: totals.expected)
        values["needs"] = texts.format("quorum.needs", ["required": "\(quorum.required)", "expected": "\(quorum.expected)",
                                                         "rule": quorum.rule.text(texts)])
        values["verdict"] = texts[quorum.isMet ? "quorum.met" : "quorum.not_met"]
        values["sessionClosed"] = report.session.closedAt != nil
        values["updated"] = texts.format("dashboard.updated", ["time": presentation.time.clock(report.generatedAt)])
        values["gates"] = gates.map { gate(context: context, $0, token: token) }
        values["gateProblem"] = gates.contains(where: \.isProblem)

        let arrivals = report.rows.filter { $0.firstSeen != nil && $0.status != .absent }
            .sorted { $0.firstSeen! > $1.firstSeen! }.prefix(latestCount)
        values["latest"] = arrivals.map { row -> [String: Any] in
            var item = context.row(row, number: 0)
            item["how"] = row.gate.map { texts.format("greeting.gate", ["gate": $0]) } ?? item["method"]
            item["suspectedPhoto"] = suspectedPhotos.contains(row.delegateID)
            return item
        }
        let numbered = report.rows.enumerated().map { (row: $1, number: $0 + 1) }
        values["notHere"] = numbered.filter { $0.row.status != .present }.map { context.row($0.row, number: $0.number) }
        values["notHereCount"] = totals.expected - totals.present
        let folded = RosterColumn.fold(query)
        let shown = numbered.filter { folded.isEmpty || RosterColumn.fold(
            [$0.row.delegateID, $0.row.name, $0.row.unit ?? "", $0.row.seat ?? ""].joined(separator: " ")).contains(folded) }
        values["delegates"] = shown.map { context.row($0.row, number: $0.number) }
        values["query"] = query
        if !folded.isEmpty {
            values["searchResults"] = texts.format("dashboard.search_results", ["shown": "\(shown.count)", "total": "\(report.rows.count)",
                                                                                "query": query])
        }
        let suffix = token.map { "&token=" + (($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)) ?? "") } ?? ""
        values["links"] = [
            "signIn": "/report?document=sign-in&lang=\(presentation.language.rawValue)\(suffix)",
            "absentees": "/report?document=absentees&lang=\(presentation.language.rawValue)\(suffix)",
            "record": "/report?document=record&lang=\(presentation.language.rawValue)\(suffix)",
            "xlsx": "/report?format=xlsx&lang=\(presentation.language.rawValue)\(suffix)",
        ]
        values["usher"] = usherCases(usher, report: report, presentation: presentation, token: token)
        let rows = Dictionary(report.rows.map { ($0.delegateID, $0) }, uniquingKeysWith: { a, _ in a })
        values["suspectedCheckIns"] = suspectedPhotos.sorted().map { id -> [String: Any] in
            ["name": rows[id]?.name ?? id, "unit": rows[id]?.unit ?? ""]
        }
        values["hasSuspected"] = !suspectedPhotos.isEmpty
        values["hasUsher"] = !usher.isEmpty || !suspectedPhotos.isEmpty
        values["token"] = token
        values["timeZone"] = presentation.time.timeZone.identifier
        return Templates.render(fragment ? "dashboard-live" : "dashboard", values, library: templates)
    }

    private static func gate(context: ReportContext, _ gate: GateHealth, token: String?) -> [String: Any] {
        let texts = context.texts
        let seconds = gate.secondsQuiet.map { String(Int($0.rounded())) } ?? "?"
        let state: String
        switch gate.state {
        case .receiving: state = texts["gate.receiving"]
        case .reconnecting: state = texts["gate.reconnecting"]
        case .stalled: state = texts.format("gate.stalled", ["seconds": seconds])
        case .disconnected: state = texts["gate.disconnected"]
        case .starting: state = texts["gate.starting"]
        case .noFrames: state = texts.format("gate.no_frames", ["seconds": seconds])
        case .finished: state = texts["gate.finished"]
        }
        let suffix = token.map { "&token=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? ""
        return [
            "name": gate.name, "state": state, "code": gate.state.rawValue, "problem": gate.isProblem,
            "frames": texts.format("gate.frames", ["frames": "\(gate.statistics.framesProcessed)"]),
            "checkIns": texts.format("gate.check_ins", [:], count: gate.statistics.checkIns),
            "greeting": "/greeting?gate=\(gate.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&lang=\(context.presentation.language.rawValue)\(suffix)",
        ]
    }

    /// The usher's cases: the face from memory, the camera's candidates with their delegation and seat, and whether
    /// each is already present.
    private static func usherCases(_ cases: [UsherDesk.Case], report: AttendanceReport, presentation: Presentation,
                                   token: String?) -> [[String: Any]] {
        let texts = presentation.texts
        let rows = Dictionary(report.rows.map { ($0.delegateID, $0) }, uniquingKeysWith: { a, _ in a })
        let suffix = token.map { "?token=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? ""
        return cases.map { item in
            [
                "id": item.id.uuidString,
                "when": texts.format("dashboard.usher_case", ["gate": item.gate, "time": presentation.time.clock(item.lastSeen)]),
                "face": item.face == nil ? "" : "/api/usher/\(item.id.uuidString)/face.jpg\(suffix)",
                "suspectedPhoto": item.suspectedPhoto,
                "candidates": item.candidates.map { candidate -> [String: Any] in
                    let row = rows[candidate.delegateID]
                    var values: [String: Any] = [
                        "id": candidate.delegateID, "name": row?.name ?? candidate.delegateID,
                        "distance": texts.format("dashboard.usher_distance", ["distance": String(format: "%.2f", candidate.distance)]),
                        "present": row?.status == .present,
                    ]
                    // Absent, not empty: an empty text would still show its section's label.
                    if let unit = row?.unit, !unit.isEmpty { values["unit"] = unit }
                    if let seat = row?.seat, !seat.isEmpty { values["seat"] = seat }
                    return values
                },
            ]
        }
    }

    private static func percent(_ part: Int, of whole: Int) -> String {
        whole > 0 ? String(format: "%.1f", min(100, 100 * Double(part) / Double(whole))) : "0"
    }
}
