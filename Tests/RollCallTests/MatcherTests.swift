import Testing

@testable import RollCall

struct MatcherTests {
    /// A unit vector along axis `i`, optionally tilted towards axis `j` by `t`.
    private func vector(_ i: Int, towards j: Int? = nil, by t: Float = 0, dimension: Int = 8) -> [Float] {
        var v = [Float](repeating: 0, count: dimension)
        v[i] = 1
        if let j { v[j] = t }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / norm }
    }

    private func gallery(_ templates: [(String, [Float])], dimension: Int = 8) throws -> Gallery {
        try Gallery(dimension: dimension, templates: templates.map { (delegateID: $0.0, embedding: $0.1) })
    }

    @Test func acceptsClosestDelegateUnderThresholdWithMargin() throws {
        let g = try gallery([("A", vector(0)), ("B", vector(1)), ("C", vector(2))])
        let result = Matcher(gallery: g, configuration: .init(threshold: 0.3, margin: 0.1)).match(vector(0, towards: 3, by: 0.2))
        #expect(result.decision == .accepted)
        #expect(result.delegateID == "A")
        #expect(result.candidates.map(\.delegateID).first == "A")
        #expect(abs(result.candidates[0].distance - (1 - 1 / (1.04 as Float).squareRoot())) < 1e-5)
    }

    @Test func rejectsStrangerAboveThreshold() throws {
        let g = try gallery([("A", vector(0)), ("B", vector(1))])
        let result = Matcher(gallery: g, configuration: .init(threshold: 0.3, margin: 0.1)).match(vector(5))
        #expect(result.decision == .aboveThreshold)
        #expect(result.delegateID == nil)
        #expect(result.candidates.count == 2)
    }

    @Test func rejectsWhenRunnerUpIsWithinMargin() throws {
        // The probe sits between A and B: both under the threshold, too close to call.
        let g = try gallery([("A", vector(0)), ("B", vector(0, towards: 1, by: 0.3))])
        let probe = vector(0, towards: 1, by: 0.15)
        let result = Matcher(gallery: g, configuration: .init(threshold: 0.3, margin: 0.05)).match(probe)
        #expect(result.decision == .ambiguous(runnerUp: result.candidates[1].delegateID))
        #expect(result.delegateID == nil)
        // The same probe is accepted without a margin.
        #expect(Matcher(gallery: g, configuration: .init(threshold: 0.3, margin: 0)).match(probe).decision == .accepted)
    }

    @Test func marginIsBetweenDelegatesNotTemplates() throws {
        // Two near-identical templates of A must not make A ambiguous with itself.
        let g = try gallery([("A", vector(0)), ("A", vector(0, towards: 1, by: 0.01)), ("B", vector(4))])
        let result = Matcher(gallery: g, configuration: .init(threshold: 0.3, margin: 0.1)).match(vector(0))
        #expect(result.decision == .accepted)
        #expect(result.candidates.map(\.delegateID) == ["A", "B"])
    }

    @Test func delegateDistanceIsBestOverTemplates() throws {
        let g = try gallery([("A", vector(3)), ("B", vector(1)), ("A", vector(0))])
        let result = Matcher(gallery: g, configuration: .init(threshold: 0.3, margin: 0.1)).match(vector(0))
        #expect(result.delegateID == "A")
        #expect(abs(result.candidates[0].distance) < 1e-6)
        #expect(g.templateCount == 3 && g.delegateCount == 2)
    }

    @Test func meanFusionComparesWithTheCentroidOfADelegatesTemplates() throws {
        let templates = [("A", vector(0)), ("B", vector(4)), ("A", vector(1)), ("C", vector(5))]
        let fused = try Gallery(dimension: 8, templates: templates.map { (delegateID: $0.0, embedding: $0.1) }, fusion: .mean)
        #expect(fused.templateCount == 3 && fused.delegateCount == 3)  // A's two photos are one row; B, C untouched
        #expect(fused.enrolledTemplateCount == 4)
        let probe = vector(0)
        let best = Matcher(gallery: try gallery(templates), configuration: .init(threshold: 0.5, margin: 0.1)).match(probe)
        let mean = Matcher(gallery: fused, configuration: .init(threshold: 0.5, margin: 0.1)).match(probe)
        #expect(best.delegateID == "A" && abs(best.candidates[0].distance) < 1e-6)
        // The centroid of axes 0 and 1 is (1, 1)/√2: cosine 1/√2 with axis 0.
        #expect(mean.delegateID == "A")
        #expect(abs(mean.candidates[0].distance - (1 - 1 / (2 as Float).squareRoot())) < 1e-5)
        // The other delegates' distances do not change.
        #expect(mean.candidates.dropFirst().map(\.distance) == best.candidates.dropFirst().map(\.distance))
    }

    @Test func meanFusionKeepsTemplatesThatCancelOutApart() throws {
        let g = try Gallery(dimension: 8, templates: [("A", vector(0)), ("A", vector(0).map { -$0 })], fusion: .mean)
        #expect(g.templateCount == 2)
        #expect(abs(Matcher(gallery: g).match(vector(0)).candidates[0].distance) < 1e-6)
    }

    @Test func returnsTopKSorted() throws {
        let dimension = 16
        let templates = (0..<10).map { ("D\($0)", vector(0, towards: $0 + 1, by: Float($0 + 1) * 0.1, dimension: dimension)) }
        let g = try gallery(templates, dimension: dimension)
        let result = Matcher(gallery: g, configuration: .init(topK: 3)).match(vector(0, dimension: dimension))
        #expect(result.candidates.map(\.delegateID) == ["D0", "D1", "D2"])
        #expect(result.candidates.map(\.distance) == result.candidates.map(\.distance).sorted())
    }

    @Test func emptyGalleryRejects() {
        let result = Matcher(gallery: .empty(dimension: 8)).match(vector(0))
        #expect(result.decision == .emptyGallery)
    }

    @Test func galleryRefusesWrongDimensionAndZeroVectors() {
        #expect(throws: MatcherError.self) { try Gallery(dimension: 8, templates: [("A", [1, 0, 0])]) }
        #expect(throws: MatcherError.self) { try Gallery(dimension: 3, templates: [("A", [0, 0, 0])]) }
    }

    @Test func dotMatchesScalarForOddDimensions() {
        var generator = SplitMix64(seed: 7)
        for n in [1, 7, 8, 15, 16, 17, 31, 128, 133, 512] {
            let a = MatcherBenchmark.randomUnitVector(n, using: &generator), b = MatcherBenchmark.randomUnitVector(n, using: &generator)
            let expected = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let got = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in Matcher.dot(pa.baseAddress!, pb.baseAddress!, n) } }
            #expect(abs(got - expected) < 1e-5, "n = \(n)")
        }
    }

    @Test func zNormalisedScoresHaveZeroMeanUnitStd() {
        let z = ScoreNormalization.zNormalized([0.2, 0.8, 0.9, 1.0, 1.1])
        let (mean, std) = ScoreNormalization.meanAndStd(z)
        #expect(abs(mean) < 1e-5 && abs(std - 1) < 1e-4)
        #expect(z[0] < -1.5)
    }

    @Test func probeZNormKeepsRankingAndScoresInSigmaUnits() throws {
        var generator = SplitMix64(seed: 3)
        let templates = (0..<200).map { ("D\($0)", MatcherBenchmark.randomUnitVector(32, using: &generator)) }
        let g = try gallery(templates, dimension: 32)
        var probe = templates[17].1
        probe[0] += 0.05
        let norm = probe.reduce(0) { $0 + $1 * $1 }.squareRoot()
        probe = probe.map { $0 / norm }
        let raw = Matcher(gallery: g, configuration: .init(threshold: 0.3)).match(probe)
        let z = Matcher(gallery: g, configuration: .init(threshold: -3, margin: 1, normalization: .probeZNorm)).match(probe)
        #expect(raw.candidates.map(\.delegateID) == z.candidates.map(\.delegateID))
        #expect(z.delegateID == "D17")
        #expect(z.candidates[0].score < -3)
        // Scores agree with the pure function over all delegates' best distances.
        let all = Matcher(gallery: g, configuration: .init(normalization: .probeZNorm)).scores(probe)
        let expected = ScoreNormalization.zNormalized(all.map(\.distance))
        #expect(abs(all[17].score - expected[17]) < 1e-3)
    }

    @Test func templateZNormAcceptsGenuineProbe() throws {
        var generator = SplitMix64(seed: 5)
        let templates = (0..<100).map { ("D\($0)", MatcherBenchmark.randomUnitVector(32, using: &generator)) }
        let g = try gallery(templates, dimension: 32)
        let matcher = Matcher(gallery: g, configuration: .init(threshold: -3, margin: 1, normalization: .templateZNorm))
        #expect(matcher.match(templates[42].1).delegateID == "D42")
        #expect(matcher.match(MatcherBenchmark.randomUnitVector(32, using: &generator)).delegateID == nil)
    }

    @Test func benchmarkReportsMedians() {
        let results = MatcherBenchmark.run(sizes: [100, 500], dimension: 64, probes: 20)
        #expect(results.map(\.templates) == [100, 500])
        #expect(results.allSatisfy { $0.medianMilliseconds > 0 && $0.p95Milliseconds >= $0.medianMilliseconds })
    }
}
