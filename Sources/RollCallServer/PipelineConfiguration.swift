/// How the recognition pipeline trades speed against evidence.
public struct PipelineConfiguration: Sendable, Codable, Equatable {
    /// Agreeing observations within one track needed to confirm a delegate (K).
    public var confirmations = 3
    /// Frames wider than this are scaled down as soon as they are read, before they wait in the queue: a 1080p
    /// frame holds 6.2 MB, and five of them per gate are in flight at times. Faces an entrance camera sees stay
    /// larger than the 112-pixel chip at 1,280; sizes below (`minimumFaceSize`, boxes) are in these pixels.
    public var frameMaxWidth = 1280
    /// Frames are scaled down to this width before detection (never up); boxes are mapped back.
    public var detectionWidth = 320
    /// Frames between two embeddings of one track; each embedding uses the best frame seen since the last.
    public var embedEvery = 3
    /// Embeddings per track at `embedEvery`; after that an unconfirmed track is embedded five times less often.
    public var embeddingsPerTrack = 12
    /// Smallest face side, in full-resolution pixels, worth embedding.
    public var minimumFaceSize: Float = 36
    /// Frames waiting between capture and processing; a live source drops the oldest beyond this.
    public var queueCapacity = 3
    /// Tracker settings.
    public var trackMaximumMisses = 8

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case confirmations, frameMaxWidth = "frame_max_width", detectionWidth = "detection_width", embedEvery = "embed_every"
        case embeddingsPerTrack = "embeddings_per_track", minimumFaceSize = "minimum_face_size"
        case queueCapacity = "queue_capacity", trackMaximumMisses = "track_maximum_misses"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PipelineConfiguration()
        confirmations = try c.decodeIfPresent(Int.self, forKey: .confirmations) ?? d.confirmations
        frameMaxWidth = try c.decodeIfPresent(Int.self, forKey: .frameMaxWidth) ?? d.frameMaxWidth
        detectionWidth = try c.decodeIfPresent(Int.self, forKey: .detectionWidth) ?? d.detectionWidth
        embedEvery = try c.decodeIfPresent(Int.self, forKey: .embedEvery) ?? d.embedEvery
        embeddingsPerTrack = try c.decodeIfPresent(Int.self, forKey: .embeddingsPerTrack) ?? d.embeddingsPerTrack
        minimumFaceSize = try c.decodeIfPresent(Float.self, forKey: .minimumFaceSize) ?? d.minimumFaceSize
        queueCapacity = try c.decodeIfPresent(Int.self, forKey: .queueCapacity) ?? d.queueCapacity
        trackMaximumMisses = try c.decodeIfPresent(Int.self, forKey: .trackMaximumMisses) ?? d.trackMaximumMisses
    }

    /// Names the first setting out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ text: String) throws { if !ok { throw ServerError.badConfiguration(text) } }
        try check(confirmations >= 1, "pipeline.confirmations must be at least 1, got \(confirmations)")
        try check(detectionWidth >= 64, "pipeline.detection_width must be at least 64, got \(detectionWidth)")
        try check(frameMaxWidth >= detectionWidth,
                  "pipeline.frame_max_width must be at least detection_width (\(detectionWidth)), got \(frameMaxWidth)")
        try check(embedEvery >= 1, "pipeline.embed_every must be at least 1, got \(embedEvery)")
        try check(embeddingsPerTrack >= confirmations, "pipeline.embeddings_per_track must be at least confirmations (\(confirmations)), got \(embeddingsPerTrack)")
        try check(minimumFaceSize >= 8, "pipeline.minimum_face_size must be at least 8, got \(minimumFaceSize)")
        try check(queueCapacity >= 1, "pipeline.queue_capacity must be at least 1, got \(queueCapacity)")
        try check(trackMaximumMisses >= 0, "pipeline.track_maximum_misses must not be negative, got \(trackMaximumMisses)")
    }
}
