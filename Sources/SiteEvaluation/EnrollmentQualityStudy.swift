import Enrollment
import Evaluation
import FaceEngine
import Foundation
import RollCall

/// How misses grow as enrollment photos get worse: each gallery photo shrunk until its face is N pixels, and the
/// photos grouped by how far the face is turned, each against the same probes at full size, at the pack's own
/// operating point. What the enrollment gates are set from (`QualityGate`).
public enum EnrollmentQualityStudy {
    public struct SizeRow: Sendable, Codable, Equatable {
        /// Face side (the box's longer side) the gallery photos were shrunk to; nil for the photos as they are.
        public var face_px: Int?
        /// Gallery photos in which a face was found at that size.
        public var detected: Int
        public var fnir: Double
        public var fpir: Double
    }

    public struct YawRow: Sendable, Codable, Equatable {
        /// |yaw ratio| range of the gallery photos (QualityGate.pose), as "lo–hi".
        public var yaw_ratio: String
        public var gallery_photos: Int
        public var mated_probes: Int
        public var fnir: Double
    }

    public struct Result: Sendable, Codable, Equatable {
        public var pack: String
        public var threshold: Float
        public var gallery_photos: Int
        public var mated_probes: Int
        public var non_mated_probes: Int
        public var sizes: [SizeRow]
        public var yaw: [YawRow]
    }

    static let yawEdges: [Double] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 10]

    /// - Parameters:
    ///   - gallery: one photo per identity.
    ///   - probes: photos of gallery identities (mated) and of others (`nil`, non-mated).
    public static func run(gallery: [(identity: String, path: String)], probes: [(identity: String?, path: String)],
                           sizes: [Int], engine: FaceEngine, progress: (@Sendable (Int) -> Void)? = nil) throws -> Result {
        struct Enrolled: Sendable {
            var yaw: Double?
            var embeddings: [Int: [Float]]   // by size; -1 for the photo as it is
        }
        let enrolled: [Enrolled] = parallelMap(gallery.count, workers: engine.workerCount, progress: progress) { i in
            guard let image = try? Image(contentsOf: gallery[i].path),
                  let face = try? engine.detect(image).mainSubject(imageWidth: image.width, imageHeight: image.height),
                  let full = try? engine.embed(image, faces: [face])[0] else { return Enrolled(yaw: nil, embeddings: [:]) }
            let observation = try? FaceObservation(face, in: image)
            var embeddings = [-1: full.vector]
            let side = max(face.box.width, face.box.height)
            for size in sizes {
                let scale = min(1, Float(size) / side)
                guard let small = try? image.resized(width: max(1, Int((Float(image.width) * scale).rounded())),
                                                     height: max(1, Int((Float(image.height) * scale).rounded()))),
                      let found = try? engine.detect(small).mainSubject(imageWidth: small.width, imageHeight: small.height),
                      let embedding = try? engine.embed(small, faces: [found])[0] else { continue }
                embeddings[size] = embedding.vector
            }
            return Enrolled(yaw: observation.map { abs(QualityGate.pose(of: $0).yawRatio) }, embeddings: embeddings)
        }
        let found = engine.oneFacePerFile(probes.map(\.path), choice: .mainSubject)
        let galleryIDs = Set(gallery.map(\.identity))
        let threshold = engine.thresholds.identify, margin = engine.thresholds.margin
        let dimension = engine.dimension

        /// Each probe's outcome against the gallery photos in `members`, at size `size`.
        func outcomes(size: Int, members: Set<Int>?) throws -> [IdentificationMetrics.Probe] {
            var templates: [(delegateID: String, embedding: [Float])] = []
            for (i, item) in gallery.enumerated() where members?.contains(i) ?? true {
                if let e = enrolled[i].embeddings[size] { templates.append((item.identity, e)) }
            }
            let matcher = Matcher(gallery: try Gallery(dimension: dimension, templates: templates),
                                  configuration: MatcherConfiguration(threshold: .infinity, margin: margin, topK: 2))
            let inScope = members.map { Set($0.map { gallery[$0].identity }) }
            return zip(probes, found).compactMap { probe, outcome in
                let mated = probe.identity.map(galleryIDs.contains) ?? false
                // A yaw group scores only the mated probes of its own photos (and every non-mated probe).
                if mated, let inScope, !inScope.contains(probe.identity!) { return nil }
                guard let embedding = outcome.embedding else { return .init(mated: mated, rank1Correct: false, statistic: nil) }
                let match = matcher.match(embedding.vector)
                return .init(mated: mated, rank1Correct: mated && match.candidates.first?.delegateID == probe.identity,
                             statistic: match.decision == .accepted ? match.candidates.first?.score : nil)
            }
        }

        var sizeRows: [SizeRow] = []
        for size in [-1] + sizes {
            let point = IdentificationMetrics.point(at: threshold, try outcomes(size: size, members: nil))
            sizeRows.append(SizeRow(face_px: size < 0 ? nil : size, detected: enrolled.filter { $0.embeddings[size] != nil }.count,
                                    fnir: point.fnir, fpir: point.fpir))
        }
        var yawRows: [YawRow] = []
        for (lo, hi) in zip(yawEdges, yawEdges.dropFirst()) {
            let members = Set(enrolled.indices.filter { enrolled[$0].yaw.map { $0 >= lo && $0 < hi } ?? false })
            guard !members.isEmpty else { continue }
            let results = try outcomes(size: -1, members: members)
            yawRows.append(YawRow(yaw_ratio: hi > 5 ? String(format: "≥ %.1f", lo) : String(format: "%.1f–%.1f", lo, hi),
                                  gallery_photos: members.count, mated_probes: results.filter(\.mated).count,
                                  fnir: IdentificationMetrics.point(at: threshold, results).fnir))
        }
        let all = try outcomes(size: -1, members: nil)
        return Result(pack: engine.pack.pack.name, threshold: threshold, gallery_photos: gallery.count,
                      mated_probes: all.filter(\.mated).count, non_mated_probes: all.filter { !$0.mated }.count,
                      sizes: sizeRows, yaw: yawRows)
    }
}
