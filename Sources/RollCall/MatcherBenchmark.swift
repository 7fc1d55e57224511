import Foundation

/// Times `Matcher.match` on random unit-vector galleries, for `rollcall bench`.
public enum MatcherBenchmark {
    /// Timings for one gallery size.
    public struct Result: Sendable, Codable, Equatable {
        /// Templates in the gallery (one per delegate).
        public var templates: Int
        /// Embedding length.
        public var dimension: Int
        /// Probes timed.
        public var probes: Int
        /// Median time per probe, milliseconds.
        public var medianMilliseconds: Double
        /// 95th percentile per probe, milliseconds.
        public var p95Milliseconds: Double
    }

    /// Runs the benchmark.
    ///
    /// - Parameters:
    ///   - sizes: Gallery sizes; default the 1,000 and 42,000.
    ///   - dimension: Embedding length (SFace: 128).
    ///   - probes: Probes timed per size (after 10 warm-up probes).
    ///   - normalization: Scoring rule to time.
    ///   - seed: Random seed, so runs are comparable.
    public static func run(
        sizes: [Int] = [1_000, 42_000], dimension: Int = 128, probes: Int = 200,
        normalization: ScoreNormalization = .none, seed: UInt64 = 42
    ) -> [Result] {
        var generator = SplitMix64(seed: seed)
        return sizes.map { size in
            let templates = (0..<size).map { ("D\($0)", randomUnitVector(dimension, using: &generator)) }
            // swiftlint:disable:next force_try
            let gallery = try! Gallery(dimension: dimension, templates: templates)
            let matcher = Matcher(gallery: gallery, configuration: MatcherConfiguration(normalization: normalization))
            let probeVectors = (0..<(probes + 10)).map { _ in randomUnitVector(dimension, using: &generator) }
            let clock = ContinuousClock()
            var sink = 0
            var times: [Double] = []
            for (i, probe) in probeVectors.enumerated() {
                let start = clock.now
                let result = matcher.match(probe)
                let elapsed = clock.now - start
                sink &+= result.candidates.count
                if i >= 10 {
                    let (seconds, attoseconds) = elapsed.components
                    times.append(Double(seconds) * 1e3 + Double(attoseconds) / 1e15)
                }
            }
            precondition(sink > 0)
            times.sort()
            return Result(
                templates: size, dimension: dimension, probes: probes,
                medianMilliseconds: times[times.count / 2], p95Milliseconds: times[min(times.count - 1, times.count * 95 / 100)])
        }
    }

    /// A random unit vector (Gaussian components, normalised).
    public static func randomUnitVector(_ dimension: Int, using generator: inout some RandomNumberGenerator) -> [Float] {
        var v = (0..<dimension).map { _ -> Float in
            // Box–Muller; the uniform is kept away from 0 so the log is finite.
            let u1 = Float.random(in: Float.ulpOfOne..<1, using: &generator), u2 = Float.random(in: 0..<1, using: &generator)
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for i in v.indices { v[i] /= norm }
        return v
    }
}

/// A small seedable generator (SplitMix64), so benchmarks and tests are repeatable.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
