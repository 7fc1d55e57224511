/// Open-set 1:N identification metrics in NIST's terms (FRVT 1:N): a mated probe's person is enrolled, a
/// non-mated probe's is not.
///
/// - FNIR(T): share of mated probes NOT returned as their own identity with a score below T
///   (missed, rejected, or given to someone else).
/// - FPIR(T): share of non-mated probes returned as anyone with a score below T.
/// A probe's *statistic* is the score the threshold is compared to, or `nil` when the probe can never be
/// accepted (no face found, or the matcher's margin rule refuses it as ambiguous).
public enum IdentificationMetrics {
    public struct Probe: Sendable {
        public var mated: Bool
        /// The best candidate is the probe's own identity (mated probes only).
        public var rank1Correct: Bool
        public var statistic: Float?
        public init(mated: Bool, rank1Correct: Bool, statistic: Float?) {
            self.mated = mated
            self.rank1Correct = rank1Correct
            self.statistic = statistic
        }
    }

    public struct OperatingPoint: Sendable, Codable, Equatable {
        public var threshold: Float
        public var fnir: Double
        public var fpir: Double
    }

    /// The largest threshold whose FPIR does not exceed `fpir`, and the FNIR there.
    public static func fnir(atFPIR fpir: Double, _ probes: [Probe]) -> OperatingPoint {
        let nonMated = probes.filter { !$0.mated }
        let statistics = nonMated.compactMap(\.statistic).sorted()
        let allowed = Int((fpir * Double(nonMated.count)).rounded(.down))
        let threshold: Float = allowed < statistics.count ? statistics[allowed] : .infinity
        return point(at: threshold, probes)
    }

    /// FNIR and FPIR at one threshold.
    public static func point(at threshold: Float, _ probes: [Probe]) -> OperatingPoint {
        let mated = probes.filter(\.mated), nonMated = probes.filter { !$0.mated }
        let hits = mated.filter { $0.rank1Correct && ($0.statistic.map { $0 < threshold } ?? false) }.count
        let falsePositives = nonMated.filter { $0.statistic.map { $0 < threshold } ?? false }.count
        return OperatingPoint(threshold: threshold,
                              fnir: mated.isEmpty ? 0 : 1 - Double(hits) / Double(mated.count),
                              fpir: nonMated.isEmpty ? 0 : Double(falsePositives) / Double(nonMated.count))
    }

    /// Share of mated probes whose best candidate is their own identity, whatever the score.
    public static func rank1(_ probes: [Probe]) -> Double {
        let mated = probes.filter(\.mated)
        return mated.isEmpty ? 0 : Double(mated.filter(\.rank1Correct).count) / Double(mated.count)
    }

    /// The DET curve of identification: FNIR against FPIR, one point per distinct non-mated statistic.
    public static func detCurve(_ probes: [Probe]) -> [OperatingPoint] {
        let thresholds = Set(probes.compactMap(\.statistic)).sorted()
        // Thin to at most ~400 points: the curve is for drawing.
        let step = max(1, thresholds.count / 400)
        return stride(from: 0, to: thresholds.count, by: step).map { point(at: thresholds[$0].nextUp, probes) }
    }
}
