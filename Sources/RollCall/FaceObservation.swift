/// A point in image pixels (origin top-left, y down).
public struct Point: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// An axis-aligned box in image pixels.
public struct Box: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    /// Area in square pixels.
    public var area: Double { max(width, 0) * max(height, 0) }
}

/// One detected face as the engine reports it; what the quality gates judge.
public struct FaceObservation: Sendable, Equatable, Codable {
    /// Face box.
    public var box: Box
    /// Five landmarks, in the detector's order: image-left eye, image-right eye, nose tip, image-left mouth corner,
    /// image-right mouth corner. "Image-left" is the smaller x, i.e. the subject's right eye.
    public var landmarks: [Point]
    /// Detector confidence in 0...1.
    public var detectorScore: Double
    /// Variance of the Laplacian over the face crop (grey, 8-bit scale), computed by the engine; higher is sharper.
    public var sharpness: Double
    /// Width of the whole image, pixels.
    public var imageWidth: Int
    /// Height of the whole image, pixels.
    public var imageHeight: Int

    public init(box: Box, landmarks: [Point], detectorScore: Double, sharpness: Double, imageWidth: Int, imageHeight: Int) {
        precondition(landmarks.count == 5, "a face has 5 landmarks")
        self.box = box
        self.landmarks = landmarks
        self.detectorScore = detectorScore
        self.sharpness = sharpness
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
    }

    public var leftEye: Point { landmarks[0] }
    public var rightEye: Point { landmarks[1] }
    public var nose: Point { landmarks[2] }
    public var leftMouth: Point { landmarks[3] }
    public var rightMouth: Point { landmarks[4] }
}
