/// Metrics of 1:1 verification from scored pairs. A score is a distance: lower means more alike.
/// A pair whose distance is `nil` (a face was missing) counts as a non-match at every threshold.
public enum VerificationMetrics {
    public struct Pair: Sendable {
        public var distance: Float?
        public var same: Bool
        public init(distance: Float?, same: Bool) { self.distance = distance; self.same = same }
    }

    public struct KFoldResult: Sendable, Codable, Equatable {
        public var accuracies: [Double]
        public var thresholds: [Float]
        public var mean: Double
        /// Population standard deviation over folds, as LFW results are usually reported.
        public var std: Double
    }

    /// Accuracy at one threshold: genuine pairs below it and impostor pairs at or above it are right.
    public static func accuracy(_ pairs: ArraySlice<Pair>, threshold: Float) -> Double {
        guard !pairs.isEmpty else { return 0 }
        var right = 0
        for p in pairs {
            let accepted = p.distance.map { $0 < threshold } ?? false
            if accepted == p.same { right += 1 }
        }
        return Double(right) / Double(pairs.count)
    }

    /// The threshold that maximises accuracy on `pairs`: the midpoint between two neighbouring distances.
    public static func bestThreshold(_ pairs: [Pair]) -> Float {
        let scored = pairs.compactMap { p in p.distance.map { ($0, p.same) } }.sorted { $0.0 < $1.0 }
        guard !scored.isEmpty else { return 0 }
        let impostorsTotal = pairs.filter { !$0.same }.count
        // Sweep: at a threshold just above scored[i], pairs 0...i are accepted.
        var genuineAccepted = 0, impostorAccepted = 0
        var bestRight = impostorsTotal  // threshold below everything: all impostors right, no genuine
        var best = scored[0].0 - 1e-4
        for i in scored.indices {
            if scored[i].1 { genuineAccepted += 1 } else { impostorAccepted += 1 }
            if i + 1 < scored.count && scored[i + 1].0 == scored[i].0 { continue }
            let right = genuineAccepted + (impostorsTotal - impostorAccepted)
            if right > bestRight {
                bestRight = right
                best = i + 1 < scored.count ? (scored[i].0 + scored[i + 1].0) / 2 : scored[i].0 + 1e-4
            }
        }
        return best
    }

    /// Accuracy by k-fold cross-validation over consecutive folds (LFW's protocol: the threshold is
    /// chosen on k−1 folds and applied to the held-out one).
    public static func kFold(_ pairs: [Pair], folds k: Int = 10) -> KFoldResult {
        precondition(k >= 2 && pairs.count >= k, "need at least one pair per fold")
        let size = pairs.count / k
        var accuracies: [Double] = []
        var thresholds: [Float] = []
        for fold in 0..<k {
            let start = fold * size
            let end = fold == k - 1 ? pairs.count : start + size
            let train = Array(pairs[..<start]) + Array(pairs[end...])
            let t = bestThreshold(train)
            thresholds.append(t)
            accuracies.append(accuracy(pairs[start..<end], threshold: t))
        }
        let mean = accuracies.reduce(0, +) / Double(k)
        let variance = accuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(k)
        return KFoldResult(accuracies: accuracies, thresholds: thresholds, mean: mean, std: variance.squareRoot())
    }

    public struct OperatingPoint: Sendable, Codable, Equatable {
        public var threshold: Float
        public var tar: Double
        public var far: Double
    }

    /// True accept rate at the largest threshold whose false accept rate does not exceed `far`.
    public static func tar(atFAR far: Double, _ pairs: [Pair]) -> OperatingPoint {
        let impostors = pairs.filter { !$0.same }.compactMap(\.distance).sorted()
        let impostorCount = pairs.filter { !$0.same }.count
        let allowed = Int((far * Double(impostorCount)).rounded(.down))
        // Accept below t: at most `allowed` impostors may lie below t.
        return point(at: allowed < impostors.count ? impostors[allowed] : .infinity, pairs)
    }

    /// True and false accept rates at one threshold (a pair is accepted when its distance is below it; a pair
    /// without a distance never is).
    public static func point(at threshold: Float, _ pairs: [Pair]) -> OperatingPoint {
        let genuine = pairs.filter(\.same), impostors = pairs.filter { !$0.same }
        func accepted(_ list: [Pair]) -> Int { list.filter { $0.distance.map { $0 < threshold } ?? false }.count }
        return OperatingPoint(threshold: threshold,
                              tar: genuine.isEmpty ? 0 : Double(accepted(genuine)) / Double(genuine.count),
                              far: impostors.isEmpty ? 0 : Double(accepted(impostors)) / Double(impostors.count))
    }

    /// Points of the DET curve (false non-match rate against false match rate), one per distinct threshold.
    public static func detCurve(_ pairs: [Pair]) -> [(fmr: Double, fnmr: Double, threshold: Float)] {
        let genuineCount = pairs.filter(\.same).count
        let impostorCount = pairs.count - genuineCount
        guard genuineCount > 0, impostorCount > 0 else { return [] }
        let scored = pairs.compactMap { p in p.distance.map { ($0, p.same) } }.sorted { $0.0 < $1.0 }
        var points: [(Double, Double, Float)] = []
        var genuineAccepted = 0, impostorAccepted = 0
        for i in scored.indices {
            if scored[i].1 { genuineAccepted += 1 } else { impostorAccepted += 1 }
            if i + 1 < scored.count && scored[i + 1].0 == scored[i].0 { continue }
            points.append((Double(impostorAccepted) / Double(impostorCount),
                           Double(genuineCount - genuineAccepted) / Double(genuineCount), scored[i].0))
        }
        return points.map { (fmr: $0.0, fnmr: $0.1, threshold: $0.2) }
    }
}
