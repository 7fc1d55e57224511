import FaceEngine

/// Follows faces from frame to frame by box overlap, so one person walking through the gate is one track.
///
/// - Each detection joins the open track whose last box overlaps it most (IoU ≥ `minimumIoU`), greedily, best pair
///   first. A detection that overlaps none may still join a track whose centre is within `maximumJump` face widths
///   and whose size is similar: this covers fast walkers and frames dropped on a live source.
/// - Detections left over open new tracks; a track not seen for more than `maximumMisses` frames is closed.
public struct FaceTracker: Sendable {
    /// One followed face.
    public struct Track: Sendable, Equatable {
        public let id: Int
        /// Box in the latest frame the face was seen in.
        public var box: Face.Box
        /// Index of the latest frame the face was seen in.
        public var lastFrame: Int
        /// Frames the face was seen in.
        public var hits: Int
    }

    /// Tunables with defaults that suit an entrance camera at 15–30 frames/s.
    public struct Configuration: Sendable, Equatable {
        public var minimumIoU: Float = 0.25
        public var maximumJump: Float = 0.75
        public var maximumMisses = 8
        public init() {}
    }

    public let configuration: Configuration
    public private(set) var tracks: [Track] = []
    private var nextID = 1

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Associates one frame's detections with the open tracks.
    ///
    /// - Returns: for each detection (same order) its track id, and the tracks closed by this frame.
    public mutating func update(frame: Int, boxes: [Face.Box]) -> (assignments: [Int], closed: [Track]) {
        var assignment = [Int?](repeating: nil, count: boxes.count)
        var taken = Set<Int>()
        // Candidate pairs, best first: overlap pairs before proximity pairs.
        var pairs: [(score: Float, detection: Int, track: Int)] = []
        for (d, box) in boxes.enumerated() {
            for (t, track) in tracks.enumerated() {
                let overlap = Self.iou(box, track.box)
                if overlap >= configuration.minimumIoU {
                    pairs.append((1 + overlap, d, t))
                } else if let closeness = proximity(box, track.box) {
                    pairs.append((closeness, d, t))
                }
            }
        }
        pairs.sort { $0.score > $1.score }
        for pair in pairs where assignment[pair.detection] == nil && !taken.contains(pair.track) {
            assignment[pair.detection] = pair.track
            taken.insert(pair.track)
        }
        var ids = [Int](repeating: 0, count: boxes.count)
        for (d, box) in boxes.enumerated() {
            if let t = assignment[d] {
                tracks[t].box = box
                tracks[t].lastFrame = frame
                tracks[t].hits += 1
                ids[d] = tracks[t].id
            } else {
                tracks.append(Track(id: nextID, box: box, lastFrame: frame, hits: 1))
                ids[d] = nextID
                nextID += 1
            }
        }
        let closed = tracks.filter { frame - $0.lastFrame > configuration.maximumMisses }
        tracks.removeAll { frame - $0.lastFrame > configuration.maximumMisses }
        return (ids, closed)
    }

    /// Closes every open track (end of stream).
    public mutating func closeAll() -> [Track] {
        defer { tracks.removeAll() }
        return tracks
    }

    /// Intersection over union of two boxes, 0...1.
    public static func iou(_ a: Face.Box, _ b: Face.Box) -> Float {
        let x0 = max(a.x, b.x), y0 = max(a.y, b.y)
        let x1 = min(a.x + a.width, b.x + b.width), y1 = min(a.y + a.height, b.y + b.height)
        let intersection = max(0, x1 - x0) * max(0, y1 - y0)
        let union = a.area + b.area - intersection
        return union > 0 ? intersection / union : 0
    }

    /// A score in 0..<1 when `a` is near `b` and of similar size, else `nil`.
    private func proximity(_ a: Face.Box, _ b: Face.Box) -> Float? {
        let ratio = a.width / max(b.width, 1)
        guard ratio > 0.6 && ratio < 1.6 else { return nil }
        let dx = (a.x + a.width / 2) - (b.x + b.width / 2), dy = (a.y + a.height / 2) - (b.y + b.height / 2)
        let jump = (dx * dx + dy * dy).squareRoot() / max(b.width, 1)
        guard jump <= configuration.maximumJump else { return nil }
        return 1 - jump / configuration.maximumJump * 0.999
    }
}
