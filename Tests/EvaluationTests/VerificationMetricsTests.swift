import Evaluation
import Testing

@Suite struct VerificationMetricsTests {
    typealias Pair = VerificationMetrics.Pair

    @Test func separablePairsGiveFullAccuracyAtAThresholdBetweenThem() {
        let pairs = (0..<50).map { Pair(distance: 0.2 + Float($0) * 0.001, same: true) }
            + (0..<50).map { Pair(distance: 0.8 + Float($0) * 0.001, same: false) }
        let t = VerificationMetrics.bestThreshold(pairs)
        #expect(t > 0.249 && t < 0.8)
        #expect(VerificationMetrics.accuracy(pairs[...], threshold: t) == 1)
    }

    @Test func kFoldChoosesThresholdOnOtherFolds() {
        // Fold 0 alone holds an impostor at 0.1: trained on folds 1-9 the threshold stays high, so fold 0
        // loses exactly that one pair.
        var pairs: [Pair] = []
        for fold in 0..<10 {
            for i in 0..<5 { pairs.append(Pair(distance: 0.2 + Float(i) * 0.01, same: true)) }
            for i in 0..<5 { pairs.append(Pair(distance: fold == 0 && i == 0 ? 0.1 : 0.9 + Float(i) * 0.01, same: false)) }
        }
        let result = VerificationMetrics.kFold(pairs, folds: 10)
        #expect(result.accuracies[0] == 0.9)
        #expect(result.accuracies[1...].allSatisfy { $0 == 1 })
        #expect(abs(result.mean - 0.99) < 1e-9)
        #expect(abs(result.std - 0.03) < 1e-9)
    }

    @Test func missingFaceCountsAsNonMatch() {
        let pairs = [Pair(distance: nil, same: true), Pair(distance: nil, same: false)]
        #expect(VerificationMetrics.accuracy(pairs[...], threshold: 10) == 0.5)
    }

    @Test func tarAtFARAllowsOnlyThatManyImpostors() {
        // 1000 impostors at 0.5...1.499, the three closest at 0.01, 0.02, 0.03: FAR 0.1 % allows one.
        var pairs = (0..<997).map { Pair(distance: 0.5 + Float($0) * 0.001, same: false) }
        pairs += [0.01, 0.02, 0.03].map { Pair(distance: $0, same: false) }
        pairs += [0.015, 0.025, 0.3, nil].map { Pair(distance: $0, same: true) }
        let point = VerificationMetrics.tar(atFAR: 0.001, pairs)
        #expect(point.threshold == 0.02)
        #expect(point.far == 0.001)
        #expect(point.tar == 0.25)  // only 0.015 lies below 0.02
    }

    @Test func pointAtAThresholdCountsPairsStrictlyBelowIt() {
        let pairs = [0.1, 0.3, nil].map { Pair(distance: $0, same: true) } + [0.2, 0.3, 0.9, 1.0].map { Pair(distance: $0, same: false) }
        let point = VerificationMetrics.point(at: 0.3, pairs)
        #expect(point.tar == 1.0 / 3)  // 0.1 only: 0.3 is not below 0.3, a missing face never is
        #expect(point.far == 0.25)     // 0.2
    }

    @Test func detCurveRunsFromAllRejectedToAllAccepted() {
        let pairs = [Pair(distance: 0.1, same: true), Pair(distance: 0.4, same: false),
                     Pair(distance: 0.3, same: true), Pair(distance: 0.9, same: false)]
        let curve = VerificationMetrics.detCurve(pairs)
        #expect(curve.first?.fnmr == 0.5 && curve.first?.fmr == 0)
        #expect(curve.last?.fnmr == 0 && curve.last?.fmr == 1)
    }
}
