/// How raw distances (1 − cosine) are turned into the scores that the threshold and margin apply to.
///
/// - `none`: score = distance. Threshold and margin are in distance units.
/// - `probeZNorm`: per probe, score = (distance − μ) / σ, where μ and σ are the mean and standard deviation of the
///   probe's best distances to *every* enrolled delegate. The ranking is unchanged; the effective threshold adapts to
///   probes that are close to everyone (bad light, a face that resembles many). Threshold and margin are in σ units,
///   so a good match scores well below zero (e.g. −4).
/// - `templateZNorm`: per template, score = (distance − μₜ) / σₜ with the template's impostor statistics against a
///   cohort of other delegates' templates (computed once, `Gallery.withImpostorStatistics`). Corrects templates that
///   sit close to many others. Threshold and margin are in σ units. The delegate's score is the best over templates.
public enum ScoreNormalization: String, Sendable, Codable, CaseIterable {
    case none
    case probeZNorm = "probe-znorm"
    case templateZNorm = "template-znorm"

    /// Z-normalises `distances` by their own mean and standard deviation (the `probeZNorm` rule), as a pure function
    /// the calibration can run on any score list.
    public static func zNormalized(_ distances: [Float]) -> [Float] {
        guard distances.count > 1 else { return distances.map { _ in 0 } }
        let (mean, std) = meanAndStd(distances)
        return distances.map { ($0 - mean) / std }
    }

    /// Mean and (population) standard deviation, the latter floored at 1e-4 so a degenerate gallery cannot divide by 0.
    public static func meanAndStd(_ values: [Float]) -> (mean: Float, std: Float) {
        var sum: Double = 0, sumSquares: Double = 0
        for v in values { sum += Double(v); sumSquares += Double(v) * Double(v) }
        let n = Double(max(values.count, 1))
        let mean = sum / n
        return (Float(mean), Float(max((sumSquares / n - mean * mean).squareRoot(), 1e-4)))
    }
}
