import Foundation

/// What a site's own roster says about its operating point, with no labels: a roster is, by construction, a set of
/// different people, so the distances between delegates are the site's own impostor distribution — the faces a
/// stranger at the door is compared with are exactly these.
///
/// - A stranger is falsely checked in when some delegate is closer than the threshold. With `F(T)` the share of
///   delegate pairs closer than `T`, a stranger compared with `n` delegates is falsely accepted with probability
///   `1 − (1 − F(T))ⁿ` (each comparison a fresh draw from the roster's impostor distances).
/// - `F` is read from the pairs where enough of them lie below `T`, and beyond that from a normal fitted to the
///   lower tail of the pair distances in probit space (rates of one in a thousand strangers need pairs rarer than
///   a roster of a few hundred has).
/// - Delegates enrolled from two or more photos give the genuine side: the share of their photo pairs farther apart
///   than `T` estimates how often a delegate would be missed by a single still.
public struct RosterCalibration: Sendable {
    /// Distances between every two delegates (the closest of their templates), sorted.
    public let impostorDistances: [Float]
    /// Distances between two photos of one delegate, sorted (empty when every delegate has one photo).
    public let genuineDistances: [Float]
    /// Delegates compared.
    public let delegates: Int
    /// The lower tail's normal fit (mean and standard deviation of the pair distance, in distance units).
    public let tail: (mean: Double, deviation: Double)?

    /// Below this many pairs under a threshold, the tail fit is used instead of counting.
    static let fewestCounted = 20

    /// - Parameters:
    ///   - gallery: the matcher's gallery (one row per delegate under mean fusion, several under best).
    ///   - templates: every template as enrolled, for the genuine side.
    public init(gallery: Gallery, templates: [(delegateID: String, embedding: [Float])]) {
        let n = gallery.delegateCount
        delegates = n
        var pairs: [Float] = []
        pairs.reserveCapacity(max(0, n * (n - 1) / 2))
        let d = gallery.dimension
        gallery.matrix.withUnsafeBufferPointer { m in
            let base = m.baseAddress!
            for a in 0..<n {
                for b in (a + 1)..<max(a + 1, n) {
                    var best = Float.infinity
                    for ra in gallery.rowStart[a]..<gallery.rowStart[a + 1] {
                        for rb in gallery.rowStart[b]..<gallery.rowStart[b + 1] {
                            best = min(best, 1 - Matcher.dot(base + ra * d, base + rb * d, d))
                        }
                    }
                    pairs.append(best)
                }
            }
        }
        pairs.sort()
        impostorDistances = pairs
        var byDelegate: [String: [[Float]]] = [:]
        for t in templates { byDelegate[t.delegateID, default: []].append(Self.normalized(t.embedding)) }
        var genuine: [Float] = []
        for rows in byDelegate.values where rows.count > 1 {
            for i in rows.indices { for j in (i + 1)..<rows.count { genuine.append(1 - zip(rows[i], rows[j]).map(*).reduce(0, +)) } }
        }
        genuineDistances = genuine.sorted()
        tail = Self.fitTail(pairs)
    }

    /// Share of delegate pairs closer than `threshold`.
    public func impostorRate(below threshold: Float) -> Double {
        let counted = Self.countBelow(threshold, in: impostorDistances)
        if counted >= Self.fewestCounted || tail == nil { return Double(counted) / Double(max(1, impostorDistances.count)) }
        let (mean, deviation) = tail!
        return Self.normalCDF((Double(threshold) - mean) / deviation)
    }

    /// Expected false check-ins per 1,000 strangers at `threshold`.
    public func falseCheckInsPerThousand(at threshold: Float) -> Double {
        let f = impostorRate(below: threshold)
        return 1000 * (1 - pow(1 - f, Double(delegates)))
    }

    /// The largest threshold whose expected false check-ins per 1,000 strangers do not exceed `target`.
    public func threshold(forFalseCheckInsPerThousand target: Double) -> Float {
        var lo: Float = 0, hi: Float = 2
        for _ in 0..<40 {
            let mid = (lo + hi) / 2
            if falseCheckInsPerThousand(at: mid) <= target { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Share of one delegate's photo pairs at or beyond `threshold` (how often a still of a delegate would be
    /// missed), `nil` without delegates of several photos.
    public func genuineMissRate(at threshold: Float) -> Double? {
        guard !genuineDistances.isEmpty else { return nil }
        return 1 - Double(Self.countBelow(threshold, in: genuineDistances)) / Double(genuineDistances.count)
    }

    // MARK: - Statistics

    static func countBelow(_ threshold: Float, in sorted: [Float]) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < threshold { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Least-squares line through (Φ⁻¹(q), q-quantile of the distances) for q in the lower tail (0.1 %…5 %): the
    /// mean and deviation of the normal that matches the tail; `nil` with too few pairs.
    static func fitTail(_ sorted: [Float]) -> (mean: Double, deviation: Double)? {
        let quantiles = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05].filter { $0 * Double(sorted.count) >= 5 }
        guard quantiles.count >= 3 else { return nil }
        let points = quantiles.map { q in (z: probit(q), d: Double(sorted[Int(q * Double(sorted.count - 1))])) }
        let n = Double(points.count)
        let mz = points.map(\.z).reduce(0, +) / n, md = points.map(\.d).reduce(0, +) / n
        let szz = points.map { ($0.z - mz) * ($0.z - mz) }.reduce(0, +)
        let szd = points.map { ($0.z - mz) * ($0.d - md) }.reduce(0, +)
        guard szz > 0, szd > 0 else { return nil }
        let deviation = szd / szz
        return (md - deviation * mz, deviation)
    }

    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.squareRoot()) }

    /// Φ⁻¹(p) by bisection on `normalCDF` (called a handful of times; precision 1e-10).
    static func probit(_ p: Double) -> Double {
        var lo = -10.0, hi = 10.0
        for _ in 0..<80 {
            let mid = (lo + hi) / 2
            if normalCDF(mid) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    static func normalized(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return n > 0 ? v.map { $0 / n } : v
    }
}
