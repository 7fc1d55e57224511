import Foundation

/// A check-in as the dashboard and `/api/events` see it.
public struct CheckInEvent: Sendable, Codable, Equatable {
    public var sessionID: Int64
    public var delegateID: String
    public var name: String
    public var unit: String?
    public var gate: String
    /// Best match distance (1 − cosine) in the confirming track.
    public var distance: Double
    /// When the delegate was first seen (ISO 8601 with milliseconds).
    public var firstSeen: String
    /// When the record was committed (ISO 8601 with milliseconds).
    public var recordedAt: String
    /// Delegates present after this check-in.
    public var present: Int
    /// Delegates on the roster.
    public var expected: Int

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id", delegateID = "delegate_id", name, unit, gate, distance
        case firstSeen = "first_seen", recordedAt = "recorded_at", present, expected
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
