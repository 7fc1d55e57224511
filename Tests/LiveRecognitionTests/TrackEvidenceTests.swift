import RollCall
import Testing

/// A track's evidence: its best views, fused into one probe.
struct TrackEvidenceTests {
    private let x: [Float] = [1, 0, 0], y: [Float] = [0, 1, 0], z: [Float] = [0, 0, 1]

    @Test func probeIsTheWeightedMeanOfTheViews_notRenormalised() {
        var evidence = TrackEvidence(capacity: 5)
        evidence.add(x, weight: 3)
        evidence.add(y, weight: 1)
        #expect(evidence.probe == [0.75, 0.25, 0])
        // Its dot product with a unit template is the weighted mean cosine: the matcher's distance is a mean distance.
        #expect(evidence.count == 2 && evidence.fused == 2)
    }

    /// Beyond its capacity the evidence keeps the best views: a better one replaces the weakest, a weaker one is
    /// counted and dropped.
    @Test func keepsTheBestViews() {
        var evidence = TrackEvidence(capacity: 2)
        evidence.add(x, weight: 0.2)
        evidence.add(y, weight: 0.9)
        evidence.add(z, weight: 0.5)       // replaces x, the weakest
        #expect(evidence.count == 3 && evidence.fused == 2)
        #expect(evidence.probe.map { ($0 * 1400).rounded() } == [0, 900, 500])
        evidence.add(x, weight: 0.1)       // weaker than both: dropped
        #expect(evidence.probe.map { ($0 * 1400).rounded() } == [0, 900, 500])
    }

    @Test func distanceIsToTheDirectionOfTheProbe() {
        var evidence = TrackEvidence()
        #expect(evidence.distance(to: x) == 0)   // nothing to be unlike yet
        evidence.add(x, weight: 1)
        evidence.add(x, weight: 1)
        #expect(abs(evidence.distance(to: x)) < 1e-6)
        #expect(abs(evidence.distance(to: y) - 1) < 1e-6)
    }
}
