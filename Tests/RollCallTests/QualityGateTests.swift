import Foundation
import Testing

@testable import RollCall

struct QualityGateTests {
    /// A frontal face whose box's longer side is `size`; `noseShift` moves the nose sideways, `roll` rotates the
    /// landmarks (degrees). Eye distance is 0.35 × size.
    private func face(size: Double = 200, score: Double = 0.95, sharpness: Double = 150, noseShift: Double = 0, roll: Double = 0,
                      at center: (x: Double, y: Double) = (300, 300)) -> FaceObservation {
        let points: [(Double, Double)] = [(-35, -20), (35, -20), (noseShift, 10), (-28, 40), (28, 40)].map { ($0.0 * size / 200, $0.1 * size / 200) }
        let angle = roll * .pi / 180
        let landmarks = points.map { p in
            Point(x: center.x + p.0 * cos(angle) - p.1 * sin(angle), y: center.y + p.0 * sin(angle) + p.1 * cos(angle))
        }
        return FaceObservation(box: Box(x: center.x - size * 0.4, y: center.y - size / 2, width: size * 0.8, height: size), landmarks: landmarks,
                               detectorScore: score, sharpness: sharpness, imageWidth: 640, imageHeight: 640)
    }

    @Test func frontalSharpLargeFacePassesWithoutWarning() {
        #expect(QualityGate().assess(face(), photo: "a.jpg") == .init())
        let pose = QualityGate.pose(of: face())
        #expect(abs(pose.yawRatio) < 1e-9 && abs(pose.rollDegrees) < 1e-9)
        #expect(abs(pose.pitchRatio - 0.5) < 1e-9)
    }

    /// Size is the box's longer side: refused below 36 px, warned below 56 px, both boundaries included.
    @Test func faceSize_refusedBelowTheMinimum_warnedBelowTheComfortableSize() {
        let gate = QualityGate()
        let refused = gate.assess(face(size: 35), photo: "tiny.jpg")
        #expect(refused.refusals.map(\.check) == [.tooSmall])
        #expect(refused.refusals.first?.description.hasPrefix("tiny.jpg: face is 35 px, too small to recognise (at least 36 px") == true)
        let smallest = gate.assess(face(size: 36), photo: "small.jpg")
        #expect(smallest.refusals.isEmpty)
        #expect(smallest.warnings.map(\.check) == [.tooSmall])
        let weak = gate.assess(face(size: 55), photo: "weak.jpg")
        #expect(weak.warnings.first?.description == "weak.jpg: face 55 px: enrolled, expect slower recognition; a larger photo helps (56 px or more)")
        #expect(gate.assess(face(size: 56), photo: "ok.jpg") == .init())
    }

    @Test func blurredFaceIsRefused() {
        #expect(QualityGate().assess(face(sharpness: 10), photo: "b.jpg").refusals.map(\.check) == [.blurry])
    }

    @Test func lowDetectorScoreIsRefused() {
        #expect(QualityGate().assess(face(score: 0.5), photo: "c.jpg").refusals.map(\.check) == [.lowConfidence])
    }

    /// Eye distance is 70 px: a nose shift of 14 px is ratio 0.2 (passes), 21 px is 0.3 (warned), 35 px is 0.5
    /// (warned), 36 px is 0.514 (refused).
    @Test func turnedFace_warnedAboveComfortableYaw_refusedBeyondTheEyes() {
        let gate = QualityGate()
        #expect(gate.assess(face(noseShift: 14), photo: "d.jpg") == .init())
        #expect(gate.assess(face(noseShift: 21), photo: "d.jpg").warnings.map(\.check) == [.notFrontal])
        let atLimit = gate.assess(face(noseShift: 35), photo: "d.jpg")
        #expect(atLimit.refusals.isEmpty && atLimit.warnings.map(\.check) == [.notFrontal])
        let beyond = gate.assess(face(noseShift: 36), photo: "d.jpg")
        #expect(beyond.refusals.map(\.check) == [.notFrontal])
        #expect(beyond.refusals.first?.reason.contains("yaw ratio 0.51, limit 0.50") == true)
    }

    /// A value that rounds to its limit is printed with one more digit, so the refusal never shows "0.50, limit 0.50".
    @Test func refusalNeverPrintsItsLimitAsTheValue() {
        let refusal = QualityGate().assess(face(noseShift: 35.2), photo: "e.jpg").refusals.first
        #expect(refusal?.reason.contains("yaw ratio 0.503, limit 0.50") == true, "\(refusal?.reason ?? "none")")
    }

    @Test func rollWarnsAndIsNotMistakenForYaw() {
        #expect(QualityGate().assess(face(roll: 15), photo: "f.jpg") == .init())
        let tilted = QualityGate().assess(face(roll: 30), photo: "f.jpg")
        #expect(tilted.refusals.isEmpty)
        #expect(tilted.warnings.map(\.check) == [.notFrontal])
        #expect(tilted.warnings.first?.reason.contains("tilted 30°") == true)
    }

    @Test func noFaceIsRefused() {
        guard case .failure(let none) = QualityGate().selectFace(from: [], photo: "empty.jpg", largest: false) else {
            Issue.record("expected failure"); return
        }
        #expect(none.description == "empty.jpg: no face found")
    }

    /// A bystander under half the main face's size is set aside with a note; a second face of similar size refuses
    /// the photo unless --largest.
    @Test func mainFaceIsEnrolledOverABystander_similarFacesAreRefused() {
        let gate = QualityGate()
        let main = face(size: 220), bystander = face(size: 100, at: (560, 120))
        guard case .success(let chosen) = gate.selectFace(from: [bystander, main], photo: "portrait.jpg", largest: false) else {
            Issue.record("expected success"); return
        }
        #expect(chosen.face == main)
        #expect(chosen.note?.description == "portrait.jpg: 2 faces found: enrolled the main one (220 px); the other is under half its size, in the background")
        let pair = [face(size: 220), face(size: 120, at: (560, 120))]
        guard case .failure(let several) = gate.selectFace(from: pair, photo: "group.jpg", largest: false) else {
            Issue.record("expected failure"); return
        }
        #expect(several.check == .severalFaces && several.description.hasPrefix("group.jpg: 2 faces found of similar size (220 and 120 px)"))
        guard case .success(let largest) = gate.selectFace(from: pair, photo: "group.jpg", largest: true) else {
            Issue.record("expected success"); return
        }
        #expect(largest.face.box.height == 220)
    }

    /// Just past a limit, the refusal prints a number that differs from the limit (it once read "yaw ratio 0.25,
    /// limit ±0.25" for 0.2512).
    @Test func refusalJustPastALimitPrintsADifferentNumber() throws {
        let yaw = try #require(QualityGate().assess(face(noseShift: 0.5012 * 70), photo: "y.jpg").refusals.first)
        #expect(yaw.reason == "face is turned sideways (yaw ratio 0.501, limit 0.50): use a frontal photo", "\(yaw.reason)")
        let blur = try #require(QualityGate().assess(face(sharpness: 14.996), photo: "s.jpg").refusals.first)
        #expect(blur.reason == "face is blurred (sharpness 14.996, need 15.00): use a sharper photo", "\(blur.reason)")
        let score = try #require(QualityGate().assess(face(score: 0.7996), photo: "d.jpg").refusals.first)
        #expect(score.reason.hasPrefix("detector score 0.7996 is below 0.80"), "\(score.reason)")
    }
}
