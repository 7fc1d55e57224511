import CRollCallShim
import Foundation

/// One detector and the pack's embedding networks: a unit of work for one thread at a time (cv::dnn::Net
/// is not thread-safe). `FaceEngine` keeps a pool of these.
final class FaceWorker {
    private let detector: OpaquePointer
    /// Each with its share of the fused similarity (1 for a pack with one network).
    let networks: [(network: EmbeddingNetwork, weight: Float, flip: Bool)]
    /// Sum of the networks' dimensions.
    let dimension: Int

    /// - Parameter flip: overrides every network's test-time flip setting (nil: the pack's).
    init(pack: InstalledPack, flip: Bool?) throws {
        let p = try pack.pack.engineParts()
        let kind: rc_detector_kind = p.detector.kind == "yunet" ? RC_DETECTOR_YUNET : RC_DETECTOR_CENTERFACE
        var det: OpaquePointer?
        try shimCall {
            rc_detector_create(kind, pack.path(of: p.detector.file), Int32(p.detector.maxSide),
                               p.detector.scoreThreshold, p.detector.nmsThreshold, &det, $0)
        }
        do {
            networks = try p.embedders.map { spec in
                (try EmbeddingNetwork(spec, pack: pack), p.embedders.count == 1 ? 1 : spec.weight ?? 0, flip ?? spec.flip ?? false)
            }
        } catch {
            rc_detector_free(det)
            throw error
        }
        detector = det!
        dimension = networks.map(\.network.dimension).reduce(0, +)
    }

    deinit { rc_detector_free(detector) }

    /// - Parameter paddedRetry: look again on a padded copy when nothing is found (tight crops; see the shim).
    func detect(_ image: Image, paddedRetry: Bool = true) throws -> [Face] {
        var faces = [rc_face](repeating: rc_face(), count: 256)
        var count: Int32 = 0
        let flags = paddedRetry ? 0 : Int32(RC_DETECT_NO_PADDED_RETRY)
        try faces.withUnsafeMutableBufferPointer { buffer in
            try shimCall { rc_detector_detect(detector, image.handle, flags, buffer.baseAddress, Int32(buffer.count), &count, $0) }
        }
        return faces.prefix(Int(min(count, 256))).map { f in
            var lm = f.landmarks
            let points = withUnsafeBytes(of: &lm) { raw -> [Face.Point] in
                let v = raw.bindMemory(to: Float.self)
                return (0..<5).map { Face.Point(x: v[2 * $0], y: v[2 * $0 + 1]) }
            }
            return Face(box: .init(x: f.x, y: f.y, width: f.width, height: f.height), score: f.score, landmarks: points)
        }
    }

    /// The face's landmarks and box found again at full resolution: the detector looks at a square of twice the
    /// face's size around it, scaled so the face is `faceSide` pixels (one fixed input, so one network). Faces found
    /// on a scaled-down frame carry landmarks a few of its pixels off, i.e. several of the full frame's, which cost
    /// the embedding; this puts them where the full frame says. The face as given when the detector does not find it
    /// there again.
    func refine(_ face: Face, in image: Image, faceSide: Float = 96) throws -> Face {
        let side = max(face.box.width, face.box.height)
        guard side > 1 else { return face }
        let region = 2 * side
        let x = face.box.x + face.box.width / 2 - region / 2, y = face.box.y + face.box.height / 2 - region / 2
        let out = Int(2 * faceSide)
        let scale = Float(out) / region
        let found = try detect(try image.region(x: x, y: y, side: region, outSide: out), paddedRetry: false)
        let expected = Face.Box(x: (face.box.x - x) * scale, y: (face.box.y - y) * scale,
                                width: face.box.width * scale, height: face.box.height * scale)
        guard let best = found.max(by: { $0.box.iou(expected) < $1.box.iou(expected) }), best.box.iou(expected) >= 0.4 else {
            return face
        }
        return Face(box: .init(x: x + best.box.x / scale, y: y + best.box.y / scale, width: best.box.width / scale,
                               height: best.box.height / scale),
                    score: best.score, landmarks: best.landmarks.map { .init(x: x + $0.x / scale, y: y + $0.y / scale) })
    }

    /// The first (main) network's chip for one face.
    func chip(_ image: Image, face: Face) throws -> Image {
        try networks[0].network.chip(image, face: face)
    }

    /// Embeddings of faces (each in its own image), one batch per network. With several networks, each
    /// part is unit length times √weight, so the concatenation is unit length and its dot products fuse
    /// the networks' cosine similarities with the pack's weights.
    func embed(_ faces: [(image: Image, face: Face)]) throws -> [Embedding] {
        guard !faces.isEmpty else { return [] }
        if networks.count == 1 {
            let (network, _, flip) = networks[0]
            return try network.embed(chips: faces.map { try network.chip($0.image, face: $0.face) }, flip: flip)
        }
        var fused = [[Float]](repeating: [], count: faces.count)
        for (network, weight, flip) in networks {
            let parts = try network.embed(chips: faces.map { try network.chip($0.image, face: $0.face) }, flip: flip)
            let scale = weight.squareRoot()
            for i in faces.indices { fused[i] += parts[i].vector.map { $0 * scale } }
        }
        return fused.map { Embedding(normalized: $0) }
    }

    /// Embeds chips cut for the first network (only meaningful for a pack with one network).
    func embed(chips: [Image]) throws -> [Embedding] {
        guard networks.count == 1 else {
            throw FaceEngineError(.pack, "a fused pack embeds faces, not single chips")
        }
        return try networks[0].network.embed(chips: chips, flip: networks[0].flip)
    }

    /// The first network's raw outputs for chips (not normalised).
    func rawDescriptors(chips: [Image]) throws -> [[Float]] {
        try networks[0].network.rawDescriptors(chips: chips)
    }
}
