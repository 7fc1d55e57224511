import CRollCallShim
import Foundation

/// One embedding network with its alignment: cuts a face's chip and turns chips into descriptors.
/// Not thread-safe (cv::dnn::Net); owned by one `FaceWorker`.
final class EmbeddingNetwork {
    private let embedder: OpaquePointer
    private var alignment: rc_alignment
    private let refiner: (handle: OpaquePointer, settings: ModelPack.Refiner)?
    let dimension: Int

    init(_ spec: ModelPack.Embedder, pack: InstalledPack) throws {
        var config = rc_embedder_config()
        config.input_width = Int32(spec.input[0])
        config.input_height = Int32(spec.input[1])
        config.scale = spec.scale
        config.mean = (spec.mean[0], spec.mean[1], spec.mean[2])
        config.swap_rb = spec.swapRB ? 1 : 0
        var emb: OpaquePointer?
        try shimCall { rc_embedder_create(pack.path(of: spec.file), &config, &emb, $0) }
        if let refine = spec.alignment.refine {
            var sp: OpaquePointer?
            do {
                try shimCall { rc_shape_predictor_load(pack.path(of: refine.file), &sp, $0) }
            } catch {
                rc_embedder_free(emb)
                throw error
            }
            refiner = (sp!, refine)
        } else {
            refiner = nil
        }
        embedder = emb!
        dimension = Int(rc_embedder_dimension(emb))
        alignment = rc_alignment()
        alignment.chip_width = Int32(spec.alignment.chip[0])
        alignment.chip_height = Int32(spec.alignment.chip[1])
        withUnsafeMutableBytes(of: &alignment.template_points) { raw in
            let points = raw.bindMemory(to: Float.self)
            for i in 0..<10 { points[i] = spec.alignment.template[i] }
        }
        alignment.pyramid = spec.alignment.pyramid ? 1 : 0
    }

    deinit {
        rc_embedder_free(embedder)
        if let refiner { rc_shape_predictor_free(refiner.handle) }
    }

    /// The chip this network sees for one face.
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

    /// Unit-length embeddings of chips (one forward pass each, inside the shim); with `flip`, each averaged with its mirror image's.
    func embed(chips: [Image], flip: Bool) throws -> [Embedding] {
        guard flip else { return try rawDescriptors(chips: chips).map { Embedding(raw: $0) } }
        let mirrored = try chips.map { try $0.mirrored() }
        let both = try rawDescriptors(chips: chips + mirrored).map { Embedding(raw: $0) }
        return (0..<chips.count).map { Embedding.mean([both[$0], both[$0 + chips.count]]) }
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
