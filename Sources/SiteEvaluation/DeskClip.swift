import FaceEngine
import Foundation
import RollCall

/// A delegate at the registration desk, filmed: their photo's face held before a camera for a few seconds, swaying a
/// little, turning a little, in changing light, every frame through a camera stream's JPEG round trip. What
/// `rollcall eval entrance --desk` enrolls each delegate from, so that templates come from the same kind of camera
/// as the gate's (the frames are real faces; the motion is synthetic).
public struct DeskClip: Sendable {
    public static let width = 640, height = 480
    public let frames: Int
    private let walker: EntranceScene.Walker
    private let background: Image
    private let faceSide: Float
    private let seed: UInt64

    /// - Parameter faceSide: the face's longer side at the desk, pixels (the desk camera is close).
    public init(walker: EntranceScene.Walker, seconds: Double = 3, fps: Double = 25, faceSide: Float = 150, seed: UInt64) throws {
        self.walker = walker
        self.frames = Int(seconds * fps)
        self.faceSide = faceSide
        self.seed = seed
        var random = SplitMix64(seed: seed)
        background = try EntranceScene.corridor(width: Self.width, height: Self.height, random: &random)
    }

    /// Frame `index` (0..<frames).
    public func frame(_ index: Int) throws -> Image {
        let t = Float(index) / Float(max(1, frames - 1))
        let phase = Float(seed % 628) / 100
        let side = faceSide * (1 + 0.06 * sin(2 * .pi * t + phase))
        let scale = side / max(walker.face.width, walker.face.height)
        let cx = Float(Self.width) / 2 + 12 * sin(3 * .pi * t + phase), cy = Float(Self.height) / 2 + 6 * cos(2 * .pi * t)
        let faceX = walker.face.x + walker.face.width / 2, faceY = walker.face.y + walker.face.height / 2
        let layer = ImageLayer(image: walker.picture,
                               centerX: cx + (Float(walker.picture.width) / 2 - faceX) * scale,
                               centerY: cy + (Float(walker.picture.height) / 2 - faceY) * scale, scale: scale,
                               angleDegrees: 4 * sin(2 * .pi * t + phase * 2), feather: 0.15,
                               brightness: 1 + 0.1 * sin(4 * .pi * t))
        return try Image.composed(onto: background, layers: [layer]).jpegRoundTrip(quality: 80)
    }
}
