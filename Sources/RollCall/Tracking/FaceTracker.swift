/// Follows faces from frame to frame by where their boxes are heading, so one person walking through the gate is one
/// track — and says when a detection continues its track less than smoothly, because at a door the next person in
/// the queue steps into the place the last one just left, and only their face can tell them apart.
///
/// - Each track predicts its next box from its smoothed motion (centre and width per frame). A detection joins the
///   open track whose prediction it overlaps most (IoU ≥ `minimumIoU`), greedily, best pair first; one that
///   overlaps none may join a track whose predicted centre is within `maximumJump` predicted widths and whose size
///   is similar (a fast walker, or frames dropped on a live source).
/// - A detection is *steady* when it overlaps the prediction in the very next frame, without a jump in size
///   (`steadySizeChange`) or place. Anything else — a proximity link, a gap, a sudden change of size — may be
///   someone else, and the pipeline checks it by appearance (`RecognitionPipeline`).
/// - Detections left over open new tracks; a track not seen for more than `maximumMisses` frames is closed.
/// - `split(_:)` ends a track and lets its latest detection go on under a new id: what the pipeline does when the
///   face in a track stops looking like the face it began with.
public struct FaceTracker: Sendable {
    /// One followed face.
    public struct Track: Sendable, Equatable {
        public let id: Int
        /// Box in the latest frame the face was seen in.
        public var box: Box
        /// Index of the first and the latest frame the face was seen in.
        public let firstFrame: Int
        public var lastFrame: Int
        /// Frames the face was seen in.
        public var hits: Int
        /// Smoothed change per frame of the box's centre (x, y) and width.
        var motion = Motion()
    }

    struct Motion: Sendable, Equatable {
        var dx = 0.0, dy = 0.0, dw = 0.0
    }

    /// Tunables with defaults that suit an entrance camera at 10–30 frames/s.
    public struct Configuration: Sendable, Equatable {
        /// Overlap with the predicted box that links a detection to a track.
        public var minimumIoU = 0.3
        /// Farthest a detection's centre may land from a track's predicted centre, in predicted widths, to join it
        /// without overlapping.
        public var maximumJump = 0.75
        /// Frames a track may go unseen before it is closed.
        public var maximumMisses = 8
        /// Largest relative change of width against the prediction that still counts as steady.
        public var steadySizeChange = 0.15
        public init() {}
    }

    /// How a detection was linked.
    public struct Assignment: Sendable, Equatable {
        public var trackID: Int
        /// Opened a new track.
        public var isNew: Bool
        /// Continued its track smoothly (see the type's documentation); false for a new track.
        public var steady: Bool
    }

    public let configuration: Configuration
    public private(set) var tracks: [Track] = []
    private var nextID = 1

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Associates one frame's detections with the open tracks.
    ///
    /// - Returns: for each detection (same order) how it was linked, and the tracks closed by this frame.
    public mutating func update(frame: Int, boxes: [Box]) -> (assignments: [Assignment], closed: [Track]) {
        var pairs: [(score: Double, detection: Int, track: Int)] = []
        for (d, box) in boxes.enumerated() {
            for (t, track) in tracks.enumerated() {
                let predicted = Self.predict(track, at: frame)
                let overlap = max(Self.iou(box, predicted), Self.iou(box, track.box))
                if overlap >= configuration.minimumIoU {
                    pairs.append((1 + overlap, d, t))
                } else if let closeness = proximity(box, predicted) {
                    pairs.append((closeness, d, t))
                }
            }
        }
        pairs.sort { $0.score > $1.score }
        var assignment = [Int?](repeating: nil, count: boxes.count)
        var linkScore = [Double](repeating: 0, count: boxes.count)
        var taken = Set<Int>()
        for pair in pairs where assignment[pair.detection] == nil && !taken.contains(pair.track) {
            assignment[pair.detection] = pair.track
            linkScore[pair.detection] = pair.score
            taken.insert(pair.track)
        }
        var result: [Assignment] = []
        for (d, box) in boxes.enumerated() {
            if let t = assignment[d] {
                let steady = isSteady(box, continuing: tracks[t], at: frame, overlapped: linkScore[d] > 1)
                advance(&tracks[t], to: box, at: frame)
                result.append(Assignment(trackID: tracks[t].id, isNew: false, steady: steady))
            } else {
                result.append(Assignment(trackID: open(box, at: frame), isNew: true, steady: false))
            }
        }
        let closed = tracks.filter { frame - $0.lastFrame > configuration.maximumMisses }
        tracks.removeAll { frame - $0.lastFrame > configuration.maximumMisses }
        return (result, closed)
    }

    /// Ends track `id` and continues its latest detection as a new track.
    ///
    /// - Returns: the ended track and the new track's id; `nil` when no such track is open.
    public mutating func split(_ id: Int) -> (ended: Track, newID: Int)? {
        guard let index = tracks.firstIndex(where: { $0.id == id }) else { return nil }
        let ended = tracks.remove(at: index)
        return (ended, open(ended.box, at: ended.lastFrame))
    }

    /// Closes every open track (end of stream).
    public mutating func closeAll() -> [Track] {
        defer { tracks.removeAll() }
        return tracks
    }

    /// Intersection over union of two boxes, 0...1.
    public static func iou(_ a: Box, _ b: Box) -> Double {
        let x0 = max(a.x, b.x), y0 = max(a.y, b.y)
        let x1 = min(a.x + a.width, b.x + b.width), y1 = min(a.y + a.height, b.y + b.height)
        let intersection = max(0, x1 - x0) * max(0, y1 - y0)
        let union = a.area + b.area - intersection
        return union > 0 ? intersection / union : 0
    }

    // MARK: - Motion

    private mutating func open(_ box: Box, at frame: Int) -> Int {
        tracks.append(Track(id: nextID, box: box, firstFrame: frame, lastFrame: frame, hits: 1))
        nextID += 1
        return nextID - 1
    }

    private func advance(_ track: inout Track, to box: Box, at frame: Int) {
        let gap = Double(max(1, frame - track.lastFrame))
        let observed = Motion(dx: (box.centerX - track.box.centerX) / gap, dy: (box.centerY - track.box.centerY) / gap,
                              dw: (box.width - track.box.width) / gap)
        // Smoothed, so one jittery detection does not throw the prediction off; a new track takes its first step whole.
        let keep = track.hits > 1 ? 0.5 : 0
        track.motion = Motion(dx: keep * track.motion.dx + (1 - keep) * observed.dx,
                              dy: keep * track.motion.dy + (1 - keep) * observed.dy,
                              dw: keep * track.motion.dw + (1 - keep) * observed.dw)
        track.box = box
        track.lastFrame = frame
        track.hits += 1
    }

    /// Where the track's box should be at `frame`.
    static func predict(_ track: Track, at frame: Int) -> Box {
        let steps = Double(frame - track.lastFrame)
        let width = max(1, track.box.width + track.motion.dw * steps)
        let height = track.box.height * width / max(track.box.width, 1)
        let cx = track.box.centerX + track.motion.dx * steps, cy = track.box.centerY + track.motion.dy * steps
        return Box(x: cx - width / 2, y: cy - height / 2, width: width, height: height)
    }

    private func isSteady(_ box: Box, continuing track: Track, at frame: Int, overlapped: Bool) -> Bool {
        guard overlapped, frame - track.lastFrame == 1 else { return false }
        let predicted = Self.predict(track, at: frame)
        let sizeChange = abs(box.width / predicted.width - 1)
        let shift = ((box.centerX - predicted.centerX) * (box.centerX - predicted.centerX)
            + (box.centerY - predicted.centerY) * (box.centerY - predicted.centerY)).squareRoot() / predicted.width
        return sizeChange <= configuration.steadySizeChange && shift <= 0.25
    }

    /// A score in 0..<1 when `a` is near `b` and of similar size, else `nil`.
    private func proximity(_ a: Box, _ b: Box) -> Double? {
        let ratio = a.width / max(b.width, 1)
        guard ratio > 0.67 && ratio < 1.5 else { return nil }
        let dx = a.centerX - b.centerX, dy = a.centerY - b.centerY
        let jump = (dx * dx + dy * dy).squareRoot() / max(b.width, 1)
        guard jump <= configuration.maximumJump else { return nil }
        return 1 - jump / configuration.maximumJump * 0.999
    }
}

extension Box {
    public var centerX: Double { x + width / 2 }
    public var centerY: Double { y + height / 2 }
}
