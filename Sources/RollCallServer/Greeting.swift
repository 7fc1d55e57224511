import Documents
import Foundation
import RollCall
import Texts

/// The screen facing a gate: on each check-in there, "Kính chào đại biểu", the name, delegation and seat in large
/// type for `seconds`, so the delegate knows they are recorded and the usher sees at a glance that the name belongs
/// to the face; a neutral welcome otherwise.
///
/// Rendered on the server, with the gate's check-ins of the last `seconds` already on it (a reload or a monitor
/// switched on mid-queue shows the current greeting); the page's script then follows `/api/events?gate=…`.
enum Greeting {
    static func render(gate: String, sessionName: String, recent: [CheckInEvent], seconds: Double, presentation: Presentation,
                       token: String?) -> String {
        let texts = presentation.texts
        var values: [String: Any] = [
            "t": texts.tree(), "lang": presentation.language.rawValue, "gate": gate, "sessionName": sessionName,
            "title": texts.format("greeting.title", ["gate": gate]), "gateLine": texts.format("greeting.gate", ["gate": gate]),
            "seconds": Int((seconds * 1000).rounded()), "timeZone": presentation.time.timeZone.identifier,
            "seatWord": texts.format("greeting.seat", ["seat": "{seat}"]), "recordedWord": texts.format("greeting.recorded", ["time": "{time}"]),
            "clock": presentation.time.clock(Date()),
        ]
        values["token"] = token
        if let latest = recent.last {
            var shown: [String: Any] = ["name": latest.name, "nameSize": size(of: latest.name)]
            shown["unit"] = latest.unit
            shown["seat"] = latest.seat.map { texts.format("greeting.seat", ["seat": $0]) }
            let recorded = ISO8601DateFormatter().date(from: latest.firstSeen) ?? Date()
            shown["recorded"] = texts.format("greeting.recorded", ["time": presentation.time.clock(recorded)])
            values["current"] = shown
        }
        return Templates.render("greeting", values, library: Dashboard.templates)
    }

    /// A class that keeps a long name on one or two lines at the largest size that fits.
    static func size(of name: String) -> String {
        switch name.count {
        case ..<18: "xl"
        case ..<26: "l"
        case ..<36: "m"
        default: "s"
        }
    }
}
