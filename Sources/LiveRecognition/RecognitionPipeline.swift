import FaceEngine
import Foundation
import RollCall

/// One gate's recognition: detect on a scaled-down frame → track → embed the faces that need it (landmarks found
/// again at full resolution) → split a track whose face changed → fuse a track's embeddings and decide on them.
///
/// - A track is decided on all it has shown, not on single frames: its embeddings are averaged into one probe
///   (`TrackEvidence`) and matched with the pack's open-set rule once at least `confirmations` of them are in.
/// - A decided track is still looked at every `verifyEvery` frames, and any track whose box moved unsteadily
///   (`FaceTracker.Assignment.steady`) is embedded at once: an embedding unlike the track's face splits it, so the next
///   person in a queue, stepping where the last one stood, starts a track of their own instead of inheriting a name.
/// - A track that ends undecided after `confirmations` embeddings is reported as unresolved, with its best candidates
///   and its best view (in memory), for the usher.
///
/// - Every usable frame of a track, until `PlanarMotionCue.Configuration.window` of them, gives its landmarks (found
///   again at full resolution when small, as for embedding) to the track's `PlanarMotionCue`: a check-in carries the
///   cue's verdict so far, and once the window is full, or the track ends, the final verdict on a confirmed track is
///   reported once (`FrameOutcome.photoChecks`). A flag for the usher, never a refusal (BENCHMARKS.md, "Photos held
///   up to the camera").
///
/// Not thread-safe: one gate's processing thread owns it. The engine it calls is shared and thread-safe.
public final class RecognitionPipeline: @unchecked Sendable {
    public let engine: FaceEngine
    /// Where the current matcher is read from, once per batch (a `TemplateReloader` may swap it at any time).
    public let matcherHolder: MatcherHolder
    public let configuration: PipelineConfiguration
    /// Distance above which an embedding splits its track.
    public let splitDistance: Float
    private let keepCrops: Bool
    private var tracker: FaceTracker
    private var states: [Int: TrackState] = [:]

    private struct TrackState {
        var evidence: TrackEvidence
        var decided: (delegateID: String, distance: Float)?
        var lastEmbedFrame = Int.min
        var firstSeen: Date
        var firstInstant: ContinuousClock.Instant
        var lastSeen: Date
        var candidates: [MatchCandidate] = []
        /// The best view so far, cut small as soon as it is the best (a track never holds a whole frame).
        var bestCrop: Image?
        var bestQuality: Float = 0
        /// The face's look in its latest frame (`Self.signature`).
        var signature: [Float] = []
        /// Whether the face moves as a flat photo does.
        var cue: PlanarMotionCue
        /// The final verdict of a confirmed track was reported (with its check-in or after).
        var photoChecked = false

        init(at frame: Frame, views: Int, cue: PlanarMotionCue.Configuration) {
            evidence = TrackEvidence(capacity: views)
            self.cue = PlanarMotionCue(configuration: cue)
            firstSeen = frame.capturedAt
            firstInstant = frame.instant
            lastSeen = frame.capturedAt
        }
    }

    /// - Parameters:
    ///   - matcher: the holder whose current matcher each batch of embeddings is matched against.
    ///   - keepCrops: attach the best face crop to each confirmation (only for an operator's explicit flag).
    public init(engine: FaceEngine, matcher: MatcherHolder, configuration: PipelineConfiguration, keepCrops: Bool = false) {
        self.engine = engine
        self.matcherHolder = matcher
        self.configuration = configuration
        self.keepCrops = keepCrops
        splitDistance = configuration.splitDistance ?? engine.thresholds.verify
        var trackerConfiguration = FaceTracker.Configuration()
        trackerConfiguration.maximumMisses = configuration.trackMaximumMisses
        tracker = FaceTracker(configuration: trackerConfiguration)
    }

    /// The matcher in use now.
    public var matcher: Matcher { matcherHolder.matcher }

    /// Processes one frame and returns what it concluded.
    public func process(_ frame: Frame) throws -> FrameOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        var outcome = FrameOutcome()
        let image = frame.image
        let detectionWidth = configuration.detectionWidth(forFrameWidth: image.width)
        let faces = try engine.detect(image, maxWidth: detectionWidth)
        // Faces the detector saw smaller than this get their landmarks found again at full resolution.
        let refineBelow = configuration.refineLandmarks ? Self.refineBelow * Float(image.width) / Float(detectionWidth) : 0
        let detected = clock.now
        outcome.detect = detected - start

        let (assignments, closed) = tracker.update(frame: frame.index, boxes: faces.map { Box($0.box) })
        var batch: [(slot: Int, trackID: Int, quality: Float, steady: Bool)] = []
        // Faces already found again at full resolution for the photo cue, by slot: embedding reuses them.
        var refined: [Int: Face] = [:]
        let matcher = matcherHolder.matcher   // one matcher for the whole frame, even if a reload swaps it meanwhile
        for (slot, (face, assignment)) in zip(faces, assignments).enumerated() {
            var id = assignment.trackID
            var state = states[id] ?? TrackState(at: frame, views: configuration.fusedViews, cue: configuration.photoCue)
            let signature = (try? Self.signature(of: face, in: image)) ?? []
            var lookAlike: Float?
            if !state.signature.isEmpty, !signature.isEmpty {
                lookAlike = zip(signature, state.signature).map { $0 * $1 }.reduce(0, +)
            }
            // A box that moved on smoothly but whose face suddenly looks different may be someone else too.
            let steady = assignment.steady && (lookAlike ?? 1) >= Self.steadyLook
            let quality = quality(of: face, in: image)
            if !assignment.isNew, !steady, quality == nil, let split = tracker.split(id) {
                // Perhaps someone else, and no face fit to check it by (too small, or cut by the edge): better two
                // tracks of one person than one track of two.
                outcome.events += conclude(state, trackID: id, matcher: matcher)
                states[id] = nil
                id = split.newID
                state = TrackState(at: frame, views: configuration.fusedViews, cue: configuration.photoCue)
                outcome.splits += 1
            }
            state.signature = signature
            state.lastSeen = frame.capturedAt
            outcome.faces.append(.init(trackID: id, face: face, embedding: nil, lookAlike: lookAlike))
            if quality != nil, !state.cue.isFull {
                let small = min(face.box.width, face.box.height) < refineBelow
                let seen = small ? ((try? engine.refine(face, in: image)) ?? face) : face
                if small { refined[slot] = seen }
                state.cue.add(seen.landmarks.map { Point(x: Double($0.x), y: Double($0.y)) })
                outcome.faces[slot].cueLandmarks = seen.landmarks
                if let check = photoCheck(&state, trackID: id, ended: false) { outcome.photoChecks.append(check) }
            }
            if let quality {
                if due(state, steady: steady, at: frame.index) {
                    batch.append((slot, id, quality, steady))
                    state.lastEmbedFrame = frame.index
                }
                if quality > state.bestQuality * 1.05 {
                    state.bestCrop = try? image.crop(around: face)
                    state.bestQuality = quality
                }
            }
            states[id] = state
        }

        if !batch.isEmpty {
            let embedded = try engine.embed(faces: batch.map {
                if let face = refined[$0.slot] { return (image, face, false) }
                return (image, faces[$0.slot], min(faces[$0.slot].box.width, faces[$0.slot].box.height) < refineBelow)
            })
            let afterEmbedding = clock.now
            outcome.embed = afterEmbedding - detected
            outcome.embeddings = batch.count
            for (item, result) in zip(batch, embedded) {
                var id = item.trackID
                var state = states[id]!
                let vector = result.embedding.vector
                let distance = state.evidence.count > 0 ? state.evidence.distance(to: vector) : nil
                outcome.faces[item.slot].trackDistance = distance
                // Unlike the track's face beyond the same-person threshold; or, when it also moved or looked unlike
                // its last frame, beyond the distance a check-in would accept as the same person.
                let limit = item.steady ? splitDistance : min(splitDistance, matcher.configuration.threshold)
                if let distance, distance > limit, let split = tracker.split(id) {
                    outcome.faces[item.slot].splitFrom = id
                    // Someone else is where this track's face was: the track ends here, its evidence stays its own.
                    outcome.events += conclude(state, trackID: id, matcher: matcher)
                    states[id] = nil
                    id = split.newID
                    state = TrackState(at: frame, views: configuration.fusedViews, cue: configuration.photoCue)
                    state.bestCrop = try? image.crop(around: result.face)
                    state.bestQuality = item.quality
                    state.lastEmbedFrame = frame.index
                    state.cue.add(result.face.landmarks.map { Point(x: Double($0.x), y: Double($0.y)) })
                    outcome.splits += 1
                }
                outcome.faces[item.slot].trackID = id
                outcome.faces[item.slot].face = result.face
                outcome.faces[item.slot].embedding = vector
                state.evidence.add(vector, weight: item.quality)
                if state.decided == nil && state.evidence.count >= configuration.confirmations {
                    let match = matcher.match(state.evidence.probe)
                    state.candidates = Array(match.candidates.prefix(3))
                    if let delegateID = match.delegateID, let distance = match.distance {
                        state.decided = (delegateID, distance)
                        state.photoChecked = state.cue.isFull
                        outcome.accepted += 1
                        outcome.events.append(.confirmed(Recognition(
                            delegateID: delegateID, trackID: id, distance: distance, observations: state.evidence.count,
                            firstSeen: state.firstSeen, firstInstant: state.firstInstant, decidedAtFrame: frame.index,
                            crop: keepCrops ? state.bestCrop : nil, suspectedPhoto: state.cue.verdict)))
                    }
                }
                states[id] = state
            }
            outcome.match = clock.now - afterEmbedding
        }
        for track in closed {
            if var state = states.removeValue(forKey: track.id) {
                if let check = photoCheck(&state, trackID: track.id, ended: true) { outcome.photoChecks.append(check) }
                outcome.events += conclude(state, trackID: track.id, matcher: matcher)
            }
        }
        outcome.total = clock.now - start
        return outcome
    }

    /// Ends every open track (end of stream or reconnect) and reports the unresolved ones.
    public func finish() -> [PipelineEvent] {
        let matcher = matcherHolder.matcher
        var events: [PipelineEvent] = []
        for track in tracker.closeAll() {
            if let state = states.removeValue(forKey: track.id) { events += conclude(state, trackID: track.id, matcher: matcher) }
        }
        return events
    }

    /// A face's look, cheap enough for every face of every frame: the box scaled to 8 × 8 pixels, each colour channel
    /// centred, the whole made unit length; the dot product of two is their likeness in -1...1.
    static func signature(of face: Face, in image: Image) throws -> [Float] {
        let side = max(face.box.width, face.box.height)
        let small = try image.region(x: face.box.x + face.box.width / 2 - side / 2, y: face.box.y + face.box.height / 2 - side / 2,
                                     side: side, outSide: 8)
        var values = small.bgrBytes().map(Float.init)
        for channel in 0..<3 {
            let indices = stride(from: channel, to: values.count, by: 3)
            let mean = indices.reduce(0) { $0 + values[$1] } / Float(values.count / 3)
            for i in indices { values[i] -= mean }
        }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? values.map { $0 / norm } : []
    }

    /// Likeness (`signature`) to the previous frame below which a face is checked by its embedding at once. On the
    /// development entrance the same person's consecutive frames fall below 0.88 once in a hundred, two different
    /// people's rise above 0.70 once in twenty; a look that misses a change is caught at the next scheduled embedding.
    static let steadyLook: Float = 0.9

    /// Side, in pixels of the detector's input, below which a face's landmarks are found again at full resolution
    /// (measured: BENCHMARKS.md "Landmarks at full resolution").
    static let refineBelow: Float = 64

    /// Open tracks (for tests and the dashboard).
    public var openTracks: Int { tracker.tracks.count }

    /// Whether a track's face in this frame should be embedded: always at its first usable frame and when its box moved
    /// unsteadily (it may be someone else); otherwise every `embedEvery` frames until decided, then every `verifyEvery`.
    private func due(_ state: TrackState, steady: Bool, at frame: Int) -> Bool {
        if state.evidence.count == 0 || !steady { return true }
        let interval = state.decided == nil ? configuration.embedEvery : configuration.verifyEvery
        return frame - state.lastEmbedFrame >= interval
    }

    /// What an ended track leaves: nothing when decided (its confirmation was reported) or when it showed too little
    /// to say anything; else an unresolved track with its closest delegates.
    private func conclude(_ state: TrackState, trackID: Int, matcher: Matcher) -> [PipelineEvent] {
        guard state.decided == nil, state.evidence.count >= configuration.confirmations else { return [] }
        let candidates = state.candidates.isEmpty ? Array(matcher.match(state.evidence.probe).candidates.prefix(3)) : state.candidates
        return [.unresolved(UnresolvedTrack(trackID: trackID, observations: state.evidence.count, firstSeen: state.firstSeen,
                                            lastSeen: state.lastSeen, candidates: candidates, crop: state.bestCrop,
                                            suspectedPhoto: state.cue.verdict))]
    }

    /// The final photo verdict of a confirmed track, once: when its cue's window is full, or when it ends.
    private func photoCheck(_ state: inout TrackState, trackID: Int, ended: Bool) -> PhotoCheck? {
        guard let decided = state.decided, !state.photoChecked, ended || state.cue.isFull else { return nil }
        state.photoChecked = true
        return PhotoCheck(trackID: trackID, delegateID: decided.delegateID, verdict: state.cue.verdict, measure: state.cue.measure)
    }

    /// How good a frame of this face is for embedding, in 0...1; `nil` when it is not worth embedding at all (too
    /// small, or cut by the frame's edge, where alignment would sample outside the picture).
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

extension Box {
    /// The detector's box in the domain's terms.
    init(_ box: Face.Box) {
        self.init(x: Double(box.x), y: Double(box.y), width: Double(box.width), height: Double(box.height))
    }
}
