import FaceEngine
import Foundation
import RollCall

/// What the pipeline concluded about a track.
public enum PipelineEvent: Sendable {
    /// K agreeing observations in one track named this delegate.
    case confirmed(Recognition)
    /// A track ended with enough observations, none of them agreeing on a delegate.
    case unknown(trackID: Int, observations: Int, firstSeen: Date)
}

/// A confirmed delegate and the evidence.
public struct Recognition: Sendable {
    public var delegateID: String
    public var trackID: Int
    /// Best accepted distance in the track.
    public var distance: Float
    /// Wall-clock capture time of the track's first frame (what attendance records as arrival).
    public var firstSeen: Date
    /// Monotonic capture time of the track's first frame (for latency).
    public var firstInstant: ContinuousClock.Instant
    /// The best face crop, only when the operator asked for face images to be kept.
    public var crop: Image?
}

/// Detect on a downscaled frame → track → embed the best frame of each track now and then → match → confirm after K
/// agreeing observations.
///
/// Not thread-safe: one gate's processing thread owns it. The engine it calls is shared and thread-safe.
public final class RecognitionPipeline: @unchecked Sendable {
    public let engine: FaceEngine
    /// Where the current matcher is read from, once per batch (a `TemplateReloader` may swap it at any time).
    public let matcherHolder: MatcherHolder
    /// The matcher in use now.
    public var matcher: Matcher { matcherHolder.matcher }
    public let configuration: PipelineConfiguration
    private let metrics: PipelineMetrics?
    private let keepCrops: Bool
    private var tracker: FaceTracker
    private var states: [Int: TrackState] = [:]

    private struct Candidate {
        var image: Image
        var face: Face
        var quality: Float
    }

    private struct TrackState {
        var confirmation: TrackConfirmation
        var embeddings = 0
        var lastEmbedFrame = Int.min
        var pending: Candidate?
        var firstSeen: Date
        var firstInstant: ContinuousClock.Instant
        var lastCrop: Candidate?
    }

    /// - Parameters:
    ///   - matcher: the holder whose current matcher each batch of embeddings is matched against.
    ///   - keepCrops: attach the best face crop to each event (only for an operator's explicit flag).
    public init(engine: FaceEngine, matcher: MatcherHolder, configuration: PipelineConfiguration, metrics: PipelineMetrics? = nil,
                keepCrops: Bool = false) {
        self.engine = engine
        self.matcherHolder = matcher
        self.configuration = configuration
        self.metrics = metrics
        self.keepCrops = keepCrops
        var trackerConfiguration = FaceTracker.Configuration()
        trackerConfiguration.maximumMisses = configuration.trackMaximumMisses
        tracker = FaceTracker(configuration: trackerConfiguration)
    }

    /// Open tracks (for tests and the dashboard).
    public var openTracks: Int { tracker.tracks.count }

    /// Processes one frame and returns what it concluded.
    public func process(_ frame: Frame) throws -> [PipelineEvent] {
        let clock = ContinuousClock()
        let start = clock.now
        metrics?.frames.increment()
        let faces = try engine.detect(frame.image, maxWidth: configuration.detectionWidth)
        let detected = clock.now
        metrics?.detectSeconds.record(detected - start)
        metrics?.faces.increment(by: Int64(faces.count))

        let (ids, closed) = tracker.update(frame: frame.index, boxes: faces.map(\.box))
        var batch: [(trackID: Int, candidate: Candidate)] = []
        for (face, id) in zip(faces, ids) {
            var state = states[id] ?? TrackState(confirmation: TrackConfirmation(required: configuration.confirmations),
                                                 firstSeen: frame.capturedAt, firstInstant: frame.instant)
            defer { states[id] = state }
            guard state.confirmation.confirmed == nil else { continue }   // a confirmed track needs no more work
            if let quality = quality(of: face, in: frame.image), quality > (state.pending?.quality ?? 0) {
                state.pending = Candidate(image: frame.image, face: face, quality: quality)
            }
            let interval = state.embeddings < configuration.embeddingsPerTrack ? configuration.embedEvery : configuration.embedEvery * 5
            guard let pending = state.pending, state.embeddings == 0 || frame.index - state.lastEmbedFrame >= interval else { continue }
            batch.append((id, pending))
            state.pending = nil
            state.embeddings += 1
            state.lastEmbedFrame = frame.index
            if keepCrops { state.lastCrop = pending }
        }

        var events: [PipelineEvent] = []
        if !batch.isEmpty {
            let embeddings = try engine.embed(faces: batch.map { ($0.candidate.image, $0.candidate.face) })
            let embedded = clock.now
            metrics?.embedSeconds.record(embedded - detected)
            metrics?.embeddings.increment(by: Int64(batch.count))
            let matcher = matcherHolder.matcher   // one matcher for the whole batch, even if a reload swaps it meanwhile
            for (item, embedding) in zip(batch, embeddings) {
                let result = matcher.match(embedding.vector)
                if result.delegateID != nil { metrics?.recognitions.increment() }
                guard var state = states[item.trackID] else { continue }
                if let id = state.confirmation.record(result) {
                    events.append(.confirmed(Recognition(
                        delegateID: id, trackID: item.trackID, distance: state.confirmation.bestDistance[id] ?? result.distance ?? 0,
                        firstSeen: state.firstSeen, firstInstant: state.firstInstant,
                        crop: keepCrops ? try? item.candidate.image.crop(around: item.candidate.face) : nil)))
                    state.pending = nil
                }
                states[item.trackID] = state
            }
            metrics?.matchSeconds.record(clock.now - embedded)
        }
        events += close(closed)
        metrics?.frameSeconds.record(clock.now - start)
        return events
    }

    /// Ends every open track (end of stream or reconnect) and reports the unknown ones.
    public func finish() -> [PipelineEvent] {
        close(tracker.closeAll())
    }

    private func close(_ tracks: [FaceTracker.Track]) -> [PipelineEvent] {
        var events: [PipelineEvent] = []
        for track in tracks {
            guard let state = states.removeValue(forKey: track.id) else { continue }
            // Enough looks and no agreement: a stranger (or someone the camera never saw well). Too brief a track
            // proves nothing either way and is not counted.
            if state.confirmation.confirmed == nil && state.confirmation.observations >= configuration.confirmations {
                metrics?.unknowns.increment()
                events.append(.unknown(trackID: track.id, observations: state.confirmation.observations, firstSeen: state.firstSeen))
            }
        }
        return events
    }

    /// How good a frame of this face is for embedding; `nil` when it is not worth embedding at all (too small, or cut
    /// by the frame's edge, where alignment would sample outside the picture).
    private func quality(of face: Face, in image: Image) -> Float? {
        let side = min(face.box.width, face.box.height)
        guard side >= configuration.minimumFaceSize else { return nil }
        let inset = side * 0.05
        guard face.box.x >= -inset, face.box.y >= -inset,
              face.box.x + face.box.width <= Float(image.width) + inset,
              face.box.y + face.box.height <= Float(image.height) + inset else { return nil }
        // Larger and more confidently detected faces embed better; size stops mattering past ~112 px (the chip size).
        return face.score * min(1, side / 112)
    }
}
