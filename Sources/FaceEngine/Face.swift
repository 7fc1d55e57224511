/// A face found by the detector, in the pixel coordinates of the image it was found in.
public struct Face: Sendable, Codable, Equatable {
    public struct Box: Sendable, Codable, Equatable {
        public var x: Float, y: Float, width: Float, height: Float
        public init(x: Float, y: Float, width: Float, height: Float) {
            self.x = x; self.y = y; self.width = width; self.height = height
        }
        public var area: Float { width * height }
        /// Intersection over union, 0...1.
        public func iou(_ other: Box) -> Float {
            let x0 = max(x, other.x), y0 = max(y, other.y)
            let x1 = min(x + width, other.x + other.width), y1 = min(y + height, other.y + other.height)
            let intersection = max(0, x1 - x0) * max(0, y1 - y0)
            let union = area + other.area - intersection
            return union > 0 ? intersection / union : 0
        }
        public func contains(x px: Float, y py: Float) -> Bool {
            px >= x && px <= x + width && py >= y && py <= y + height
        }
    }

    public struct Point: Sendable, Codable, Equatable {
        public var x: Float, y: Float
        public init(x: Float, y: Float) { self.x = x; self.y = y }
    }

    public var box: Box
    /// Detector confidence in 0...1.
    public var score: Float
    /// Five landmarks in image order: image-left eye, image-right eye, nose tip, image-left mouth corner,
    /// image-right mouth corner.
    public var landmarks: [Point]

    public init(box: Box, score: Float, landmarks: [Point]) {
        self.box = box
        self.score = score
        self.landmarks = landmarks
    }

    var flatLandmarks: [Float] { landmarks.flatMap { [$0.x, $0.y] } }
}

extension Array where Element == Face {
    /// The face with the largest box.
    public var largest: Face? { self.max { $0.box.area < $1.box.area } }

    /// The face a photo is "of": large and near the centre. Scores each face by its box area minus twice
    /// the squared distance from its centre to the image's (the rule InsightFace uses to pick the main
    /// face), so a bystander cut off at the border does not win on box size alone.
    public func mainSubject(imageWidth: Int, imageHeight: Int) -> Face? {
        let cx = Float(imageWidth) / 2, cy = Float(imageHeight) / 2
        func value(_ f: Face) -> Float {
            let dx = f.box.x + f.box.width / 2 - cx, dy = f.box.y + f.box.height / 2 - cy
            return f.box.area - 2 * (dx * dx + dy * dy)
        }
        return self.max { value($0) < value($1) }
    }
}
