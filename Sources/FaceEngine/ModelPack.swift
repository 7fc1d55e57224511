import Foundation

/// What a model pack is made of and how to run it, read from a JSON manifest.
///
/// The bundled packs live in the package's resources (`Resources/packs/*.json`); a site can add its own by
/// dropping `NAME.json` into `MODELS_DIR/packs/`, with `path` sources for files it supplies itself.
public struct ModelPack: Sendable, Codable, Equatable {
    /// Where a pack's files come from: a pinned PyPI artifact, or a local file.
    public struct Source: Sendable, Codable, Equatable {
        public struct PyPI: Sendable, Codable, Equatable {
            public var name: String
            public var version: String
            /// The artifact's file name (a `.whl` or an sdist `.tar.gz`).
            public var file: String
        }
        public var id: String
        public var pypi: PyPI?
        /// A file the site supplies (absolute, or relative to the manifest).
        public var path: String?
        /// SHA-256 of the artifact or file, lowercase hex.
        public var sha256: String
    }

    /// One file of the installed pack: extracted from a source, or converted from another file.
    public struct File: Sendable, Codable, Equatable {
        public struct Conversion: Sendable, Codable, Equatable {
            /// A converter script in the engine's resources (`converters/NAME`).
            public var tool: String
            /// The pack file it reads.
            public var input: String
        }
        public var name: String
        public var source: String?
        /// Path inside the source archive (wheel or sdist); absent for a plain-file source.
        public var member: String?
        /// Pin for extracted files; converted files are hashed when installed instead.
        public var sha256: String?
        public var convert: Conversion?
    }

    public struct Detector: Sendable, Codable, Equatable {
        public var kind: String  // "yunet" or "centerface"
        public var file: String
        public var maxSide: Int
        public var scoreThreshold: Float
        public var nmsThreshold: Float
    }

    public struct Alignment: Sendable, Codable, Equatable {
        public var chip: [Int]  // width, height
        /// Five (x, y) points in chip pixels, in the order of the landmarks aligned to: the detector's
        /// (`Face.landmarks`), or the refiner's when there is one.
        public var template: [Float]
        public var pyramid: Bool
        /// Landmarks the embedder was trained with, found again inside the detected face.
        public var refine: Refiner?
    }

    /// dlib's 5-point shape predictor, run on a rectangle derived from the detector's landmarks:
    /// m = their mean, q = their RMS spread around m, θ = the eye line's angle;
    /// centre = m + q·R(θ)·rectOffset, size = q·rectScale.
    public struct Refiner: Sendable, Codable, Equatable {
        public var kind: String  // "dlib_shape_predictor"
        public var file: String
        public var rectOffset: [Float]
        public var rectScale: [Float]
    }

    public struct Embedder: Sendable, Codable, Equatable {
        public var file: String
        public var input: [Int]  // width, height
        public var scale: Double
        public var mean: [Double]
        public var swapRB: Bool
        public var alignment: Alignment
        /// Embed each chip and its mirror image and average the two (test-time flip), unless told otherwise.
        public var flip: Bool?
        /// In a fused pack: this network's share of the cosine similarity (see `ModelPack.embedders`).
        public var weight: Float?

        enum CodingKeys: String, CodingKey {
            case file, input, scale, mean, alignment, flip, weight
            case swapRB = "swapRb"  // "swap_rb" in the manifest, after snake-case conversion
        }
    }

    /// Operating points, as distances (1 − cosine), with how they were chosen.
    public struct Thresholds: Sendable, Codable, Equatable {
        /// 1:1 verification: same person when the distance is below this.
        public var verify: Float
        /// 1:N identification: a delegate is accepted only below this distance …
        public var identify: Float
        /// … and only when the runner-up delegate is at least this much further away.
        public var margin: Float
        /// What a delegate's several photos become in the matcher: `best` (each its own template, the closest
        /// decides; the rule when absent) or `mean` (one centroid template). The names of RollCall's `TemplateFusion`.
        public var templateFusion: String?
        public var calibration: String
    }

    public var name: String
    public var summary: String
    public var sources: [Source]
    public var files: [File]
    /// Absent in a data-only pack (e.g. the test photos), which is fetched and verified the same way.
    public var detector: Detector?
    /// One embedding network (`embedder`), or several whose embeddings are fused (`embedders`): each face is
    /// embedded by every network, each embedding unit-normalised and scaled by √weight, and the parts
    /// concatenated. With weights summing to 1 the result is unit length and its cosine similarity is the
    /// weighted sum of the networks' cosine similarities (score-level fusion that the matcher runs as one dot product).
    public var embedder: Embedder?
    public var embedders: [Embedder]?
    public var thresholds: Thresholds?
    public var attribution: String?

    /// The embedding networks, in the order their parts appear in an embedding.
    public var embeddingNetworks: [Embedder] { embedders ?? [embedder].compactMap { $0 } }

    /// The parts a face engine needs, or an error saying this is a data-only pack.
    public func engineParts() throws -> (detector: Detector, embedders: [Embedder], thresholds: Thresholds) {
        let networks = embeddingNetworks
        guard let detector, !networks.isEmpty, let thresholds else {
            throw FaceEngineError(.pack, "pack \(name) holds data only (no detector, embedder or thresholds)")
        }
        return (detector, networks, thresholds)
    }

    public static func decode(from data: Data, origin: String) throws -> ModelPack {
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let pack = try decoder.decode(ModelPack.self, from: data)
            try pack.validate(origin: origin)
            return pack
        } catch let error as FaceEngineError {
            throw error
        } catch {
            throw FaceEngineError(.pack, "\(origin): not a valid model pack manifest: \(error)")
        }
    }

    func validate(origin: String) throws {
        func bad(_ why: String) -> FaceEngineError { FaceEngineError(.pack, "\(origin): \(why)") }
        let names = Set(files.map(\.name))
        if detector != nil || embedder != nil || embedders != nil || thresholds != nil {
            guard embedder == nil || embedders == nil else { throw bad("give either embedder or embedders, not both") }
            let (detector, networks, thresholds) = try engineParts()
            guard ["yunet", "centerface"].contains(detector.kind) else { throw bad("unknown detector kind \(detector.kind)") }
            if let fusion = thresholds.templateFusion, !["best", "mean"].contains(fusion) {
                throw bad("thresholds.template_fusion must be best or mean, not \(fusion)")
            }
            if networks.count > 1 {
                let weights = networks.map { $0.weight ?? 0 }
                guard weights.allSatisfy({ $0 > 0 }), abs(weights.reduce(0, +) - 1) < 1e-4 else {
                    throw bad("fused embedders need positive weights that sum to 1")
                }
            }
            for embedder in networks { try validate(embedder, names: names, bad: bad) }
            guard names.contains(detector.file) else { throw bad("\(detector.file) is used but not listed in files") }
        }
        for file in files {
            if file.name.contains("/") || file.name.hasPrefix(".") { throw bad("file name \(file.name) must be a plain name") }
            if file.convert == nil && (file.source == nil || file.sha256 == nil) {
                throw bad("file \(file.name) needs a source and a sha256 pin, or a conversion")
            }
        }
    }

    private func validate(_ embedder: Embedder, names: Set<String>, bad: (String) -> FaceEngineError) throws {
        guard embedder.alignment.template.count == 10, embedder.alignment.chip.count == 2, embedder.input.count == 2,
              embedder.mean.count == 3 else { throw bad("alignment needs 5 template points, chip and input need 2 sides, mean 3 values") }
        if let refine = embedder.alignment.refine {
            guard refine.kind == "dlib_shape_predictor", refine.rectOffset.count == 2, refine.rectScale.count == 2 else {
                throw bad("refine must be a dlib_shape_predictor with a 2-value rect_offset and rect_scale")
            }
        }
        for needed in [embedder.file] + [embedder.alignment.refine?.file].compactMap({ $0 })
        where !names.contains(needed) {
            throw bad("\(needed) is used but not listed in files")
        }
    }
}

extension ModelPack {
    /// The packs that ship with RollCall.
    public static func bundled() throws -> [ModelPack] {
        guard let dir = Bundle.module.url(forResource: "packs", withExtension: nil) else { return [] }
        let urls = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try urls.map { try ModelPack.decode(from: Data(contentsOf: $0), origin: $0.path) }
    }

    /// Reads a manifest file (a site pack, or a data pack such as the test photos).
    public static func load(manifest url: URL) throws -> ModelPack {
        guard let data = try? Data(contentsOf: url) else { throw FaceEngineError(.io, "\(url.path): cannot read manifest") }
        return try decode(from: data, origin: url.path)
    }

    /// Finds a pack by name: a site manifest in `modelsDirectory/packs/` wins over a bundled one.
    public static func named(_ name: String, modelsDirectory: URL) throws -> (pack: ModelPack, manifestURL: URL?) {
        let site = modelsDirectory.appendingPathComponent("packs/\(name).json")
        if FileManager.default.fileExists(atPath: site.path) {
            return (try ModelPack.decode(from: Data(contentsOf: site), origin: site.path), site)
        }
        if let pack = try bundled().first(where: { $0.name == name }) { return (pack, nil) }
        let known = ((try? bundled().map(\.name)) ?? []).joined(separator: ", ")
        throw FaceEngineError(.pack, "no model pack named \(name) (bundled: \(known); site packs go in \(site.deletingLastPathComponent().path))")
    }

    /// A converter or helper script shipped with the engine.
    static func toolURL(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: "converters/\(name)", withExtension: nil) else {
            throw FaceEngineError(.pack, "converter \(name) is not part of this build")
        }
        return url
    }
}
