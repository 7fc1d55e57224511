import Foundation
import Testing

@testable import RollCall

/// The status rule: arrival, excuses and leaving early.
struct PresenceHistoryTests {
    let t = Date(timeIntervalSince1970: 1_767_225_600)

    func history(arrival: Double?, _ events: [(ManualEventKind, Double)]) -> PresenceHistory.Standing {
        PresenceHistory(arrival: arrival.map { t.addingTimeInterval($0) },
                        events: events.map { .init(kind: $0.0, at: t.addingTimeInterval($0.1), reason: "\($0.0)@\(Int($0.1))") }).standing
    }

    @Test func neverCame() {
        #expect(history(arrival: nil, []).status == .absent)
        #expect(history(arrival: nil, [(.checkout, 10)]) == .init(status: .excused, leftAt: nil, note: "checkout@10"))
    }

    @Test func cameAndStayed() {
        #expect(history(arrival: 5, []) == .init(status: .present, leftAt: nil, note: nil))
        // Excused beforehand, then came after all: present.
        #expect(history(arrival: 50, [(.checkout, 10)]).status == .present)
    }

    @Test func leftEarlyIsShownAtThatTimeAndTheArrivalIsKept() {
        let standing = history(arrival: 5, [(.checkout, 3600)])
        #expect(standing.status == .left && standing.leftAt == t.addingTimeInterval(3600) && standing.note == "checkout@3600")
    }

    @Test func checkedInAgainAfterLeavingIsPresent() {
        #expect(history(arrival: 5, [(.checkout, 100), (.checkin, 200)]) == .init(status: .present, leftAt: nil, note: "checkin@200"))
        #expect(history(arrival: 5, [(.checkout, 100), (.checkin, 200), (.checkout, 300)]).leftAt == t.addingTimeInterval(300))
    }
}
