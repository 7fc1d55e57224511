import Foundation
import Texts

/// A check-in as the dashboard, the greeting screen and `/api/events` see it. Times are ISO 8601 with the site's
/// offset (`SiteTime.iso8601`), as in every machine output.
public struct CheckInEvent: Sendable, Codable, Equatable {
    public var sessionID: Int64
    public var delegateID: String
    public var name: String
    public var unit: String?
    public var seat: String?
    public var gate: String
    /// Best match distance (1 − cosine) in the confirming track.
    public var distance: Double
    /// When the delegate was first seen on this pass.
    public var firstSeen: String
    /// When the record was committed.
    public var recordedAt: String
    /// Delegates present now after this check-in.
    public var present: Int
    /// Delegates on the roster.
    public var expected: Int

    public init(sessionID: Int64, delegateID: String, name: String, unit: String?, seat: String?, gate: String, distance: Double,
                firstSeen: String, recordedAt: String, present: Int, expected: Int) {
        self.sessionID = sessionID; self.delegateID = delegateID; self.name = name; self.unit = unit; self.seat = seat
        self.gate = gate; self.distance = distance; self.firstSeen = firstSeen; self.recordedAt = recordedAt
        self.present = present; self.expected = expected
    }

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id", delegateID = "delegate_id", name, unit, seat, gate, distance
        case firstSeen = "first_seen", recordedAt = "recorded_at", present, expected
    }
}
