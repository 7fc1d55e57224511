import RollCall

/// How the recognition pipeline trades speed against evidence.
public struct PipelineConfiguration: Sendable, Codable, Equatable {
    /// Embeddings of one track fused before it may be decided (K). One frame can be a lucky likeness; K frames
    /// averaged rarely are.
    public var confirmations = 3
    /// A track's best views (by quality) fused into its probe: as a walker comes nearer, the early, small views give
    /// way to the larger ones.
    public var fusedViews = 5
    /// Frames wider than this are scaled down as soon as they are read, before they wait in the queue: a 1080p
    /// frame holds 6.2 MB, and five of them per gate are in flight at times. Sizes below (`minimumFaceSize`, boxes)
    /// are in these pixels.
    public var frameMaxWidth = 1280
    /// Width frames are scaled down to before detection (never up); `nil`, the default, derives it from
    /// `minimumFaceSize` (see `detectionWidth(forFrameWidth:)`).
    public var detectionWidth: Int?
    /// Frames between two embeddings of a track not yet decided.
    public var embedEvery = 2
    /// Frames between two embeddings of a decided track: it is still looked at, so that when another person steps
    /// into its place the track is split and that person is recognised in turn.
    public var verifyEvery = 6
    /// Smallest face side, in full-resolution pixels, the gate must see: faces smaller are not embedded, and the
    /// detection size is chosen so that faces this small are still found.
    public var minimumFaceSize: Float = 36
    /// Find each embedded face's landmarks again at full resolution (`FaceEngine.embed(faces:refine:)`).
    public var refineLandmarks = true
    /// A new embedding farther than this (1 − cosine) from its track's fused face splits the track: someone else
    /// stepped into it. `nil`, the default, takes the pack's same-person (verify) threshold.
    public var splitDistance: Float?
    /// Frames waiting between capture and processing; a live source drops the oldest beyond this.
    public var queueCapacity = 3
    /// Tracker settings.
    public var trackMaximumMisses = 8
    /// The photo cue's window and thresholds (measured, not configurable from a file).
    public var photoCue = PlanarMotionCue.Configuration()

    /// The detector's smallest reliably found face, in pixels of its own input (YuNet's finest anchors are 8 px
    /// apart; measured in BENCHMARKS.md "Detection size").
    public static let detectorSmallestFace: Float = 20

    public init() {}

    /// The keys a configuration file may use (the serve configuration refuses others, naming the near one).
    public static let keys: [String] = CodingKeys.allCases.map(\.stringValue)

    /// The width frames of `frameWidth` are scaled to for detection: `detectionWidth` when set, else the width at
    /// which a face of `minimumFaceSize` is `detectorSmallestFace` pixels, in steps of 32 (never above the frame).
    public func detectionWidth(forFrameWidth frameWidth: Int) -> Int {
        if let detectionWidth { return min(frameWidth, detectionWidth) }
        let scale = min(1, Self.detectorSmallestFace / minimumFaceSize)
        let width = Int((Float(frameWidth) * scale / 32).rounded(.up)) * 32
        return min(frameWidth, max(64, width))
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case confirmations, fusedViews = "fused_views", frameMaxWidth = "frame_max_width", detectionWidth = "detection_width", embedEvery = "embed_every"
        case verifyEvery = "verify_every", minimumFaceSize = "minimum_face_size", refineLandmarks = "refine_landmarks"
        case splitDistance = "split_distance", queueCapacity = "queue_capacity", trackMaximumMisses = "track_maximum_misses"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PipelineConfiguration()
        confirmations = try c.decodeIfPresent(Int.self, forKey: .confirmations) ?? d.confirmations
        fusedViews = try c.decodeIfPresent(Int.self, forKey: .fusedViews) ?? d.fusedViews
        frameMaxWidth = try c.decodeIfPresent(Int.self, forKey: .frameMaxWidth) ?? d.frameMaxWidth
        detectionWidth = try c.decodeIfPresent(Int.self, forKey: .detectionWidth)
        embedEvery = try c.decodeIfPresent(Int.self, forKey: .embedEvery) ?? d.embedEvery
        verifyEvery = try c.decodeIfPresent(Int.self, forKey: .verifyEvery) ?? d.verifyEvery
        minimumFaceSize = try c.decodeIfPresent(Float.self, forKey: .minimumFaceSize) ?? d.minimumFaceSize
        refineLandmarks = try c.decodeIfPresent(Bool.self, forKey: .refineLandmarks) ?? d.refineLandmarks
        splitDistance = try c.decodeIfPresent(Float.self, forKey: .splitDistance)
        queueCapacity = try c.decodeIfPresent(Int.self, forKey: .queueCapacity) ?? d.queueCapacity
        trackMaximumMisses = try c.decodeIfPresent(Int.self, forKey: .trackMaximumMisses) ?? d.trackMaximumMisses
    }

    /// Names the first setting out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ text: String) throws { if !ok { throw RecognitionError.badConfiguration(text) } }
        try check(confirmations >= 1, "pipeline.confirmations must be at least 1, got \(confirmations)")
        try check(fusedViews >= confirmations, "pipeline.fused_views must be at least confirmations (\(confirmations)), got \(fusedViews)")
        if let detectionWidth {
            try check(detectionWidth >= 64, "pipeline.detection_width must be at least 64, got \(detectionWidth)")
            try check(frameMaxWidth >= detectionWidth,
                      "pipeline.frame_max_width must be at least detection_width (\(detectionWidth)), got \(frameMaxWidth)")
        }
        try check(frameMaxWidth >= 64, "pipeline.frame_max_width must be at least 64, got \(frameMaxWidth)")
        try check(embedEvery >= 1, "pipeline.embed_every must be at least 1, got \(embedEvery)")
        try check(verifyEvery >= 1, "pipeline.verify_every must be at least 1, got \(verifyEvery)")
        try check(minimumFaceSize >= 8, "pipeline.minimum_face_size must be at least 8, got \(minimumFaceSize)")
        if let splitDistance {
            try check((0...2).contains(splitDistance), "pipeline.split_distance must lie in 0...2, got \(splitDistance)")
        }
        try check(queueCapacity >= 1, "pipeline.queue_capacity must be at least 1, got \(queueCapacity)")
        try check(trackMaximumMisses >= 0, "pipeline.track_maximum_misses must not be negative, got \(trackMaximumMisses)")
    }
}
