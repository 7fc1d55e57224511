import Foundation

/// One recognition at a gate, as the gate hands it to storage.
///
/// - `id` is made by the gate when it sees the face, so a write that is retried (a lost reply, a replay after a
///   crash) lands once: storage keeps the first row with an id and ignores the rest.
/// - `delegateID` is `nil` for a face the gate could not name; such a sighting is logged, never confirmed.
public struct Sighting: Sendable, Equatable {
    public var id: UUID
    public var sessionID: Int64
    public var delegateID: String?
    /// The gate or camera name.
    public var gate: String
    /// The match distance, when there was a candidate.
    public var distance: Float?
    /// When the face was first seen.
    public var seenAt: Date

    public init(id: UUID = UUID(), sessionID: Int64, delegateID: String?, gate: String, distance: Float?, seenAt: Date) {
        self.id = id; self.sessionID = sessionID; self.delegateID = delegateID; self.gate = gate; self.distance = distance
        self.seenAt = seenAt
    }
}

/// What storage made of one confirmed sighting, decided in the transaction that wrote it.
public struct Confirmation: Sendable, Equatable {
    /// Whether this sighting checked the delegate in (the first confirmed sighting in the session, from any gate).
    /// A retry of that same sighting answers `true` again, so a gate that lost the reply still announces it.
    public var checkedIn: Bool
    /// The session's quorum right after the write, from counts.
    public var quorum: Quorum

    public init(checkedIn: Bool, quorum: Quorum) { self.checkedIn = checkedIn; self.quorum = quorum }
}
