import Foundation
import Testing

@testable import RollCall

struct QualityGateTests {
    /// A frontal 200-px face; `yaw` shifts the nose sideways, `roll` rotates the landmarks (degrees).
    private func face(size: Double = 200, score: Double = 0.95, sharpness: Double = 150, noseShift: Double = 0, roll: Double = 0) -> FaceObservation {
        let cx = 300.0, cy = 300.0
        let points: [(Double, Double)] = [(-35, -20), (35, -20), (noseShift, 10), (-28, 40), (28, 40)].map { ($0.0 * size / 200, $0.1 * size / 200) }
        let angle = roll * .pi / 180
        let landmarks = points.map { p in
            Point(x: cx + p.0 * cos(angle) - p.1 * sin(angle), y: cy + p.0 * sin(angle) + p.1 * cos(angle))
        }
        return FaceObservation(box: Box(x: cx - size / 2, y: cy - size / 2, width: size, height: size), landmarks: landmarks,
                               detectorScore: score, sharpness: sharpness, imageWidth: 640, imageHeight: 640)
    }

    @Test func frontalSharpLargeFacePasses() {
        #expect(QualityGate().failures(of: face(), photo: "a.jpg").isEmpty)
        let pose = QualityGate.pose(of: face())
        #expect(abs(pose.yawRatio) < 1e-9 && abs(pose.rollDegrees) < 1e-9)
        #expect(abs(pose.pitchRatio - 0.5) < 1e-9)
    }

    @Test func tinyFaceFailsWithReasonNamingPhoto() {
        let failures = QualityGate().failures(of: face(size: 60), photo: "tiny.jpg")
        #expect(failures.map(\.check) == [.tooSmall])
        #expect(failures.first?.description == "tiny.jpg: face is 60 px, need at least 80 px")
    }

    @Test func blurredFaceFails() {
        #expect(QualityGate().failures(of: face(sharpness: 10), photo: "b.jpg").map(\.check) == [.blurry])
    }

    @Test func lowDetectorScoreFails() {
        #expect(QualityGate().failures(of: face(score: 0.5), photo: "c.jpg").map(\.check) == [.lowConfidence])
    }

    @Test func turnedFaceFailsAtYawLimit() {
        // Eye distance is 70 px: a 17 px nose shift is ratio 0.243 (passes), 21 px is 0.3 (fails).
        #expect(QualityGate().failures(of: face(noseShift: 17), photo: "d.jpg").isEmpty)
        #expect(QualityGate().failures(of: face(noseShift: 21), photo: "d.jpg").map(\.check) == [.notFrontal])
    }

    @Test func rollIsNotMistakenForYaw() {
        #expect(QualityGate().failures(of: face(roll: 15), photo: "e.jpg").isEmpty)
        let failures = QualityGate().failures(of: face(roll: 30), photo: "e.jpg")
        #expect(failures.map(\.check) == [.notFrontal])
        #expect(failures.first?.reason.contains("tilted 30°") == true)
    }

    @Test func exactlyOneFaceUnlessLargest() {
        let gate = QualityGate()
        guard case .failure(let none) = gate.selectFace(from: [], photo: "empty.jpg", largest: false) else { Issue.record("expected failure"); return }
        #expect(none.description == "empty.jpg: no face found")
        let two = [face(size: 100), face(size: 220)]
        guard case .failure(let several) = gate.selectFace(from: two, photo: "group.jpg", largest: false) else { Issue.record("expected failure"); return }
        #expect(several.check == .severalFaces && several.description.hasPrefix("group.jpg: 2 faces found"))
        guard case .success(let chosen) = gate.selectFace(from: two, photo: "group.jpg", largest: true) else { Issue.record("expected success"); return }
        #expect(chosen.box.width == 220)
    }

    /// Just past a limit, the refusal prints a number that differs from the limit (it read "yaw ratio 0.25, limit
    /// ±0.25" for 0.2512).
    @Test func refusalJustPastALimitPrintsADifferentNumber() throws {
        let yaw = try #require(QualityGate().failures(of: face(noseShift: 0.2512 * 70), photo: "y.jpg").first)
        #expect(yaw.reason == "face is turned sideways (yaw ratio 0.251, limit ±0.25)", "\(yaw.reason)")
        let left = try #require(QualityGate().failures(of: face(noseShift: -0.2512 * 70), photo: "y.jpg").first)
        #expect(left.reason.contains("yaw ratio -0.251,"), "\(left.reason)")
        let blur = try #require(QualityGate().failures(of: face(sharpness: 14.996), photo: "s.jpg").first)
        #expect(blur.reason == "face is blurred (sharpness 14.996, need 15.00)", "\(blur.reason)")
        let score = try #require(QualityGate().failures(of: face(score: 0.7996), photo: "d.jpg").first)
        #expect(score.reason == "detector score 0.7996 is below 0.80", "\(score.reason)")
    }
}
