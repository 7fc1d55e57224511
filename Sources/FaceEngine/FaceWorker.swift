import CRollCallShim
import Foundation

/// One detector and one embedder: a unit of work for one thread at a time (cv::dnn::Net is not
/// thread-safe). `FaceEngine` keeps a pool of these.
final class FaceWorker {
    private let detector: OpaquePointer
    private let embedder: OpaquePointer
    private var alignment: rc_alignment
    private let refiner: (handle: OpaquePointer, settings: ModelPack.Refiner)?
    let dimension: Int

    init(pack: InstalledPack) throws {
        let p = try pack.pack.engineParts()
        let kind: rc_detector_kind = p.detector.kind == "yunet" ? RC_DETECTOR_YUNET : RC_DETECTOR_CENTERFACE
        var det: OpaquePointer?
        try shimCall {
            rc_detector_create(kind, pack.path(of: p.detector.file), Int32(p.detector.maxSide),
                               p.detector.scoreThreshold, p.detector.nmsThreshold, &det, $0)
        }
        var config = rc_embedder_config()
        config.input_width = Int32(p.embedder.input[0])
        config.input_height = Int32(p.embedder.input[1])
        config.scale = p.embedder.scale
        config.mean = (p.embedder.mean[0], p.embedder.mean[1], p.embedder.mean[2])
        config.swap_rb = p.embedder.swapRB ? 1 : 0
        var emb: OpaquePointer?
        do {
            try shimCall { rc_embedder_create(pack.path(of: p.embedder.file), &config, &emb, $0) }
        } catch {
            rc_detector_free(det)
            throw error
        }
        if let refine = p.embedder.alignment.refine {
            var sp: OpaquePointer?
            do {
                try shimCall { rc_shape_predictor_load(pack.path(of: refine.file), &sp, $0) }
            } catch {
                rc_detector_free(det)
                rc_embedder_free(emb)
                throw error
            }
            refiner = (sp!, refine)
        } else {
            refiner = nil
        }
        detector = det!
        embedder = emb!
        dimension = Int(rc_embedder_dimension(emb))
        alignment = rc_alignment()
        alignment.chip_width = Int32(p.embedder.alignment.chip[0])
        alignment.chip_height = Int32(p.embedder.alignment.chip[1])
        withUnsafeMutableBytes(of: &alignment.template_points) { raw in
            let points = raw.bindMemory(to: Float.self)
            for i in 0..<10 { points[i] = p.embedder.alignment.template[i] }
        }
        alignment.pyramid = p.embedder.alignment.pyramid ? 1 : 0
    }

    deinit {
        rc_detector_free(detector)
        rc_embedder_free(embedder)
        if let refiner { rc_shape_predictor_free(refiner.handle) }
    }

    func detect(_ image: Image) throws -> [Face] {
        var faces = [rc_face](repeating: rc_face(), count: 256)
        var count: Int32 = 0
        try faces.withUnsafeMutableBufferPointer { buffer in
            try shimCall { rc_detector_detect(detector, image.handle, buffer.baseAddress, Int32(buffer.count), &count, $0) }
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

    /// The embedder's chip for one face.
    func chip(_ image: Image, face: Face) throws -> Image {
        let landmarks = try refiner.map { try refine(image, face: face, with: $0) } ?? face.flatLandmarks
        var out: OpaquePointer?
        try landmarks.withUnsafeBufferPointer { lm in
            try shimCall { rc_align(image.handle, lm.baseAddress, &alignment, &out, $0) }
        }
        return Image(handle: out!)
    }

    /// The shape predictor's points for a face, on a rectangle derived from the detector's landmarks,
    /// rounded to whole pixels as dlib does before cutting its chip.
    private func refine(_ image: Image, face: Face, with refiner: (handle: OpaquePointer, settings: ModelPack.Refiner)) throws -> [Float] {
        let points = face.landmarks
        let mx = points.map(\.x).reduce(0, +) / 5, my = points.map(\.y).reduce(0, +) / 5
        let q = (points.map { ($0.x - mx) * ($0.x - mx) + ($0.y - my) * ($0.y - my) }.reduce(0, +) / 5).squareRoot()
        let theta = atan2(points[1].y - points[0].y, points[1].x - points[0].x)
        let (ox, oy) = (refiner.settings.rectOffset[0], refiner.settings.rectOffset[1])
        let cx = mx + q * (cos(theta) * ox - sin(theta) * oy)
        let cy = my + q * (sin(theta) * ox + cos(theta) * oy)
        let w = q * refiner.settings.rectScale[0], h = q * refiner.settings.rectScale[1]
        var out = [Float](repeating: 0, count: 10)
        var count: Int32 = 0
        try out.withUnsafeMutableBufferPointer { buffer in
            try shimCall {
                rc_shape_predictor_predict(refiner.handle, image.handle, cx - (w - 1) / 2, cy - (h - 1) / 2, w, h,
                                           buffer.baseAddress, 5, &count, $0)
            }
        }
        return out.map { ($0 + 0.5).rounded(.down) }
    }

    /// Embeds chips (one forward pass each, inside the shim).
    func embed(chips: [Image]) throws -> [Embedding] {
        try rawDescriptors(chips: chips).map { Embedding(raw: $0) }
    }

    /// The network's outputs for chips, as they come (not normalised).
    func rawDescriptors(chips: [Image]) throws -> [[Float]] {
        guard !chips.isEmpty else { return [] }
        var output = [Float](repeating: 0, count: chips.count * dimension)
        let handles: [OpaquePointer?] = chips.map { Optional($0.handle) }
        try handles.withUnsafeBufferPointer { h in
            try output.withUnsafeMutableBufferPointer { out in
                try shimCall { rc_embedder_embed(embedder, h.baseAddress, Int32(chips.count), out.baseAddress, Int32(out.count), $0) }
            }
        }
        return (0..<chips.count).map { Array(output[($0 * dimension)..<(($0 + 1) * dimension)]) }
    }
}
