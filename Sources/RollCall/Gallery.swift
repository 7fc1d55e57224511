/// Every enrolled template in one contiguous row-major `[Float]` matrix, rows grouped by delegate (under
/// `TemplateFusion.mean`, one row per delegate: the mean of their templates).
///
/// Grouping by delegate lets the matcher take each delegate's best distance in the same pass that computes the
/// distances, without a per-probe scratch buffer. Embeddings are expected unit-norm (the engine normalises them);
/// `init` re-normalises anyway, because a cosine over non-unit vectors is not a cosine.
public struct Gallery: Sendable {
    /// Length of every embedding.
    public let dimension: Int
    /// Delegate ids, in order of first appearance among the templates.
    public let delegateIDs: [String]
    /// Row range of delegate `i` is `rowStart[i] ..< rowStart[i + 1]`.
    let rowStart: [Int]
    /// `templateCount × dimension` floats.
    let matrix: [Float]
    /// The same rows quantised to int8 for the matcher's coarse pass (see `QuantizedRows`).
    let quantized: QuantizedRows
    /// Per-template impostor mean and standard deviation of distances, when computed (template Z-norm).
    private(set) var impostorMean: [Float]?
    private(set) var impostorStd: [Float]?

    /// Number of template rows the matcher compares with (one per delegate under `TemplateFusion.mean`).
    public var templateCount: Int { rowStart.last ?? 0 }
    /// Number of templates the gallery was built from, before any fusion (what was enrolled).
    public let enrolledTemplateCount: Int
    /// Number of delegates with at least one template.
    public var delegateCount: Int { delegateIDs.count }

    /// Builds a gallery.
    ///
    /// - Parameters:
    ///   - dimension: Length every embedding must have.
    ///   - templates: Pairs of delegate id and embedding, in any order; several per delegate allowed.
    ///   - fusion: What a delegate's several templates become: kept apart (`best`) or one centroid (`mean`).
    /// - Throws: `MatcherError` when an embedding has the wrong length or is all zeros.
    public init(dimension: Int, templates: [(delegateID: String, embedding: [Float])],
                fusion: TemplateFusion = .best) throws {
        precondition(dimension > 0, "dimension must be positive")
        var order: [String] = []
        var rowsByDelegate: [String: [[Float]]] = [:]
        for (delegateID, embedding) in templates {
            guard embedding.count == dimension else {
                throw MatcherError.dimensionMismatch(delegateID: delegateID, expected: dimension, got: embedding.count)
            }
            let norm = (embedding.reduce(0) { $0 + $1 * $1 }).squareRoot()
            guard norm > 0, norm.isFinite else { throw MatcherError.degenerateEmbedding(delegateID: delegateID) }
            if rowsByDelegate[delegateID] == nil { order.append(delegateID) }
            rowsByDelegate[delegateID, default: []].append(embedding.map { $0 / norm })
        }
        var matrix: [Float] = []
        matrix.reserveCapacity(templates.count * dimension)
        var starts = [0]
        for id in order {
            let rows = rowsByDelegate[id]!
            if fusion == .mean, rows.count > 1, let centroid = Self.centroid(rows) {
                matrix.append(contentsOf: centroid)
            } else {
                for row in rows { matrix.append(contentsOf: row) }
            }
            starts.append(matrix.count / dimension)
        }
        self.dimension = dimension
        self.enrolledTemplateCount = templates.count
        self.delegateIDs = order
        self.rowStart = starts
        self.matrix = matrix
        self.quantized = QuantizedRows(matrix, dimension: dimension)
    }

    /// The re-normalised mean of unit rows, or nil when they cancel out (photos pointing in opposite directions
    /// have no common direction; such a delegate keeps its templates apart rather than get an arbitrary one).
    static func centroid(_ rows: [[Float]]) -> [Float]? {
        var sum = [Float](repeating: 0, count: rows[0].count)
        for row in rows { for i in sum.indices { sum[i] += row[i] } }
        let norm = (sum.reduce(0) { $0 + $1 * $1 }).squareRoot()
        guard norm > 1e-3 * Float(rows.count), norm.isFinite else { return nil }
        return sum.map { $0 / norm }
    }

    /// An empty gallery.
    public static func empty(dimension: Int) -> Gallery {
        // swiftlint:disable:next force_try
        try! Gallery(dimension: dimension, templates: [])
    }

    /// This gallery with per-template impostor statistics, for `ScoreNormalization.templateZNorm`.
    ///
    /// For each template, the mean and standard deviation of its distances to a deterministic sample of at most
    /// `cohortSize` templates of *other* delegates. Cost: `templateCount × cohortSize` dot products, done once.
    public func withImpostorStatistics(cohortSize: Int = 256) -> Gallery {
        precondition(cohortSize > 1, "cohortSize must exceed 1")
        var copy = self
        let n = templateCount
        var owner = [Int](repeating: 0, count: n)
        for d in 0..<delegateCount { for r in rowStart[d]..<rowStart[d + 1] { owner[r] = d } }
        var means = [Float](repeating: 0, count: n), stds = [Float](repeating: 1, count: n)
        let step = max(1, n / cohortSize)
        matrix.withUnsafeBufferPointer { m in
            let base = m.baseAddress!
            for t in 0..<n {
                var sum: Float = 0, sumSquares: Float = 0, count: Float = 0
                var c = (t * 7919) % step   // a different offset per template, so cohorts are not all identical
                while c < n {
                    if owner[c] != owner[t] {
                        let d = 1 - Matcher.dot(base + t * dimension, base + c * dimension, dimension)
                        sum += d; sumSquares += d * d; count += 1
                    }
                    c += step
                }
                guard count > 1 else { continue }
                let mean = sum / count
                means[t] = mean
                stds[t] = max(((sumSquares / count) - mean * mean).squareRoot(), 1e-4)
            }
        }
        copy.impostorMean = means
        copy.impostorStd = stds
        return copy
    }
}

/// Errors building a gallery.
public struct MatcherError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public static func dimensionMismatch(delegateID: String, expected: Int, got: Int) -> Self {
        Self(description: "delegate \(delegateID): template has \(got) dimensions, the gallery \(expected)")
    }
    public static func degenerateEmbedding(delegateID: String) -> Self {
        Self(description: "delegate \(delegateID): template is all zeros or not finite")
    }
}
