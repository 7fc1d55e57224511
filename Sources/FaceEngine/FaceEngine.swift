import CRollCallShim
import Foundation

/// Detects, aligns and embeds faces with one installed model pack. Safe to call from several threads:
/// each call borrows one of `workers` workers (a detector and the pack's embedding networks; cv::dnn nets are
/// not thread-safe), and OpenCV gets `cores / workers` threads inside each call.
public final class FaceEngine: @unchecked Sendable {
    public let pack: InstalledPack
    public let workerCount: Int
    /// Some network averages each chip's embedding with its mirror image's (the pack's choice unless overridden).
    public let flip: Bool
    private let pool: WorkerPool<FaceWorker>

    /// - Parameters:
    ///   - workers: how many calls may run at once. One worker with all cores gives the lowest latency for
    ///     a single image; one single-threaded worker per core gives the highest throughput for many.
    ///   - flip: override the pack's test-time flip setting.
    /// OpenCV's thread count is process-wide and is set here: build engines with different worker counts only while
    /// no other engine is working (changing it under a running call can crash OpenCV's TBB backend).
    public init(pack: InstalledPack, workers: Int = 1, flip: Bool? = nil) throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let count = max(1, workers)
        rc_set_num_threads(Int32(max(1, cores / count)))
        self.pack = pack
        self.workerCount = count
        self.flip = flip ?? pack.pack.embeddingNetworks.contains { $0.flip ?? false }
        var made: [FaceWorker] = []
        for _ in 0..<count { made.append(try FaceWorker(pack: pack, flip: flip)) }
        pool = WorkerPool(made)
    }

    /// Embedding networks run RollCall's convolution kernels where they beat OpenCV 4.6's (true, the default:
    /// depthwise and small-group 3×3, and 1×1 on CPUs with AVX-512), or OpenCV's everywhere (false).
    /// Process-wide; embeddings agree to float rounding. The switch exists so `bench` and the tests can compare.
    public static func useOwnConvolution(_ enabled: Bool) {
        rc_set_own_convolution(enabled ? 1 : 0)
    }

    /// Convolution layer calls that the calling thread ran on RollCall's kernels (for tests: engine calls run on
    /// the caller's thread, so other threads' work does not count).
    public static var ownConvolutionRuns: UInt64 { UInt64(rc_own_convolution_runs()) }

    /// The pack's calibrated operating points (an engine is only ever built from a pack that has them).
    public var thresholds: ModelPack.Thresholds { pack.pack.thresholds! }
    /// The embedding space this engine's embeddings live in (`ModelPack.embedderDigest`; an engine always has an embedder).
    public var embedderDigest: String { pack.pack.embedderDigest! }
    public var dimension: Int { pool.withWorker { $0.dimension } }

    /// Faces in an image, best score first.
    public func detect(_ image: Image) throws -> [Face] {
        try pool.withWorker { try $0.detect(image) }
    }

    /// The aligned chip the (first) embedding network sees for one face.
    public func chip(_ image: Image, face: Face) throws -> Image {
        try pool.withWorker { try $0.chip(image, face: face) }
    }

    /// Embeddings of the given faces of one image, in one borrow of a worker.
    public func embed(_ image: Image, faces: [Face]) throws -> [Embedding] {
        try pool.withWorker { try $0.embed(faces.map { (image, $0) }) }
    }

    /// Embeddings of faces from several images (e.g. the best frame of each track), in one borrow of a worker.
    public func embed(faces: [(image: Image, face: Face)]) throws -> [Embedding] {
        try pool.withWorker { try $0.embed(faces) }
    }

    /// Embeddings of faces from several images, the landmarks of those marked `refine` first found again at full
    /// resolution (see `FaceWorker.refine`): the live path, whose faces come from a scaled-down frame. Returns the
    /// faces as embedded.
    public func embed(faces: [(image: Image, face: Face, refine: Bool)]) throws -> [(face: Face, embedding: Embedding)] {
        try pool.withWorker { worker in
            let used = try faces.map { (image: $0.image, face: $0.refine ? try worker.refine($0.face, in: $0.image) : $0.face) }
            return Array(zip(used.map(\.face), try worker.embed(used))).map { (face: $0.0, embedding: $0.1) }
        }
    }

    /// The face's landmarks and box found again at full resolution (see `FaceWorker.refine`); the face as given when
    /// the detector does not find it there again.
    public func refine(_ face: Face, in image: Image) throws -> Face {
        try pool.withWorker { try $0.refine(face, in: image) }
    }

    /// Embeddings of chips that were already cut (packs with one embedding network only).
    public func embed(chips: [Image]) throws -> [Embedding] {
        try pool.withWorker { try $0.embed(chips: chips) }
    }

    /// The (first) embedding network's raw outputs for chips (not normalised): for checking model fidelity.
    public func rawDescriptors(chips: [Image]) throws -> [[Float]] {
        try pool.withWorker { try $0.rawDescriptors(chips: chips) }
    }

    /// Detects every face and embeds each, in one borrow of a worker. With `detectionWidth`, as the live path does
    /// (see `detect(_:maxWidth:)`); without, as for a photo.
    public func analyze(_ image: Image, detectionWidth: Int? = nil) throws -> [(face: Face, embedding: Embedding)] {
        try pool.withWorker { worker in
            let faces = try Self.detect(image, maxWidth: detectionWidth) { try worker.detect($0, paddedRetry: detectionWidth == nil) }
            let embeddings = try worker.embed(faces.map { (image, $0) })
            return Array(zip(faces, embeddings)).map { (face: $0.0, embedding: $0.1) }
        }
    }

    /// Faces in `image`'s coordinates, found on a copy at most `maxWidth` wide (the live path: faces at an entrance
    /// are large, and the detector costs ~4× less at 320 than at 640 pixels). Chips are still cut from `image`.
    /// Unlike `detect(_:)`, an empty result is final: no second look on a padded copy, which finds faces cropped to
    /// fill a photo but would double the detector's cost on every frame of an empty doorway.
    public func detect(_ image: Image, maxWidth: Int) throws -> [Face] {
        try pool.withWorker { worker in try Self.detect(image, maxWidth: maxWidth) { try worker.detect($0, paddedRetry: false) } }
    }

    private static func detect(_ image: Image, maxWidth: Int?, with detector: (Image) throws -> [Face]) throws -> [Face] {
        guard let maxWidth, image.width > maxWidth else { return try detector(image) }
        let small = try image.limited(toWidth: maxWidth)
        let scale = Float(image.width) / Float(maxWidth)
        return try detector(small).map { face in
            Face(box: .init(x: face.box.x * scale, y: face.box.y * scale, width: face.box.width * scale, height: face.box.height * scale),
                 score: face.score, landmarks: face.landmarks.map { .init(x: $0.x * scale, y: $0.y * scale) })
        }
    }

    /// How to choose the one face of a photo that has several.
    public enum FaceChoice: Sendable {
        /// The biggest box.
        case largest
        /// Big and central (see `mainSubject`): for photos of one person, as in evaluation sets.
        case mainSubject
    }

    /// One face of an image file and its embedding; an image without a face is an error naming the file.
    public func oneFace(inFile path: String, choice: FaceChoice = .largest) throws -> (face: Face, embedding: Embedding) {
        let image = try Image(contentsOf: path)
        return try pool.withWorker { worker in
            let faces = try worker.detect(image)
            let chosen = choice == .largest ? faces.largest : faces.mainSubject(imageWidth: image.width, imageHeight: image.height)
            guard let face = chosen else {
                throw FaceEngineError(.noFace, "\(path): no face found")
            }
            return (face, try worker.embed([(image, face)])[0])
        }
    }

    /// 1 − cosine similarity.
    public func distance(_ a: Embedding, _ b: Embedding) -> Float { a.distance(to: b) }

    public static var openCVVersion: String { String(cString: rc_opencv_version()) }

    /// C allocator settings for a long-running, many-threaded process (see `rc_malloc_daemon_policy`): `arenas`
    /// malloc arenas at most, and blocks of `mmapThreshold` bytes or more (frames, DNN blobs, weights) mapped on
    /// their own, so that freeing them gives the memory back. Call at start-up, before models are loaded.
    public static func useDaemonAllocator(arenas: Int = 1, mmapThreshold: Int = 128 << 10) {
        rc_malloc_daemon_policy(Int32(arenas), mmapThreshold)
    }
}

/// A fixed set of non-thread-safe objects lent out one caller at a time.
final class WorkerPool<Worker>: @unchecked Sendable {
    private var idle: [Worker]
    private let condition = NSCondition()

    init(_ workers: [Worker]) { idle = workers }

    func withWorker<T>(_ body: (Worker) throws -> T) rethrows -> T {
        condition.lock()
        while idle.isEmpty { condition.wait() }
        let worker = idle.removeLast()
        condition.unlock()
        defer {
            condition.lock()
            idle.append(worker)
            condition.signal()
            condition.unlock()
        }
        return try body(worker)
    }
}
