/// Settings of the open-set decision.
public struct MatcherConfiguration: Sendable, Codable, Equatable {
    /// A delegate is accepted only if their score is strictly below this. In distance units (1 − cosine) without
    /// normalisation; in σ units with it. Default: SFace's published cosine threshold 0.363 → distance 0.637, to be
    /// recalibrated on LFW's development split.
    public var threshold: Float = 0.637
    /// The second-best *delegate* must score at least this much worse than the best, or the probe is ambiguous.
    public var margin: Float = 0.05
    /// How many candidates to return (at least 2 are always examined for the margin rule).
    public var topK: Int = 5
    /// Score normalisation against the enrolled population.
    public var normalization: ScoreNormalization = .none

    public init(threshold: Float = 0.637, margin: Float = 0.05, topK: Int = 5, normalization: ScoreNormalization = .none) {
        precondition(topK > 0, "topK must be positive")
        self.threshold = threshold
        self.margin = margin
        self.topK = topK
        self.normalization = normalization
    }
}

/// One delegate among the best matches of a probe.
public struct MatchCandidate: Sendable, Equatable, Codable {
    /// The delegate.
    public var delegateID: String
    /// Best distance (1 − cosine) over the delegate's templates.
    public var distance: Float
    /// The score the decision used (equals `distance` without normalisation).
    public var score: Float

    public init(delegateID: String, distance: Float, score: Float) {
        self.delegateID = delegateID
        self.distance = distance
        self.score = score
    }
}

/// The outcome of matching one probe.
public struct MatchResult: Sendable, Equatable {
    /// Why the probe was, or was not, attributed to a delegate.
    public enum Decision: Sendable, Equatable {
        /// The best candidate passed threshold and margin.
        case accepted
        /// The gallery is empty.
        case emptyGallery
        /// The best candidate's score is not below the threshold: probably a stranger.
        case aboveThreshold
        /// The runner-up delegate is closer than the margin: too close to call.
        case ambiguous(runnerUp: String)
    }

    /// The decision.
    public var decision: Decision
    /// The best candidates, best first (at most `topK`).
    public var candidates: [MatchCandidate]

    /// The accepted delegate, if any.
    public var delegateID: String? { decision == .accepted ? candidates.first?.delegateID : nil }
    /// The accepted distance, if any.
    public var distance: Float? { decision == .accepted ? candidates.first?.distance : nil }
}

/// Open-set 1:N matching of a probe embedding against every template of a gallery.
///
/// - A delegate's distance is the best (smallest) 1 − cosine over their gallery rows (their templates, or one mean
///   template: `TemplateFusion`).
/// - Accept only if the best score < threshold **and** the second-best delegate's score ≥ best + margin.
/// - Pure: an int8 coarse pass over every template, then exact SIMD float dot products for the few delegates that
///   can still be among the best (`match`).
public struct Matcher: Sendable {
    /// The enrolled templates.
    public let gallery: Gallery
    /// Decision settings.
    public let configuration: MatcherConfiguration

    /// Creates a matcher; `templateZNorm` computes the gallery's impostor statistics if it lacks them.
    public init(gallery: Gallery, configuration: MatcherConfiguration = MatcherConfiguration()) {
        if configuration.normalization == .templateZNorm && gallery.impostorMean == nil {
            self.gallery = gallery.withImpostorStatistics()
        } else {
            self.gallery = gallery
        }
        self.configuration = configuration
    }

    /// Matches one probe.
    ///
    /// Without score normalisation the gallery is scanned in two passes: int8 coarse cosines over every template
    /// (a quarter of the memory traffic), then exact float distances for the delegates that can still be among the
    /// best `topK`: those whose coarse distance is within twice the quantisation error bound of the k-th best coarse
    /// distance. The candidates, distances and decision are the exact scan's (`matchExact`); only the work differs.
    ///
    /// - Precondition: `probe.count == gallery.dimension`. The probe should be unit-norm (it is not re-normalised
    ///   here, to keep the hot path lean).
    public func match(_ probe: [Float]) -> MatchResult {
        precondition(probe.count == gallery.dimension, "probe has \(probe.count) dimensions, gallery \(gallery.dimension)")
        guard gallery.delegateCount > 0 else { return MatchResult(decision: .emptyGallery, candidates: []) }
        guard configuration.normalization == .none else { return matchExact(probe) }
        let k = max(configuration.topK, 2)
        let (dots, probeScale, bound) = gallery.quantized.coarseDots(probe)
        var coarseTop = TopK(capacity: k)
        let starts = gallery.rowStart
        let coarseBest = [Float](unsafeUninitializedCapacity: gallery.delegateCount) { out, initialized in
            dots.withUnsafeBufferPointer { dot in
                gallery.quantized.scales.withUnsafeBufferPointer { scale in
                    starts.withUnsafeBufferPointer { s in
                        for d in 0..<gallery.delegateCount {
                            var best = Float.infinity
                            for row in s[d]..<s[d + 1] { best = min(best, 1 - Float(dot[row]) * scale[row] * probeScale) }
                            out[d] = best
                            coarseTop.offer(score: best, distance: best, index: d)
                        }
                    }
                }
            }
            initialized = gallery.delegateCount
        }
        // A delegate among the exact top k has exact distance ≤ (k-th coarse + bound), so coarse ≤ k-th + 2·bound.
        let cutoff = (coarseTop.sorted().last?.score ?? .infinity) + 2 * bound
        var top = TopK(capacity: k)
        let dimension = gallery.dimension
        gallery.matrix.withUnsafeBufferPointer { m in
            probe.withUnsafeBufferPointer { p in
                let base = m.baseAddress!, probeBase = p.baseAddress!
                for d in 0..<gallery.delegateCount where coarseBest[d] <= cutoff {
                    var bestDistance = Float.infinity
                    for row in starts[d]..<starts[d + 1] {
                        bestDistance = min(bestDistance, 1 - Matcher.dot(base + row * dimension, probeBase, dimension))
                    }
                    top.offer(score: bestDistance, distance: bestDistance, index: d)
                }
            }
        }
        return result(from: top)
    }

    /// Matches one probe with one exact float pass over every template (score normalisation needs every delegate's
    /// exact distance; `match` uses it then, and tests compare the two).
    public func matchExact(_ probe: [Float]) -> MatchResult {
        precondition(probe.count == gallery.dimension, "probe has \(probe.count) dimensions, gallery \(gallery.dimension)")
        guard gallery.delegateCount > 0 else { return MatchResult(decision: .emptyGallery, candidates: []) }
        let k = max(configuration.topK, 2)
        var top = TopK(capacity: k)
        var sum: Double = 0, sumSquares: Double = 0
        let dimension = gallery.dimension
        let normalization = configuration.normalization
        let means = gallery.impostorMean, stds = gallery.impostorStd
        gallery.matrix.withUnsafeBufferPointer { m in
            probe.withUnsafeBufferPointer { p in
                let base = m.baseAddress!, probeBase = p.baseAddress!
                let starts = gallery.rowStart
                for d in 0..<gallery.delegateCount {
                    var bestScore = Float.infinity, bestDistance = Float.infinity
                    for row in starts[d]..<starts[d + 1] {
                        let distance = 1 - Matcher.dot(base + row * dimension, probeBase, dimension)
                        if normalization == .templateZNorm, let means, let stds {
                            let score = (distance - means[row]) / stds[row]
                            if score < bestScore { bestScore = score; bestDistance = distance }
                        } else if distance < bestDistance {
                            bestDistance = distance; bestScore = distance
                        }
                    }
                    sum += Double(bestDistance); sumSquares += Double(bestDistance) * Double(bestDistance)
                    top.offer(score: bestScore, distance: bestDistance, index: d)
                }
            }
        }
        var zNorm: (mean: Float, std: Float)?
        if normalization == .probeZNorm {
            let n = Double(gallery.delegateCount)
            let mean = sum / n
            zNorm = (Float(mean), Float(max((sumSquares / n - mean * mean).squareRoot(), 1e-4)))
        }
        return result(from: top, probeZNorm: zNorm)
    }

    /// Candidates and decision from the best entries.
    private func result(from top: TopK, probeZNorm: (mean: Float, std: Float)? = nil) -> MatchResult {
        var candidates = top.sorted().map {
            MatchCandidate(delegateID: gallery.delegateIDs[$0.index], distance: $0.distance, score: $0.score)
        }
        if let probeZNorm {
            for i in candidates.indices { candidates[i].score = (candidates[i].distance - probeZNorm.mean) / probeZNorm.std }
        }
        let decision = Matcher.decide(candidates, configuration: configuration)
        return MatchResult(decision: decision, candidates: Array(candidates.prefix(configuration.topK)))
    }

    /// Every delegate's raw best distance and normalised score for `probe`, in gallery order, for calibration
    /// (one pass, no top-k selection, so it stays linear in the gallery size).
    public func scores(_ probe: [Float]) -> [MatchCandidate] {
        precondition(probe.count == gallery.dimension, "probe has \(probe.count) dimensions, gallery \(gallery.dimension)")
        let dimension = gallery.dimension
        var result: [MatchCandidate] = []
        result.reserveCapacity(gallery.delegateCount)
        gallery.matrix.withUnsafeBufferPointer { m in
            probe.withUnsafeBufferPointer { p in
                for d in 0..<gallery.delegateCount {
                    var bestScore = Float.infinity, bestDistance = Float.infinity
                    for row in gallery.rowStart[d]..<gallery.rowStart[d + 1] {
                        let distance = 1 - Matcher.dot(m.baseAddress! + row * dimension, p.baseAddress!, dimension)
                        var score = distance
                        if configuration.normalization == .templateZNorm, let means = gallery.impostorMean, let stds = gallery.impostorStd {
                            score = (distance - means[row]) / stds[row]
                        }
                        if score < bestScore { bestScore = score; bestDistance = distance }
                    }
                    result.append(MatchCandidate(delegateID: gallery.delegateIDs[d], distance: bestDistance, score: bestScore))
                }
            }
        }
        if configuration.normalization == .probeZNorm {
            let z = ScoreNormalization.zNormalized(result.map(\.distance))
            for i in result.indices { result[i].score = z[i] }
        }
        return result
    }

    /// The threshold-and-margin rule on candidates sorted best first.
    public static func decide(_ candidates: [MatchCandidate], configuration: MatcherConfiguration) -> MatchResult.Decision {
        guard let best = candidates.first else { return .emptyGallery }
        guard best.score < configuration.threshold else { return .aboveThreshold }
        if candidates.count > 1, candidates[1].score - best.score < configuration.margin {
            return .ambiguous(runnerUp: candidates[1].delegateID)
        }
        return .accepted
    }

    /// Dot product of two `n`-float vectors, 16 lanes at a time with two independent accumulators.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: (i &+ 8) &* 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: (i &+ 8) &* 4, as: SIMD8<Float>.self)
            i &+= 16
        }
        if i + 8 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            i &+= 8
        }
        var total = (acc0 + acc1).sum()
        while i < n { total += a[i] * b[i]; i &+= 1 }
        return total
    }
}

/// The `capacity` lowest scores seen, kept by insertion into a short sorted array (k is small).
private struct TopK {
    struct Entry { var score: Float; var distance: Float; var index: Int }
    let capacity: Int
    private var entries: [Entry] = []

    init(capacity: Int) {
        self.capacity = capacity
        entries.reserveCapacity(capacity + 1)
    }

    mutating func offer(score: Float, distance: Float, index: Int) {
        if entries.count == capacity, let worst = entries.last, !(score < worst.score) { return }
        var position = entries.count
        while position > 0 && score < entries[position - 1].score { position -= 1 }
        entries.insert(Entry(score: score, distance: distance, index: index), at: position)
        if entries.count > capacity { entries.removeLast() }
    }

    func sorted() -> [Entry] { entries }
}
