import FaceEngine
import Foundation
import RollCall

/// What the pipeline concluded about a track.
public enum PipelineEvent: Sendable {
    /// The fused evidence of a track named this delegate.
    case confirmed(Recognition)
    /// A track ended with enough evidence and no delegate: a stranger, or a delegate the camera could not confirm
    /// (the usher sees it, with its best candidates).
    case unresolved(UnresolvedTrack)
}

/// A confirmed delegate and the evidence.
public struct Recognition: Sendable {
    public var delegateID: String
    public var trackID: Int
    /// The track's fused distance to the delegate when it was decided (the mean over its embedded frames).
    public var distance: Float
    /// Embedded frames fused into the decision.
    public var observations: Int
    /// Wall-clock capture time of the track's first frame (what attendance records as arrival).
    public var firstSeen: Date
    /// Monotonic capture time of the track's first frame (for latency).
    public var firstInstant: ContinuousClock.Instant
    /// Index of the frame the decision was made on.
    public var decidedAtFrame: Int
    /// The best face crop, only when the operator asked for face images to be kept.
    public var crop: Image?
    /// Whether the track moved as a flat photo does, on its frames so far (usually `undecided` this early: the final
    /// verdict follows in `FrameOutcome.photoChecks`).
    public var suspectedPhoto: PlanarMotionCue.Verdict

    public init(delegateID: String, trackID: Int, distance: Float, observations: Int, firstSeen: Date,
                firstInstant: ContinuousClock.Instant, decidedAtFrame: Int, crop: Image? = nil,
                suspectedPhoto: PlanarMotionCue.Verdict = .undecided) {
        self.suspectedPhoto = suspectedPhoto
        self.delegateID = delegateID
        self.trackID = trackID
        self.distance = distance
        self.observations = observations
        self.firstSeen = firstSeen
        self.firstInstant = firstInstant
        self.decidedAtFrame = decidedAtFrame
        self.crop = crop
    }
}

/// A track that ended without a decision.
public struct UnresolvedTrack: Sendable {
    public var trackID: Int
    /// Embedded frames fused.
    public var observations: Int
    public var firstSeen: Date
    public var lastSeen: Date
    /// The closest delegates to the fused face, best first (at most three), whatever the threshold said.
    public var candidates: [MatchCandidate]
    /// The best view of the face, kept in memory for the usher (written to disk only with `--save-faces`).
    public var crop: Image?
    /// Whether the track moved as a flat photo does (`PlanarMotionCue`).
    public var suspectedPhoto: PlanarMotionCue.Verdict

    public init(trackID: Int, observations: Int, firstSeen: Date, lastSeen: Date, candidates: [MatchCandidate], crop: Image?,
                suspectedPhoto: PlanarMotionCue.Verdict = .undecided) {
        self.suspectedPhoto = suspectedPhoto
        self.trackID = trackID
        self.observations = observations
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.candidates = candidates
        self.crop = crop
    }
}

/// The final photo verdict on a confirmed track (`PlanarMotionCue`), reported once, after its check-in.
public struct PhotoCheck: Sendable, Equatable {
    public var trackID: Int
    public var delegateID: String
    public var verdict: PlanarMotionCue.Verdict
    /// What the landmarks showed; `nil` with fewer than two usable frames.
    public var measure: PlanarMotionCue.Measure?

    public init(trackID: Int, delegateID: String, verdict: PlanarMotionCue.Verdict, measure: PlanarMotionCue.Measure?) {
        self.trackID = trackID
        self.delegateID = delegateID
        self.verdict = verdict
        self.measure = measure
    }
}

/// Everything one frame gave.
public struct FrameOutcome: Sendable {
    /// One detected face and the track it belongs to after this frame (a split moves a face to a new track).
    public struct TrackedFace: Sendable {
        public var trackID: Int
        public var face: Face
        /// Embedded in this frame.
        public var embedded: Bool { embedding != nil }
        /// The embedding, when embedded in this frame (for evaluations that study the evidence).
        public var embedding: [Float]?
        /// How alike the face looks to its track's face in the previous frame it was seen in (-1...1).
        public var lookAlike: Float?
        /// When embedded: the embedding's distance to the fused face of the track it arrived in, and that track's id
        /// when the distance split it (so `trackID` is the new track's).
        public var trackDistance: Float?
        public var splitFrom: Int?
        /// The landmarks given to the track's photo cue in this frame (full resolution), when it took some.
        public var cueLandmarks: [Face.Point]?
    }

    public var events: [PipelineEvent] = []
    /// Final photo verdicts on confirmed tracks, each reported once.
    public var photoChecks: [PhotoCheck] = []
    public var faces: [TrackedFace] = []
    /// Faces embedded in this frame.
    public var embeddings = 0
    /// Embedded faces the matcher accepted as a delegate on the fused evidence.
    public var accepted = 0
    /// Tracks split because another face appeared in them.
    public var splits = 0
    /// Time spent detecting, embedding (with landmark refinement), matching, and in all.
    public var detect: Duration = .zero, embed: Duration = .zero, match: Duration = .zero, total: Duration = .zero
}
