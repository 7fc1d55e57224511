import Foundation
import RollCall
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
    /// Whether the confirming track moved as a flat photo held up to the camera does (`PlanarMotionCue`): `true`
    /// suspected, `false` a real head's motion seen, `nil` (JSON `null`) undecided — too little motion yet to tell. A
    /// flag for the usher, never a refusal; a later `photo_check` event carries the final verdict.
    public var suspectedPhoto: Bool?

    public init(sessionID: Int64, delegateID: String, name: String, unit: String?, seat: String?, gate: String, distance: Double,
                firstSeen: String, recordedAt: String, present: Int, expected: Int, suspectedPhoto: Bool? = nil) {
        self.suspectedPhoto = suspectedPhoto
        self.sessionID = sessionID; self.delegateID = delegateID; self.name = name; self.unit = unit; self.seat = seat
        self.gate = gate; self.distance = distance; self.firstSeen = firstSeen; self.recordedAt = recordedAt
        self.present = present; self.expected = expected
    }

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id", delegateID = "delegate_id", name, unit, seat, gate, distance
        case firstSeen = "first_seen", recordedAt = "recorded_at", present, expected, suspectedPhoto = "suspected_photo"
    }

    /// As synthesised, except that an undecided photo check is written as `null`, not left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(delegateID, forKey: .delegateID)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(unit, forKey: .unit)
        try c.encodeIfPresent(seat, forKey: .seat)
        try c.encode(gate, forKey: .gate)
        try c.encode(distance, forKey: .distance)
        try c.encode(firstSeen, forKey: .firstSeen)
        try c.encode(recordedAt, forKey: .recordedAt)
        try c.encode(present, forKey: .present)
        try c.encode(expected, forKey: .expected)
        try c.encode(suspectedPhoto, forKey: .suspectedPhoto)
    }
}

/// The final photo verdict on a check-in's track (`PhotoCheck`), as `/api/events` sends it (`photo_check`).
public struct PhotoCheckEvent: Sendable, Codable, Equatable {
    public var sessionID: Int64
    public var delegateID: String
    public var gate: String
    /// `true` suspected photo, `false` a real head's motion seen, `nil` (JSON `null`) undecided.
    public var suspectedPhoto: Bool?
    /// Frames judged.
    public var frames: Int

    public init(sessionID: Int64, delegateID: String, gate: String, suspectedPhoto: Bool?, frames: Int) {
        self.sessionID = sessionID; self.delegateID = delegateID; self.gate = gate; self.suspectedPhoto = suspectedPhoto
        self.frames = frames
    }

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id", delegateID = "delegate_id", gate, suspectedPhoto = "suspected_photo", frames
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(delegateID, forKey: .delegateID)
        try c.encode(gate, forKey: .gate)
        try c.encode(suspectedPhoto, forKey: .suspectedPhoto)
        try c.encode(frames, forKey: .frames)
    }
}

extension PlanarMotionCue.Verdict {
    /// `suspected_photo` as the API writes it: true, false, or nil for undecided.
    public var suspectedPhoto: Bool? {
        switch self {
        case .suspectedPhoto: true
        case .bonaFide: false
        case .undecided: nil
        }
    }
}
