/// A face descriptor, L2-normalised, so that cosine similarity is a dot product.
public struct Embedding: Sendable, Codable, Equatable {
    public let vector: [Float]

    /// Normalises `raw` to unit length (a zero vector stays zero).
    public init(raw: [Float]) {
        var norm: Float = 0
        for v in raw { norm += v * v }
        norm = norm.squareRoot()
        vector = norm > 0 ? raw.map { $0 / norm } : raw
    }

    /// Wraps a vector that is already unit length (e.g. read back from the store).
    public init(normalized: [Float]) { vector = normalized }

    /// 1 − cosine similarity: 0 for identical directions, 2 for opposite; lower means more alike.
    public func distance(to other: Embedding) -> Float {
        precondition(vector.count == other.vector.count, "embeddings of different dimensions")
        var dot: Float = 0
        for i in vector.indices { dot += vector[i] * other.vector[i] }
        return 1 - dot
    }

    /// The normalised mean of several embeddings (e.g. a chip and its mirror image).
    public static func mean(_ embeddings: [Embedding]) -> Embedding {
        guard let first = embeddings.first else { return Embedding(normalized: []) }
        var sum = [Float](repeating: 0, count: first.vector.count)
        for e in embeddings { for i in sum.indices { sum[i] += e.vector[i] } }
        return Embedding(raw: sum)
    }
}
