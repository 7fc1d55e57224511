import FaceEngine
import Foundation
import RollCall

/// Enrollment at the registration desk: a few seconds of a camera, and the best distinct views of the one face in
/// front of it, so that a delegate's template comes from the same kind of camera as the gates.
///
/// - Every frame is looked at: a frame with no face, or with another face more than half as large as the main one (a
///   second person at the desk), is skipped; the main face must pass the enrollment gates' refusals.
/// - The views kept are the best by quality (detector score × size up to the chip's 112 px × frontality), each at
///   least `minimumDistance` (1 − cosine) from every view already kept and `minimumGap` frames from it, so that five
///   views are five looks, not one frame five times.
/// - Only a small crop around each kept face stays in memory; nothing is written to disk.
public struct DeskCapture {
    public struct Options: Sendable {
        /// Seconds of the source to look at (a file: that many seconds of it at its own frame rate).
        public var seconds = 4.0
        /// Views to keep.
        public var views = 5
        public var minimumDistance: Float = 0.02
        public var minimumGap = 5
        public var gate = QualityGate()
        public init() {}
    }

    /// One kept view: a crop of the frame around the face, the face in the crop's pixels.
    public struct View: Sendable {
        public var image: Image
        public var face: Face
        public var frameIndex: Int
        public var quality: Float
    }

    public struct Result: Sendable {
        public var views: [View]
        public var framesRead: Int
        /// Frames skipped, by reason.
        public var skipped: [String: Int]
    }

    public let engine: FaceEngine
    public let options: Options

    public init(engine: FaceEngine, options: Options = Options()) {
        self.engine = engine
        self.options = options
    }

    /// Looks at frames from `next` (nil ends) at `fps` until `options.seconds` of them have been seen.
    public func capture(fps: Double, next: () throws -> Image?) throws -> Result {
        let limit = max(1, Int((options.seconds * fps).rounded()))
        var candidates: [(view: View, embedding: [Float])] = []
        var skipped: [String: Int] = [:]
        var index = 0
        while index < limit, let frame = try next() {
            defer { index += 1 }
            let faces = try engine.detect(frame)
            let observations = try faces.map { try FaceObservation($0, in: frame) }
            guard case .success(let selection) = options.gate.selectFace(from: observations, photo: "frame \(index)", largest: false) else {
                skipped[faces.isEmpty ? "no face" : "several people", default: 0] += 1
                continue
            }
            let assessment = options.gate.assess(selection.face, photo: "frame \(index)")
            if let refusal = assessment.refusals.first {
                skipped[refusal.check.rawValue, default: 0] += 1
                continue
            }
            let face = faces[observations.firstIndex(of: selection.face)!]
            let frontality = Float(max(0, 1 - abs(QualityGate.pose(of: selection.face).yawRatio)))
            let quality = face.score * min(1, max(face.box.width, face.box.height) / 112) * frontality
            // Keep a crop, not the frame: 2.2 face sides around the face.
            let side = max(face.box.width, face.box.height) * 2.2
            let x = face.box.x + face.box.width / 2 - side / 2, y = face.box.y + face.box.height / 2 - side / 2
            let out = Int(side.rounded())
            let scale = Float(out) / side
            let crop = try frame.region(x: x, y: y, side: side, outSide: out, replicateEdges: true)
            let moved = Face(box: .init(x: (face.box.x - x) * scale, y: (face.box.y - y) * scale, width: face.box.width * scale,
                                        height: face.box.height * scale),
                             score: face.score, landmarks: face.landmarks.map { .init(x: ($0.x - x) * scale, y: ($0.y - y) * scale) })
            let embedding = try engine.embed(crop, faces: [moved])[0].vector
            candidates.append((View(image: crop, face: moved, frameIndex: index, quality: quality), embedding))
        }
        var kept: [(view: View, embedding: [Float])] = []
        for candidate in candidates.sorted(by: { $0.view.quality > $1.view.quality }) where kept.count < options.views {
            let distinct = kept.allSatisfy { other in
                abs(other.view.frameIndex - candidate.view.frameIndex) >= options.minimumGap
                    && 1 - zip(other.embedding, candidate.embedding).map(*).reduce(0, +) >= options.minimumDistance
            }
            if distinct { kept.append(candidate) }
        }
        return Result(views: kept.map(\.view).sorted { $0.frameIndex < $1.frameIndex }, framesRead: index, skipped: skipped)
    }
}
