import Testing

@testable import RollCall

/// The matcher's int8 coarse pass must never change what it returns: same candidates, same exact distances, same
/// decision as one float pass over every template.
struct QuantizedMatchTests {
    /// A gallery of `delegates` people with 1–3 templates each, and probes that are noisy copies of some of them
    /// (genuine), of look-alikes between two delegates (hard), or unrelated (strangers).
    private func scenario(dimension: Int, delegates: Int, seed: UInt64) throws -> (Gallery, [[Float]]) {
        var generator = SplitMix64(seed: seed)
        func noisy(_ v: [Float], _ amount: Float) -> [Float] {
            let n = MatcherBenchmark.randomUnitVector(v.count, using: &generator)
            let w = zip(v, n).map { $0 + amount * $1 }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return w.map { $0 / norm }
        }
        let identities = (0..<delegates).map { _ in MatcherBenchmark.randomUnitVector(dimension, using: &generator) }
        var templates: [(delegateID: String, embedding: [Float])] = []
        for (i, identity) in identities.enumerated() {
            for _ in 0...(i % 3) { templates.append(("D\(i)", noisy(identity, 0.6))) }
        }
        var probes: [[Float]] = []
        for i in stride(from: 0, to: delegates, by: max(1, delegates / 40)) {
            probes.append(noisy(identities[i], 0.7))                                                  // genuine
            probes.append(noisy(zip(identities[i], identities[(i + 1) % delegates]).map { $0 + $1 }, 0.1))  // between two
            probes.append(MatcherBenchmark.randomUnitVector(dimension, using: &generator))            // stranger
        }
        return (try Gallery(dimension: dimension, templates: templates), probes)
    }

    @Test(arguments: [(128, 300, 1 as UInt64), (512, 2_000, 2), (256, 50, 3), (37, 500, 4)])
    func twoPassMatchEqualsTheExactScan(dimension: Int, delegates: Int, seed: UInt64) throws {
        let (gallery, probes) = try scenario(dimension: dimension, delegates: delegates, seed: seed)
        let matcher = Matcher(gallery: gallery, configuration: MatcherConfiguration(threshold: 0.6, margin: 0.02, topK: 5))
        for probe in probes {
            let fast = matcher.match(probe), exact = matcher.matchExact(probe)
            #expect(fast == exact)
        }
    }

    @Test func coarseCosinesStayWithinTheirErrorBound() throws {
        let (gallery, probes) = try scenario(dimension: 512, delegates: 200, seed: 9)
        for probe in probes.prefix(20) {
            let (coarse, bound) = gallery.quantized.coarseCosines(probe)
            #expect(bound < 0.05)   // tight enough to prune: the shortlist stays small
            for row in 0..<gallery.templateCount {
                let exact = gallery.matrix.withUnsafeBufferPointer { m in
                    probe.withUnsafeBufferPointer { Matcher.dot(m.baseAddress! + row * 512, $0.baseAddress!, 512) }
                }
                #expect(abs(coarse[row] - exact) <= bound)
            }
        }
    }
}
