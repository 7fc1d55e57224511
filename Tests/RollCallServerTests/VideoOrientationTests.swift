import FaceEngine
import Foundation
import RollCallServer
import Testing

/// Phones store video sideways and record in the file how to turn it for display; some entrance cameras are
/// mounted on their side. Either way the detector must see faces upright.
@Suite struct VideoOrientationTests {
    /// Obama's photo, small enough for a quick clip.
    static let upright: Image = {
        do { return try Image(contentsOf: ServerFixtures.photo("obama.jpg")).limited(toWidth: 400) } catch {
            fatalError("test photo missing: run `make models` (\(error))")
        }
    }()

    /// A QuickTime clip of `upright` stored turned clockwise by `stored` degrees. When `tagged`, the track's
    /// display matrix says how to turn it back, as a phone writes it (the matrix players and ffmpeg follow).
    static func clip(stored: Int, tagged: Bool, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("stored-\(stored)\(tagged ? "-tagged" : "").mov").path
        let frame = stored == 0 ? upright : try upright.rotated(clockwise: stored)
        let writer = try VideoWriter(path: path, width: frame.width, height: frame.height, fps: 10)
        for _ in 0..<3 { try writer.write(frame) }
        writer.close()
        if tagged { try setDisplayRotation((360 - stored) % 360, ofQuickTimeFile: path) }
        return path
    }

    /// Writes the matrix "turn clockwise by `degrees` for display" into the file's `tkhd` box (ISO/IEC 14496-12
    /// §8.3.2: a, b, u, c, d, v, x, y, w; a–d and x, y in 16.16 fixed point, u, v, w in 2.30).
    static func setDisplayRotation(_ degrees: Int, ofQuickTimeFile path: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let tkhd = try #require(bytes.indices.dropLast(4).first { bytes[$0..<$0 + 4].elementsEqual("tkhd".utf8) })
        let version = bytes[tkhd + 4]  // the box's size field is the 4 bytes before its type
        let matrix = tkhd + 4 + (version == 0 ? 40 : 52)
        let (cos, sin): (Int32, Int32) = [90: (0, 1), 180: (-1, 0), 270: (0, -1)][degrees] ?? (1, 0)
        let values: [Int32] = [cos << 16, sin << 16, 0, -sin << 16, cos << 16, 0, 0, 0, 1 << 30]
        for (i, value) in values.enumerated() {
            withUnsafeBytes(of: value.bigEndian) { bytes.replaceSubrange(matrix + 4 * i ..< matrix + 4 * i + 4, with: $0) }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The face in `frame` sits where it sits in the upright photo, eyes above the mouth.
    static func expectUpright(_ frame: Image?, _ what: String) throws {
        let frame = try #require(frame, "\(what): no frame")
        #expect(frame.width == upright.width && frame.height == upright.height, "\(what): \(frame.width)×\(frame.height)")
        let reference = try #require(try ServerFixtures.engine.detect(upright).largest)
        let face = try #require(try ServerFixtures.engine.detect(frame).largest, "\(what): no face")
        #expect(abs(face.box.x - reference.box.x) < 6 && abs(face.box.y - reference.box.y) < 6,
                "\(what): face at \(face.box), upright at \(reference.box)")
        #expect(face.landmarks[0].y < face.landmarks[3].y && face.landmarks[1].y < face.landmarks[4].y, "\(what): eyes below mouth")
    }

    @Test(arguments: [90, 180, 270])
    func phoneVideoIsReadUpright(stored: Int) throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try VideoSource(try Self.clip(stored: stored, tagged: true, in: directory))
        try Self.expectUpright(try source.read(), "stored at \(stored)°, tagged")
    }

    @Test func sideMountedCameraIsTurnedByItsRotation() throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.clip(stored: 90, tagged: false, in: directory)
        let asStored = try #require(try VideoSource(path).read())
        #expect(asStored.width == Self.upright.height)  // nothing in the file says to turn it
        try Self.expectUpright(try VideoSource(path, rotation: 270).read(), "stored at 90°, rotate 270")
        let refused = #expect(throws: FaceEngineError.self) { try VideoSource(path, rotation: 45) }
        #expect(refused?.description.contains("rotation must be 0, 90, 180 or 270 degrees, not 45") == true)
    }
}
