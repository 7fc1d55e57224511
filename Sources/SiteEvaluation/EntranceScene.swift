import FaceEngine
import Foundation
import RollCall

/// A synthetic congress entrance built from photos: people walk towards the camera in lanes, their faces growing from
/// `smallestFace` to `largestFace` pixels, and leave; frames go through the JPEG round trip a camera stream applies.
/// Real faces, synthetic walk — and the truth of who is where in every frame, which a real video does not give.
///
/// Compositions (each lane holds one person at a time unless said otherwise; up to `lanes` faces at once):
/// - `spaced`: `gapFrames` empty frames between two people in a lane.
/// - `queue`: the next person steps into the place the last one left, in the very next frame, a little farther
///   from the camera (smaller) — a queue through a door, where only the face tells two people apart.
/// - `crowd`: people arrive at random, overlap in time within a lane (the nearer one hides part of the farther one)
///   and drift across lanes.
public struct EntranceScene: Sendable {
    public enum Composition: String, CaseIterable, Sendable, Codable {
        case spaced, queue, crowd
    }

    public struct Settings: Sendable, Equatable {
        public var width = 1280, height = 720
        public var fps = 25.0
        public var lanes = 3
        public var composition = Composition.queue
        public var seed: UInt64 = 1
        /// Face box side when a person appears (far) and when they are nearest, in frame pixels.
        public var smallestFace: Float = 45
        public var largestFace: Float = 100
        /// Empty frames between two people in a lane (`spaced`).
        public var gapFrames = 20
        /// JPEG quality frames are put through (1...100), 0 for none.
        public var jpegQuality = 80
        public init() {}
    }

    /// One person who walks in: their photo cut around the face, and where the face is in the cut.
    public struct Walker: Sendable {
        public var identity: String?
        public var photo: String
        public var picture: Image
        /// The detector's face box in `picture`'s pixels.
        public var face: Face.Box
        public init(identity: String?, photo: String, picture: Image, face: Face.Box) {
            self.identity = identity
            self.photo = photo
            self.picture = picture
            self.face = face
        }
    }

    /// One walk of one person through the frame.
    public struct Appearance: Sendable {
        public var walker: Int
        public var lane: Int
        /// First frame of the approach; the approach lasts `approachFrames`, then the exit `exitFrames`.
        public var start: Int
        public var approachFrames: Int
        public var exitFrames: Int
        /// Face centre and side at the start and at the end of the approach.
        public var from: (x: Float, y: Float, side: Float)
        public var to: (x: Float, y: Float, side: Float)
        /// Pixels per frame the face slides sideways while leaving.
        public var exitSpeed: Float
        public var angle: Float
        public var brightness: Float
        public var lastFrame: Int { start + approachFrames + exitFrames - 1 }
    }

    /// Where one walker's face is in one frame.
    public struct TruthFace: Sendable, Equatable {
        public var walker: Int
        public var box: Face.Box
    }

    public let settings: Settings
    public let walkers: [Walker]
    public let appearances: [Appearance]
    public let frameCount: Int
    private let background: Image

    /// Lays out the walk of every walker, in order, on `background` (a plain corridor when nil).
    public init(walkers: [Walker], settings: Settings, background: Image? = nil) throws {
        precondition(settings.lanes >= 1, "at least one lane")
        self.settings = settings
        self.walkers = walkers
        var random = SplitMix64(seed: settings.seed)
        appearances = Self.layout(walkers.count, settings: settings, random: &random)
        frameCount = (appearances.map(\.lastFrame).max() ?? -1) + 1 + 10
        self.background = try background.map { try $0.resized(width: settings.width, height: settings.height) }
            ?? Self.corridor(width: settings.width, height: settings.height, random: &random)
    }

    /// Frame `index` and where each visible face is.
    public func render(frame index: Int) throws -> (image: Image, faces: [TruthFace]) {
        var placed: [(layer: ImageLayer, truth: TruthFace, side: Float)] = []
        for appearance in appearances where (appearance.start...appearance.lastFrame).contains(index) {
            let walker = walkers[appearance.walker]
            let (cx, cy, side) = Self.position(of: appearance, at: index)
            let scale = side / max(walker.face.width, walker.face.height)
            // The picture's centre is placed so that its face lands on (cx, cy).
            let faceX = walker.face.x + walker.face.width / 2, faceY = walker.face.y + walker.face.height / 2
            let pictureX = Float(walker.picture.width) / 2, pictureY = Float(walker.picture.height) / 2
            let layer = ImageLayer(image: walker.picture, centerX: cx + (pictureX - faceX) * scale,
                                   centerY: cy + (pictureY - faceY) * scale, scale: scale, angleDegrees: appearance.angle,
                                   feather: 0.15, brightness: appearance.brightness)
            let box = Face.Box(x: cx - walker.face.width * scale / 2, y: cy - walker.face.height * scale / 2,
                               width: walker.face.width * scale, height: walker.face.height * scale)
            placed.append((layer, TruthFace(walker: appearance.walker, box: box), side))
        }
        // Nearer (larger) faces are drawn last: they hide the farther ones.
        placed.sort { $0.side < $1.side }
        var image = try Image.composed(onto: background, layers: placed.map(\.layer))
        if settings.jpegQuality > 0 { image = try image.jpegRoundTrip(quality: settings.jpegQuality) }
        let frame = Face.Box(x: 0, y: 0, width: Float(settings.width), height: Float(settings.height))
        let visible = placed.map(\.truth).filter { $0.box.iou(frame) > 0 }
        return (image, visible)
    }

    /// The first and last frame each walker is in view.
    public func span(of walker: Int) -> ClosedRange<Int>? {
        let mine = appearances.filter { $0.walker == walker }
        guard let first = mine.map(\.start).min(), let last = mine.map(\.lastFrame).max() else { return nil }
        return first...last
    }

    // MARK: - Layout

    static func position(of a: Appearance, at frame: Int) -> (x: Float, y: Float, side: Float) {
        if frame < a.start + a.approachFrames {
            let u = a.approachFrames > 1 ? Float(frame - a.start) / Float(a.approachFrames - 1) : 1
            // Perspective: the face's size grows as the distance shrinks, 1/size linear in time; the position moves
            // with the size.
            let side = 1 / (1 / a.from.side + (1 / a.to.side - 1 / a.from.side) * u)
            let v = a.to.side == a.from.side ? u : (side - a.from.side) / (a.to.side - a.from.side)
            return (a.from.x + (a.to.x - a.from.x) * v, a.from.y + (a.to.y - a.from.y) * v, side)
        }
        let steps = Float(frame - (a.start + a.approachFrames) + 1)
        return (a.to.x + a.exitSpeed * steps, a.to.y, a.to.side)
    }

    static func layout(_ count: Int, settings s: Settings, random: inout SplitMix64) -> [Appearance] {
        let w = Float(s.width), h = Float(s.height)
        func laneX(_ lane: Int) -> Float { w * (Float(lane) + 0.5) / Float(s.lanes) }
        func walk(_ walker: Int, lane: Int, start: Int, toLane: Int? = nil) -> Appearance {
            let endLane = toLane ?? lane
            let from = (x: laneX(lane) + random.uniform(-0.04, 0.04) * w, y: h * random.uniform(0.28, 0.36),
                        side: random.uniform(s.smallestFace, s.smallestFace * 1.15))
            // Everyone passes the door at about the same distance from the camera: the nearest face sizes differ by
            // head size only.
            let to = (x: laneX(endLane) + random.uniform(-0.05, 0.05) * w, y: h * random.uniform(0.50, 0.60),
                      side: random.uniform(s.largestFace * 0.92, s.largestFace))
            // Out sideways, towards the nearer edge (the middle lane picks a side).
            let leftward = to.x < w / 2 || (abs(to.x - w / 2) < 1 && random.next() % 2 == 0)
            return Appearance(walker: walker, lane: lane, start: start, approachFrames: Int(random.uniform(1.8, 2.8) * Float(s.fps)),
                              exitFrames: 10, from: from, to: to, exitSpeed: (leftward ? -1 : 1) * to.side * 0.6,
                              angle: random.uniform(-6, 6), brightness: random.uniform(0.85, 1.15))
        }
        var result: [Appearance] = []
        var laneFree = [Int](repeating: 0, count: s.lanes)
        var previous = [Appearance?](repeating: nil, count: s.lanes)
        for walker in 0..<count {
            // The lane that frees up first takes the next person (ties: the lowest lane).
            let lane = laneFree.indices.min { laneFree[$0] < laneFree[$1] }!
            var a: Appearance
            switch s.composition {
            case .spaced:
                a = walk(walker, lane: lane, start: laneFree[lane])
                laneFree[lane] = a.lastFrame + 1 + s.gapFrames
            case .queue:
                a = walk(walker, lane: lane, start: laneFree[lane])
                if let last = previous[lane] {
                    // Standing right behind the last person: where they were when they vanished, a step farther away.
                    let side = last.to.side * random.uniform(0.78, 0.9)
                    a.from = (x: last.to.x + random.uniform(-0.1, 0.1) * side, y: last.to.y - random.uniform(0, 0.2) * side, side: side)
                    a.approachFrames = Int(random.uniform(1.0, 1.6) * Float(s.fps))
                }
                a.exitFrames = 0   // through the door, under the camera: gone from one frame to the next
                laneFree[lane] = a.lastFrame + 1
            case .crowd:
                let toLane = s.lanes > 1 && random.next() % 3 == 0 ? Int(random.next() % UInt64(s.lanes)) : lane
                let start = max(0, laneFree[lane] + Int(random.uniform(-18, 12)))
                a = walk(walker, lane: lane, start: start, toLane: toLane)
                laneFree[lane] = start + a.approachFrames
            }
            previous[lane] = a
            result.append(a)
        }
        return result
    }

    /// A plain corridor: a wall darkening towards the top, a lighter floor, a door frame; the same for a seed.
    static func corridor(width: Int, height: Int, random: inout SplitMix64) throws -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let tint = (b: random.uniform(0.9, 1.1), g: random.uniform(0.9, 1.1), r: random.uniform(0.9, 1.1))
        let floorLine = Int(Float(height) * 0.72)
        let doorLeft = Int(Float(width) * 0.12), doorRight = Int(Float(width) * 0.88), doorTop = Int(Float(height) * 0.08)
        for y in 0..<height {
            for x in 0..<width {
                let wall: Float = 70 + 60 * Float(y) / Float(floorLine)
                let floor: Float = 150 + 30 * Float(y - floorLine) / Float(height - floorLine)
                var v = y < floorLine ? wall : floor
                let onPost = (abs(x - doorLeft) < 10 || abs(x - doorRight) < 10) && y > doorTop
                let onLintel = abs(y - doorTop) < 10 && x > doorLeft && x < doorRight
                let onFrame = onPost || onLintel
                if onFrame { v *= 0.55 }
                let i = (y * width + x) * 3
                pixels[i] = UInt8(min(255, v * tint.b)); pixels[i + 1] = UInt8(min(255, v * tint.g)); pixels[i + 2] = UInt8(min(255, v * tint.r))
            }
        }
        return try Image(bgr: pixels, width: width, height: height)
    }
}

extension SplitMix64 {
    /// Uniform in lo...hi.
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
}
