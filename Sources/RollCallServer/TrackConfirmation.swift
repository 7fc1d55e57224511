import RollCall

/// Decides who a track is from the match results of its embedded frames.
///
/// - A delegate is confirmed once `required` observations of the track were accepted as that delegate **and** they
///   outnumber the observations accepted as any other delegates together, so a track that keeps flipping between two
///   people confirms neither.
/// - Rejections (no delegate close enough) neither count for nor against: a head turned away or a blurred frame says
///   nothing about who it is. A stranger is kept out by needing K accepted matches to one delegate within one track.
/// - Once confirmed, the decision is final for the track.
public struct TrackConfirmation: Sendable, Equatable {
    /// Agreeing observations needed (K).
    public let required: Int
    /// Accepted observations per delegate.
    public private(set) var votes: [String: Int] = [:]
    /// Observations that matched nobody (above threshold, ambiguous, empty gallery).
    public private(set) var rejections = 0
    /// Best (smallest) accepted distance per delegate.
    public private(set) var bestDistance: [String: Float] = [:]
    /// The confirmed delegate, once there is one.
    public private(set) var confirmed: String?

    public init(required: Int) {
        precondition(required > 0, "required must be positive")
        self.required = required
    }

    /// Observations recorded so far.
    public var observations: Int { rejections + votes.values.reduce(0, +) }

    /// Adds one match result. Returns the delegate id when this observation confirms them.
    public mutating func record(_ result: MatchResult) -> String? {
        record(accepted: result.delegateID, distance: result.distance)
    }

    /// Adds one observation: the delegate the matcher accepted and the distance, or `nil` when it accepted nobody.
    public mutating func record(accepted delegateID: String?, distance: Float?) -> String? {
        guard confirmed == nil else { return nil }
        guard let id = delegateID, let distance else {
            rejections += 1
            return nil
        }
        votes[id, default: 0] += 1
        bestDistance[id] = min(bestDistance[id] ?? .infinity, distance)
        let mine = votes[id]!
        let others = votes.values.reduce(0, +) - mine
        if mine >= required && mine > others {
            confirmed = id
            return id
        }
        return nil
    }
}
