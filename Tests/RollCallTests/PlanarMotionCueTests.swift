import Foundation
import RollCall
import Testing

/// The planar-photo cue on landmark tracks made by a pinhole camera: a flat face (a photo) and a head whose nose
/// stands off the plane of its eyes and mouth, moved as a hand or a walker would.
struct PlanarMotionCueTests {
    /// Eyes, nose tip, mouth corners in head units (eye distance 1; x right, y down, z away from the camera).
    private static let head: [(Double, Double, Double)] = [(-0.5, 0, 0), (0.5, 0, 0), (0, 0.55, -0.55), (-0.4, 1.1, -0.08), (0.4, 1.1, -0.08)]
    private static let photo = head.map { ($0.0, $0.1, 0.0) }

    /// One pose: turns in degrees, the head's centre in head units from the camera.
    private struct Pose { var yaw = 0.0, pitch = 0.0, roll = 0.0, x = 0.0, y = 0.0, z = 12.0 }

    /// The five landmarks of `model` in `pose`, seen by an 800-pixel focal-length camera, each coordinate moved by up
    /// to ±`noise` pixels (a fixed sequence, the same on every run).
    private static func project(_ model: [(Double, Double, Double)], _ pose: Pose, noise: Double, seed: inout UInt64) -> [Point] {
        let (a, b, c) = (pose.yaw * .pi / 180, pose.pitch * .pi / 180, pose.roll * .pi / 180)
        return model.map { p in
            var (x, y, z) = p
            (x, z) = (x * cos(a) + z * sin(a), -x * sin(a) + z * cos(a))       // yaw about the vertical
            (y, z) = (y * cos(b) - z * sin(b), y * sin(b) + z * cos(b))        // pitch about the horizontal
            (x, y) = (x * cos(c) - y * sin(c), x * sin(c) + y * cos(c))        // roll in the image
            (x, y, z) = (x + pose.x, y + pose.y, z + pose.z)
            func jitter() -> Double {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return (Double(seed >> 11) / Double(1 << 53) * 2 - 1) * noise
            }
            return Point(x: 640 + 800 * x / z + jitter(), y: 360 + 800 * y / z + jitter())
        }
    }

    private static func track(_ model: [(Double, Double, Double)], frames: Int = 25, noise: Double = 0.4,
                              pose: (Double) -> Pose) -> [[Point]] {
        var seed: UInt64 = 7
        return (0..<frames).map { project(model, pose(Double($0) / Double(frames - 1)), noise: noise, seed: &seed) }
    }

    /// A hand holding a photo up: it tilts it (±18° about both axes), turns it a little and brings it nearer.
    private static func handHeld(_ u: Double) -> Pose {
        Pose(yaw: 18 * sin(u * 2 * .pi), pitch: 12 * cos(u * 3 * .pi), roll: 6 * u, x: 0.3 * u, y: -0.2 * u, z: 14 - 5 * u)
    }

    private static let configuration: PlanarMotionCue.Configuration = {
        var c = PlanarMotionCue.Configuration()
        (c.liveAbove, c.minimumDeformation, c.minimumFrames, c.quantile) = (0.06, 0.015, 8, 0.8)
        return c
    }()

    private static func verdict(_ frames: [[Point]]) -> PlanarMotionCue.Verdict {
        var cue = PlanarMotionCue(configuration: configuration)
        for f in frames { cue.add(f) }
        return cue.verdict
    }

    @Test func aPhotoMovedByAHandIsSuspected() throws {
        let frames = Self.track(Self.photo, pose: Self.handHeld)
        let m = try #require(PlanarMotionCue.measure(frames))
        #expect(m.frames == 25)
        #expect(m.nonPlanar < 0.03, "a plane's nose stays where one homography puts it (up to the noise)")
        #expect(m.deformation > 0.02, "the tilt changes the shape of the eyes and mouth")
        #expect(Self.verdict(frames) == .suspectedPhoto)
    }

    /// Without noise a plane's residual is nil whatever the perspective: the homography is the exact model.
    @Test func aPlaneUnderStrongPerspectiveHasNoResidual() throws {
        let frames = Self.track(Self.photo, noise: 0) { u in Pose(yaw: -35 + 70 * u, pitch: 20 - 40 * u, roll: 10, x: 1, z: 6 - 2 * u) }
        let m = try #require(PlanarMotionCue.measure(frames))
        #expect(m.nonPlanar < 1e-6)
    }

    @Test func aHeadTurningIsBonaFide() throws {
        let frames = Self.track(Self.head) { u in Pose(yaw: 10 * sin(u * 2 * .pi), pitch: 4 * u, z: 14 - 5 * u) }
        let m = try #require(PlanarMotionCue.measure(frames))
        #expect(m.nonPlanar > 0.08, "the nose leaves the plane of the eyes and mouth as the head turns")
        #expect(Self.verdict(frames) == .bonaFide)
    }

    /// The same hand motion on a head: only the nose's depth differs from the photo, and it alone decides.
    @Test func aHeadMovedAsThePhotoWasIsBonaFide() {
        #expect(Self.verdict(Self.track(Self.head, pose: Self.handHeld)) == .bonaFide)
    }

    /// A walker who comes straight at the camera without turning their head, seen from the side: the change of view
    /// direction alone shows the nose's depth.
    @Test func aWalkerSeenFromTheSideIsBonaFide() {
        let frames = Self.track(Self.head) { u in Pose(x: -6 + 5 * u, y: 1, z: 14 - 6 * u) }
        #expect(Self.verdict(frames) == .bonaFide)
    }

    @Test func aStillFaceIsUndecided() {
        #expect(Self.verdict(Self.track(Self.head) { _ in Pose() }) == .undecided)
        #expect(Self.verdict(Self.track(Self.photo) { _ in Pose() }) == .undecided)
    }

    /// A photo slid and turned in the image plane moves by a similarity: nothing a head would show differently, so
    /// nothing to judge — undecided, not bona fide.
    @Test func aPhotoMovedOnlyInItsPlaneIsUndecided() {
        let frames = Self.track(Self.photo) { u in Pose(roll: 20 * u, x: 0.3 * u, y: 0.2 * u, z: 12) }
        #expect(Self.verdict(frames) == .undecided)
    }

    @Test func tooFewFramesAreUndecided() {
        let frames = Self.track(Self.photo, pose: Self.handHeld)
        #expect(Self.verdict(Array(frames.prefix(7))) == .undecided)
        #expect(Self.verdict(Array(frames.prefix(8))) == .suspectedPhoto)
    }

    /// The window keeps the latest frames: a head that stops turning is judged on what it did last.
    @Test func theWindowKeepsTheLatestFrames() {
        var c = Self.configuration
        c.window = 10
        var cue = PlanarMotionCue(configuration: c)
        for f in Self.track(Self.photo, pose: Self.handHeld) { cue.add(f) }
        #expect(cue.frames.count == 10)
        for f in Self.track(Self.head, frames: 10) { u in Pose(yaw: -12 + 24 * u, z: 12) } { cue.add(f) }
        #expect(cue.verdict == .bonaFide)
    }

    @Test func degenerateLandmarksAreSkipped() {
        var cue = PlanarMotionCue(configuration: Self.configuration)
        cue.add([Point(x: 1, y: 1)])
        cue.add([Point](repeating: Point(x: 3, y: 3), count: 5))
        cue.add([Point(x: .nan, y: 0)] + [Point](repeating: Point(x: 1, y: 2), count: 4))
        #expect(cue.frames.isEmpty && cue.measure == nil && cue.verdict == .undecided)
    }

    @Test func verdictBoundaries() {
        let c = Self.configuration
        func v(_ residual: Double, _ deformation: Double, frames: Int = 10) -> PlanarMotionCue.Verdict {
            PlanarMotionCue.verdict(.init(frames: frames, nonPlanar: residual, deformation: deformation), configuration: c)
        }
        #expect(v(c.liveAbove, 0) == .bonaFide)
        #expect(v(c.liveAbove.nextDown, c.minimumDeformation) == .suspectedPhoto)
        #expect(v(c.liveAbove.nextDown, c.minimumDeformation.nextDown) == .undecided)
        #expect(v(1, 1, frames: c.minimumFrames - 1) == .undecided)
    }
}
