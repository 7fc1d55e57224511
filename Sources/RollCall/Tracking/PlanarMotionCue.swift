/// Whether a track's face moves as a flat picture does: a photo held up to the camera (printed or on a phone) is a
/// plane, and the five landmarks of a plane move from frame to frame by one homography; a real head's nose stands
/// off the plane of its eyes and mouth, and as the head turns or nods it moves where no homography of the other four
/// points puts it.
///
/// - For every pair of frames in the window the homography that takes the four outer landmarks (eyes, mouth corners)
///   of one frame exactly onto the other's is found; the *non-planar residual* is how far that homography puts the
///   nose from where it was seen, in face sizes (the mean of the eye distance and the eye-to-mouth distance). The
///   track's value is a high quantile over the pairs, so one badly placed landmark does not decide.
/// - The *deformation* of a pair is how much the outer four changed shape beyond a similarity (shift, turn, scale):
///   the tilt of a plane, the turn of a head. A track that only slid, turned in the image or came nearer shows
///   none, and then a plane and a head look alike: the cue is **undecided**, never "bona fide" by default.
/// - Verdict: a residual at or above `liveAbove` is a real head (`bonaFide`); below it, a track deformed by at least
///   `minimumDeformation` is a `suspectedPhoto`; anything else, or fewer than `minimumFrames` frames, is `undecided`.
///
/// It needs no model, only the landmarks the detector already gives. It cannot tell a replayed video, a phone video
/// of the person, or a 3-D mask from a live face: those are not planes moving rigidly (see BENCHMARKS.md,
/// "Photos held up to the camera").
public struct PlanarMotionCue: Sendable, Equatable {
    /// Thresholds, chosen on the tuning half of `rollcall eval photo-attack` (BENCHMARKS.md).
    public struct Configuration: Sendable, Equatable, Codable {
        /// Latest landmark frames kept and judged together.
        public var window = 30
        /// Fewest frames a verdict other than `undecided` needs.
        public var minimumFrames = 8
        /// Quantile of the pairs' values taken as the track's (0...1).
        public var quantile = 0.8
        /// Non-planar residual, face sizes, at or above which the face is a real head (chosen on the tuning half).
        public var liveAbove = 0.06
        /// Deformation, face sizes, a planar track must show before it is suspected. The tuning half chose 0: on real
        /// landmarks the detector's own jitter deforms every track by 0.01–0.05 face sizes, a photo held still as much
        /// as one tilted, so no gate above zero kept attacks flagged. Consequence: only tracks shorter than
        /// `minimumFrames` are undecided, and a real head held perfectly still would be flagged (a flag, not a refusal).
        public var minimumDeformation = 0.0
        public init() {}
    }

    public enum Verdict: String, Sendable, Equatable, Codable {
        case suspectedPhoto = "suspected_photo"
        case bonaFide = "bona_fide"
        case undecided
    }

    /// What a window of landmarks showed.
    public struct Measure: Sendable, Equatable {
        /// Frames judged.
        public var frames: Int
        /// The quantile of the pairs' non-planar residuals, face sizes.
        public var nonPlanar: Double
        /// The quantile of the pairs' deformations, face sizes.
        public var deformation: Double

        public init(frames: Int, nonPlanar: Double, deformation: Double) {
            self.frames = frames
            self.nonPlanar = nonPlanar
            self.deformation = deformation
        }
    }

    public let configuration: Configuration
    /// The kept frames, each five landmarks in the detector's order (image-left eye, image-right eye, nose tip,
    /// image-left mouth corner, image-right mouth corner).
    public private(set) var frames: [[Point]] = []

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.window >= 2, "the window needs at least two frames")
        precondition(configuration.minimumFrames >= 2, "a verdict needs at least two frames")
        precondition((0...1).contains(configuration.quantile), "quantile must lie in 0...1")
        self.configuration = configuration
    }

    /// Adds one frame's landmarks; frames without five finite landmarks, or with a degenerate face, are skipped.
    public mutating func add(_ landmarks: [Point]) {
        guard Self.normalised(landmarks) != nil else { return }
        frames.append(landmarks)
        if frames.count > configuration.window { frames.removeFirst(frames.count - configuration.window) }
    }

    /// The window holds `window` frames: a caller that judges a track's first frames stops adding here.
    public var isFull: Bool { frames.count >= configuration.window }

    /// The window's measure, `nil` with fewer than two frames.
    public var measure: Measure? { Self.measure(frames, quantile: configuration.quantile) }

    /// The verdict on the frames kept so far.
    public var verdict: Verdict {
        guard frames.count >= configuration.minimumFrames, let m = measure else { return .undecided }
        return Self.verdict(m, configuration: configuration)
    }

    /// The verdict a measure gets under `configuration`.
    public static func verdict(_ m: Measure, configuration: Configuration) -> Verdict {
        guard m.frames >= configuration.minimumFrames else { return .undecided }
        if m.nonPlanar >= configuration.liveAbove { return .bonaFide }
        // Planar so far: only damning when the landmarks moved in a way a head would have shown its nose in.
        return m.deformation >= configuration.minimumDeformation ? .suspectedPhoto : .undecided
    }

    // MARK: - Geometry

    /// The measure of a list of frames (every pair judged), `nil` with fewer than two usable frames.
    public static func measure(_ frames: [[Point]], quantile: Double = Configuration().quantile) -> Measure? {
        let faces = frames.compactMap(normalised)
        guard faces.count >= 2 else { return nil }
        var residuals: [Double] = [], deformations: [Double] = []
        for i in 0..<(faces.count - 1) {
            for j in (i + 1)..<faces.count {
                let a = faces[i], b = faces[j]
                guard let h = Homography(mapping: outer.map { a[$0] }, onto: outer.map { b[$0] }),
                      let nose = h.apply(a[2]) else { continue }
                residuals.append(distance(nose, b[2]))
                deformations.append(similarityResidual(outer.map { a[$0] }, outer.map { b[$0] }))
            }
        }
        guard !residuals.isEmpty else { return nil }
        return Measure(frames: faces.count, nonPlanar: value(residuals, at: quantile),
                       deformation: value(deformations, at: quantile))
    }

    /// Indices of the eyes and the mouth corners.
    private static let outer = [0, 1, 3, 4]

    /// The landmarks moved to the outer four's centroid and divided by the face's size, so that every distance is in
    /// face sizes; `nil` when they are not five finite points or the face has no size.
    static func normalised(_ p: [Point]) -> [Point]? {
        guard p.count == 5, p.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        let eyes = distance(p[0], p[1])
        let eyeMid = Point(x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2)
        let mouthMid = Point(x: (p[3].x + p[4].x) / 2, y: (p[3].y + p[4].y) / 2)
        let size = (eyes + distance(eyeMid, mouthMid)) / 2
        guard size > 1e-6 else { return nil }
        let cx = outer.map { p[$0].x }.reduce(0, +) / 4, cy = outer.map { p[$0].y }.reduce(0, +) / 4
        return p.map { Point(x: ($0.x - cx) / size, y: ($0.y - cy) / size) }
    }

    /// Root-mean-square distance left after the best similarity (least squares) takes `a` onto `b`; both centred.
    static func similarityResidual(_ a: [Point], _ b: [Point]) -> Double {
        let ca = centroid(a), cb = centroid(b)
        // As complex numbers: b ≈ s·a with s = Σ conj(a)·b / Σ |a|².
        var re = 0.0, im = 0.0, norm = 0.0
        for (p, q) in zip(a, b) {
            let (ax, ay, bx, by) = (p.x - ca.x, p.y - ca.y, q.x - cb.x, q.y - cb.y)
            re += ax * bx + ay * by
            im += ax * by - ay * bx
            norm += ax * ax + ay * ay
        }
        guard norm > 0 else { return 0 }
        let (sr, si) = (re / norm, im / norm)
        var sum = 0.0
        for (p, q) in zip(a, b) {
            let (ax, ay) = (p.x - ca.x, p.y - ca.y)
            let dx = sr * ax - si * ay - (q.x - cb.x), dy = si * ax + sr * ay - (q.y - cb.y)
            sum += dx * dx + dy * dy
        }
        return (sum / Double(a.count)).squareRoot()
    }

    private static func centroid(_ p: [Point]) -> Point {
        Point(x: p.map(\.x).reduce(0, +) / Double(p.count), y: p.map(\.y).reduce(0, +) / Double(p.count))
    }

    private static func distance(_ a: Point, _ b: Point) -> Double {
        ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
    }

    /// The value below which a fraction `q` of `values` lies (linear between order statistics).
    static func value(_ values: [Double], at q: Double) -> Double {
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(sorted.count - 1, low + 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}

/// A plane-to-plane projective map, h33 = 1.
struct Homography: Sendable, Equatable {
    /// Row-major h11…h32.
    let h: [Double]

    /// The homography taking four points exactly onto four others; `nil` when three of them are (nearly) collinear.
    init?(mapping from: [Point], onto to: [Point]) {
        precondition(from.count == 4 && to.count == 4, "a homography is fixed by four point pairs")
        // x' (h31 x + h32 y + 1) = h11 x + h12 y + h13, and likewise for y': eight linear equations in eight unknowns.
        var a = [[Double]]()
        for (p, q) in zip(from, to) {
            a.append([p.x, p.y, 1, 0, 0, 0, -p.x * q.x, -p.y * q.x, q.x])
            a.append([0, 0, 0, p.x, p.y, 1, -p.x * q.y, -p.y * q.y, q.y])
        }
        guard let solution = Self.solve(&a) else { return nil }
        h = solution
    }

    /// Where the map sends `p`; `nil` on the line it sends to infinity.
    func apply(_ p: Point) -> Point? {
        let w = h[6] * p.x + h[7] * p.y + 1
        guard abs(w) > 1e-9 else { return nil }
        return Point(x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w)
    }

    /// Gaussian elimination with partial pivoting on an n × (n+1) augmented matrix.
    private static func solve(_ a: inout [[Double]]) -> [Double]? {
        let n = a.count
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            guard abs(a[pivot][column]) > 1e-10 else { return nil }
            a.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let f = a[row][column] / a[column][column]
                if f == 0 { continue }
                for k in column...n { a[row][k] -= f * a[column][k] }
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = a[row][n]
            for k in (row + 1)..<n { sum -= a[row][k] * x[k] }
            x[row] = sum / a[row][row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
