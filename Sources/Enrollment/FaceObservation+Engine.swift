import FaceEngine
import RollCall

extension FaceObservation {
    /// What the quality gates need to know about a detected face: geometry, detector score, sharpness.
    public init(_ face: Face, in image: Image) throws {
        self.init(
            box: Box(x: Double(face.box.x), y: Double(face.box.y), width: Double(face.box.width), height: Double(face.box.height)),
            landmarks: face.landmarks.map { Point(x: Double($0.x), y: Double($0.y)) },
            detectorScore: Double(face.score),
            sharpness: try image.sharpness(in: face.box),
            imageWidth: image.width, imageHeight: image.height)
    }
}
