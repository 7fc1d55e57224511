/// What one track has shown of its face: the embeddings taken along it, its best views fused into one probe.
///
/// - The probe is the weighted mean of the `capacity` best unit embeddings by weight (the frame's quality), *not*
///   re-normalised: its dot product with a unit template is the weighted mean of those frames' cosines, so the
///   matcher's distance to each delegate is the track's mean distance to them over its best views. A stranger's
///   lucky frame is outweighed by the rest; a delegate whose frames hover around the threshold is judged on all of
///   them; and as a walker comes nearer, the early, small views give way to the larger ones.
/// - `distance(to:)` says how unlike the track's face a new embedding is (1 − cosine to the probe's direction): the
///   appearance check that splits a track when another person steps into it.
public struct TrackEvidence: Sendable, Equatable {
    /// Best views kept and fused.
    public let capacity: Int
    /// Embeddings added so far (kept or not).
    public private(set) var count = 0
    private var kept: [View] = []

    private struct View: Sendable, Equatable {
        var embedding: [Float]
        var weight: Float
    }

    public init(capacity: Int = 5) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    /// Adds one unit embedding with its weight (how much a frame of this quality should count; > 0).
    public mutating func add(_ embedding: [Float], weight: Float) {
        precondition(weight > 0, "weight must be positive")
        if let first = kept.first {
            precondition(embedding.count == first.embedding.count,
                         "embedding has \(embedding.count) dimensions, the track \(first.embedding.count)")
        }
        count += 1
        let view = View(embedding: embedding, weight: weight)
        if kept.count < capacity {
            kept.append(view)
        } else if let worst = kept.indices.min(by: { kept[$0].weight < kept[$1].weight }), kept[worst].weight < weight {
            kept[worst] = view
        }
    }

    /// Embeddings fused into the probe.
    public var fused: Int { kept.count }

    /// The fused probe: the weighted mean of the kept embeddings (empty before the first). Its length is below 1 when
    /// they disagree; see the type's documentation for why it is not re-normalised.
    public var probe: [Float] {
        guard let first = kept.first else { return [] }
        var sum = [Float](repeating: 0, count: first.embedding.count)
        var total: Float = 0
        for view in kept {
            for i in sum.indices { sum[i] += view.weight * view.embedding[i] }
            total += view.weight
        }
        return sum.map { $0 / total }
    }

    /// 1 − cosine between `embedding` and the direction of the probe; 0 when the track has no evidence yet.
    public func distance(to embedding: [Float]) -> Float {
        let probe = self.probe
        guard !probe.isEmpty else { return 0 }
        var dot: Float = 0, norm: Float = 0
        for i in probe.indices {
            dot += probe[i] * embedding[i]
            norm += probe[i] * probe[i]
        }
        guard norm > 0 else { return 1 }
        return 1 - dot / norm.squareRoot()
    }
}
