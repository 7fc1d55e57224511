import FaceEngine
import Foundation
import RollCall

/// A photo held up to the camera: a flat picture of a face moved by a hand — tilted, turned, brought nearer, with a
/// small shake — filmed by a pinhole camera over a real background, every frame through a camera stream's JPEG round
/// trip. The attack half of `rollcall eval photo-attack`: real faces, a synthetic hand, and the truth of where the
/// photo's face is in every frame.
///
/// Each presentation draws its hand's style from the seed, because attackers differ and the cue can only judge motion
/// it is shown:
/// - `tilting`: the photo swings 10–25° about both axes while it comes nearer (a careless hand, a phone waved about).
/// - `gentle`: 3–8° of tilt (a hand trying to hold it still).
/// - `still`: at most 1.5° of tilt and a shake of a pixel or two (a photo propped up or held with care).
public struct PhotoAttackScene: Sendable {
    public enum Style: String, Sendable, Codable, CaseIterable {
        case tilting, gentle, still
    }

    public struct Settings: Sendable, Equatable {
        public var width = 1280, height = 720
        public var fps = 25.0
        public var frames = 36
        /// Face side, pixels, when the presentation starts (before the approach).
        public var smallestFace: Float = 70
        public var largestFace: Float = 120
        public var jpegQuality = 80
        public init() {}
    }

    public let settings: Settings
    public let style: Style
    private let walker: EntranceScene.Walker
    private let backgrounds: [Image]
    private let firstBackground: Int
    private let poses: [Pose]
    private let brightness: Float
    private let blur: Float
    private let focal: Double

    /// Where the photo plane is in one frame: turns in degrees, its face centre in camera units (face widths).
    struct Pose {
        var yaw: Double, pitch: Double, roll: Double
        var x: Double, y: Double, z: Double
    }

    /// - Parameters:
    ///   - walker: the photo, cut around its face (`EntranceRun.walkers`).
    ///   - backgrounds: consecutive frames of a real video (any size; scaled to the frame); the presentation starts at
    ///     a frame the seed picks and plays on from there.
    public init(walker: EntranceScene.Walker, backgrounds: [Image], settings: Settings, seed: UInt64, style: Style? = nil) throws {
        precondition(!backgrounds.isEmpty, "a scene needs a background")
        self.settings = settings
        self.walker = walker
        var random = SplitMix64(seed: seed)
        self.style = style ?? Style.allCases[Int(random.next() % 3)]
        firstBackground = Int(random.next() % UInt64(backgrounds.count))
        let first = firstBackground, available = backgrounds.count
        let needed = (0..<settings.frames).map { (first + $0) % available }
        var scaled: [Int: Image] = [:]
        for i in Set(needed) { scaled[i] = try backgrounds[i].resized(width: settings.width, height: settings.height) }
        self.backgrounds = needed.map { scaled[$0]! }
        focal = Double(settings.width) * 0.8
        brightness = random.uniform(0.8, 1.1)
        blur = random.uniform(0, 0.8)
        let tilt: (Float, Float) = switch self.style {
        case .tilting: (10, 25)
        case .gentle: (3, 8)
        case .still: (0, 1.5)
        }
        let yawAmplitude = Double(random.uniform(tilt.0, tilt.1)), pitchAmplitude = Double(random.uniform(tilt.0, tilt.1))
        let yawPeriod = Double(random.uniform(0.8, 2.0)), pitchPeriod = Double(random.uniform(0.8, 2.0))
        let (yawPhase, pitchPhase) = (Double(random.uniform(0, 6.28)), Double(random.uniform(0, 6.28)))
        let roll0 = Double(random.uniform(-10, 10)), rollDrift = Double(random.uniform(-8, 8))
        let startSide = Double(random.uniform(settings.smallestFace, settings.largestFace))
        let approach = self.style == .still ? Double(random.uniform(1.0, 1.08)) : Double(random.uniform(1.1, 1.6))
        // Distance in face widths: a face of width 1 at distance z is focal / z pixels wide.
        let z0 = focal / startSide, z1 = z0 / approach
        let (w, h) = (Double(settings.width), Double(settings.height))
        let centre = (x: Double(random.uniform(0.3, 0.7)) * w, y: Double(random.uniform(0.35, 0.65)) * h)
        let drift = (x: Double(random.uniform(-0.08, 0.08)) * w, y: Double(random.uniform(-0.05, 0.05)) * h)
        let shakePixels = self.style == .still ? 1.0 : 2.5
        var shake = (x: 0.0, y: 0.0)
        var poses: [Pose] = []
        let seconds = Double(settings.frames) / settings.fps
        for i in 0..<settings.frames {
            let u = Double(i) / Double(max(1, settings.frames - 1)), t = u * seconds
            // A hand's shake: a slow random walk pulled back towards rest.
            shake = (0.8 * shake.x + Double(random.uniform(-1, 1)) * shakePixels, 0.8 * shake.y + Double(random.uniform(-1, 1)) * shakePixels)
            let z = 1 / (1 / z0 + (1 / z1 - 1 / z0) * u)
            let px = centre.x + drift.x * u + shake.x - w / 2, py = centre.y + drift.y * u + shake.y - h / 2
            poses.append(Pose(yaw: yawAmplitude * sin(2 * .pi * t / yawPeriod + yawPhase),
                              pitch: pitchAmplitude * sin(2 * .pi * t / pitchPeriod + pitchPhase),
                              roll: roll0 + rollDrift * u, x: px * z / focal, y: py * z / focal, z: z))
        }
        self.poses = poses
    }

    /// Frame `index` (0..<settings.frames) and the box of the photo's face in it.
    public func render(frame index: Int) throws -> (image: Image, face: Face.Box) {
        let h = homography(poses[index])
        var image = try Image.warped(walker.picture, onto: backgrounds[index], homography: h, brightness: brightness, blur: blur)
        if settings.jpegQuality > 0 { image = try image.jpegRoundTrip(quality: settings.jpegQuality) }
        let f = walker.face
        let corners = [(f.x, f.y), (f.x + f.width, f.y), (f.x, f.y + f.height), (f.x + f.width, f.y + f.height)].map {
            Self.apply(h, Double($0.0), Double($0.1))
        }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        let box = Face.Box(x: Float(xs.min()!), y: Float(ys.min()!), width: Float(xs.max()! - xs.min()!), height: Float(ys.max()! - ys.min()!))
        return (image, box)
    }

    /// Picture pixels → frame pixels for a pose: picture pixel → plane (face width 1, face centre at the origin) →
    /// turned and placed in front of the camera → projected.
    func homography(_ p: Pose) -> [Double] {
        let f = walker.face
        let k = 1 / Double(max(f.width, f.height))
        let (cu, cv) = (Double(f.x + f.width / 2), Double(f.y + f.height / 2))
        let (a, b, c) = (p.yaw * .pi / 180, p.pitch * .pi / 180, p.roll * .pi / 180)
        // R = Rroll · Rpitch · Ryaw; only its first two columns matter for a plane z = 0.
        let ry: [[Double]] = [[cos(a), 0, sin(a)], [0, 1, 0], [-sin(a), 0, cos(a)]]
        let rx: [[Double]] = [[1, 0, 0], [0, cos(b), -sin(b)], [0, sin(b), cos(b)]]
        let rz: [[Double]] = [[cos(c), -sin(c), 0], [sin(c), cos(c), 0], [0, 0, 1]]
        let r = Self.multiply(rz, Self.multiply(rx, ry))
        let (w, h) = (Double(settings.width), Double(settings.height))
        // [r1 r2 t] in camera units, then the camera matrix.
        let m: [[Double]] = [[r[0][0], r[0][1], p.x], [r[1][0], r[1][1], p.y], [r[2][0], r[2][1], p.z]]
        let camera: [[Double]] = [[focal, 0, w / 2], [0, focal, h / 2], [0, 0, 1]]
        let picture: [[Double]] = [[k, 0, -k * cu], [0, k, -k * cv], [0, 0, 1]]
        let full = Self.multiply(camera, Self.multiply(m, picture))
        return full.flatMap { $0 }.map { $0 / full[2][2] }
    }

    static func apply(_ h: [Double], _ x: Double, _ y: Double) -> (x: Double, y: Double) {
        let w = h[6] * x + h[7] * y + h[8]
        return ((h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w)
    }

    private static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        (0..<3).map { i in (0..<3).map { j in (0..<3).map { a[i][$0] * b[$0][j] }.reduce(0, +) } }
    }
}
