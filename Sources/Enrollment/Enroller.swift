import FaceEngine
import Foundation
import Logging
import RollCall
import RollCallStore

/// Turns delegates' photos into sealed templates: detect, choose the face, apply the quality gates, embed,
/// refuse a face that already belongs to someone else or does not look like the delegate's other photos, store.
///
/// Photos are analysed in parallel on the engine's workers; the duplicate check and the writes then run in
/// input order, so a batch is checked against everything stored before it and against its own earlier photos.
///
/// Every template is stored with the engine's pack. A database holds templates of one pack (see `TemplatePack`):
/// enrolling with another pack, or into a database whose templates predate pack recording, is refused before any
/// photo is read, since the duplicate guard could only compare distances that mean nothing.
public struct Enroller {
    public struct Options: Sendable {
        /// Take the biggest face of a photo with several, instead of refusing it.
        public var largest = false
        /// Take the photo's main subject (big and central, `Array<Face>.mainSubject`) when it shows several
        /// faces (evaluation sets, where bystanders appear at the edges).
        public var mainSubject = false
        /// Store a face even when it matches another delegate, or does not match the delegate's other photos (the
        /// override is logged).
        public var force = false
        /// Skip the quality gates (evaluation only: measure the matcher, not the photographer).
        public var skipQualityGates = false
        public var gate = QualityGate()
        public init() {}
    }

    /// What became of one photo.
    public struct Outcome: Sendable {
        public var delegateID: String
        public var photo: String
        public var templateID: Int64?
        /// Why the photo was refused; empty when it was enrolled.
        public var reasons: [String]
        /// What the secretariat should know about a photo that was enrolled (usable but weak), or of the choice made.
        public var warnings: [String] = []
        /// The other delegate this face matched, and the distance, when the duplicate guard spoke.
        public var duplicateOf: (delegateID: String, distance: Float)?
        /// The distance to the closest of the delegate's own earlier photos, when it was above the pack's
        /// same-person threshold (the own-photos guard spoke).
        public var unlikeOwnPhotos: Float?
        /// Why the photo was not enrolled again, when it already was.
        public var skipped: Skip?
        public var enrolled: Bool { templateID != nil }
    }

    /// A photo left alone because it is already in: the same bytes (SHA-256) under the same delegate.
    public enum Skip: Sendable, Equatable {
        /// A template made from this photo is stored for the delegate.
        case alreadyEnrolled(templateID: Int64)
        /// The photo is listed twice for the delegate in this batch; the first listing counts.
        case listedTwice
    }

    let engine: FaceEngine
    let store: any RollCallStorage
    let logger: Logger
    /// Faces closer than this to another delegate's template are refused (the pack's 1:N threshold).
    let duplicateThreshold: Float
    /// A delegate's new photo farther than this from all their earlier ones is refused (the pack's 1:1 threshold):
    /// with several photos fused into one template, a photo of someone else would pull the delegate's template
    /// towards a stranger, who could then be checked in under the delegate's name.
    let samePersonThreshold: Float
    /// The pack recorded with each template.
    let pack: TemplatePack

    public init(engine: FaceEngine, store: any RollCallStorage, logger: Logger) {
        self.engine = engine
        self.store = store
        self.logger = logger
        duplicateThreshold = engine.thresholds.identify
        samePersonThreshold = engine.thresholds.verify
        pack = TemplatePack(name: engine.pack.pack.name, digest: engine.embedderDigest)
    }

    /// Where a photo comes from: a file, or a frame a camera gave (desk enrollment).
    public enum Photo: Sendable {
        case file(String)
        /// A frame, with the name its template records as its source and the face already chosen in it.
        case frame(Image, face: Face, name: String)

        var name: String {
            switch self {
            case .file(let path): path
            case .frame(_, _, let name): name
            }
        }

        /// The digest a template records of its source: of the file's bytes, or of the frame's pixels.
        func sha256() throws -> String {
            switch self {
            case .file(let path): try FileDigest.sha256(of: URL(fileURLWithPath: path))
            case .frame(let image, _, _): FileDigest.sha256(of: Data(image.bgrBytes()))
            }
        }
    }

    /// Enrolls `(delegateID, photo)` items; `progress` is called after each photo has been analysed.
    public func enroll(_ items: [(delegateID: String, photo: String)], options: Options,
                       progress: (@Sendable (Int) -> Void)? = nil) throws -> [Outcome] {
        try enroll(photos: items.map { ($0.delegateID, .file($0.photo)) }, options: options, progress: progress)
    }

    /// Enrolls photos from files or frames.
    public func enroll(photos items: [(delegateID: String, photo: Photo)], options: Options,
                       progress: (@Sendable (Int) -> Void)? = nil) throws -> [Outcome] {
        // Unknown delegates and a database of another pack fail fast, before any face work.
        let known = Set(try store.delegates().map(\.id))
        for id in Set(items.map(\.delegateID)) where !known.contains(id) {
            throw StoreError.unknownDelegate(id)
        }
        var gallery = try store.templates(madeBy: pack)
        let skips = try alreadyIn(items)
        let analysed = analyse(items.map(\.photo), skipping: Set(skips.keys), options: options, progress: progress)

        var outcomes: [Outcome] = []
        for (index, (entry, analysis)) in zip(items, analysed).enumerated() {
            let item = (delegateID: entry.delegateID, photo: entry.photo.name)
            var outcome = Outcome(delegateID: item.delegateID, photo: item.photo, reasons: [])
            if let skip = skips[index] {
                outcome.skipped = skip
                outcomes.append(outcome)
                continue
            }
            switch analysis {
            case .refused(let reasons):
                outcome.reasons = reasons
            case .face(let embedding, let quality, let digest, let warnings):
                outcome.warnings = warnings
                let objections = guardObjections(to: embedding, of: item, in: gallery, outcome: &outcome)
                if !objections.isEmpty {
                    if !options.force {
                        outcome.reasons = objections.map { "\(item.photo): \($0.reason); --force overrides" }
                        break
                    }
                    for objection in objections {
                        logger.warning("\(objection.guardName) guard overridden with --force", metadata: objection.metadata)
                    }
                }
                outcome.templateID = try store.addTemplate(
                    delegateID: item.delegateID, embedding: embedding.vector, pack: pack, quality: quality,
                    sourcePhoto: (item.photo as NSString).lastPathComponent, sourceSHA256: digest)
                gallery.append((item.delegateID, embedding.vector))
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    private enum Analysis: Sendable {
        case face(Embedding, quality: Double, sha256: String, warnings: [String])
        case refused([String])
    }

    /// Items whose photo is already enrolled for their delegate (same SHA-256), or listed twice for them here.
    private func alreadyIn(_ items: [(delegateID: String, photo: Photo)]) throws -> [Int: Skip] {
        let stored = try store.templateDigests()
        var seen = Set<[String]>()
        var skips: [Int: Skip] = [:]
        for (index, item) in items.enumerated() {
            // An unreadable photo has no digest; analysis refuses it with the reason.
            guard let digest = try? item.photo.sha256() else { continue }
            if let template = stored[item.delegateID]?[digest] {
                skips[index] = .alreadyEnrolled(templateID: template)
            } else if !seen.insert([item.delegateID, digest]).inserted {
                skips[index] = .listedTwice
            }
        }
        return skips
    }

    /// Detects, gates and embeds every photo not `skipping`, spread over the engine's workers.
    private func analyse(_ photos: [Photo], skipping: Set<Int>, options: Options, progress: (@Sendable (Int) -> Void)?) -> [Analysis] {
        let engine = self.engine
        return parallelMap(photos.count, workers: engine.workerCount, progress: progress) { i in
            skipping.contains(i) ? .refused([]) : Self.analyse(photos[i], engine: engine, options: options)
        }
    }

    private static func analyse(_ photo: Photo, engine: FaceEngine, options: Options) -> Analysis {
        do {
            let image: Image, face: Face, digest: String
            var warnings: [String] = []
            switch photo {
            case .file(let path):
                image = try Image(contentsOf: path)
                var faces = try engine.detect(image)
                if options.mainSubject, let subject = faces.mainSubject(imageWidth: image.width, imageHeight: image.height) {
                    faces = [subject]
                }
                let observations = try faces.map { try FaceObservation($0, in: image) }
                switch options.gate.selectFace(from: observations, photo: path, largest: options.largest) {
                case .failure(let failure):
                    return .refused([failure.description])
                case .success(let selection):
                    face = faces[observations.firstIndex(of: selection.face)!]
                    if let note = selection.note { warnings.append(note.description) }
                }
                digest = try photo.sha256()
            case .frame(let frame, let chosen, _):
                (image, face) = (frame, chosen)
                digest = try photo.sha256()
            }
            let observation = try FaceObservation(face, in: image)
            if !options.skipQualityGates {
                let assessment = options.gate.assess(observation, photo: photo.name)
                if !assessment.refusals.isEmpty { return .refused(assessment.refusals.map(\.description)) }
                warnings += assessment.warnings.map(\.description)
            }
            let embedding = try engine.embed(image, faces: [face])[0]
            return .face(embedding, quality: observation.sharpness, sha256: digest, warnings: warnings)
        } catch {
            return .refused(["\(error)"])
        }
    }

    /// Why a guard would refuse a face: the reason the operator reads, and what the log records when `--force`
    /// overrides it (ids and distances, never names).
    private struct Objection {
        var guardName: String
        var reason: String
        var metadata: Logger.Metadata
    }

    /// The duplicate-identity guard (the face matches another delegate) and the own-photos guard (it matches none
    /// of the delegate's earlier photos); records what each found in `outcome`.
    private func guardObjections(to embedding: Embedding, of item: (delegateID: String, photo: String),
                                 in gallery: [(delegateID: String, embedding: [Float])], outcome: inout Outcome) -> [Objection] {
        func format(_ distance: Float) -> String { String(format: "%.3f", distance) }
        let nearest = Self.nearest(to: embedding, in: gallery, delegateID: item.delegateID)
        var objections: [Objection] = []
        if let clash = nearest.otherDelegate, clash.distance < duplicateThreshold {
            outcome.duplicateOf = clash
            objections.append(Objection(
                guardName: "duplicate-identity",
                reason: "matches delegate \(clash.delegateID) (distance \(format(clash.distance)), below \(format(duplicateThreshold))) "
                    + "— refused as a possible duplicate identity for \(item.delegateID)",
                metadata: ["delegate.id": "\(item.delegateID)", "other.delegate.id": "\(clash.delegateID)",
                           "match.distance": "\(clash.distance)"]))
        }
        if let own = nearest.ownPhoto, own > samePersonThreshold {
            outcome.unlikeOwnPhotos = own
            objections.append(Objection(
                guardName: "own-photos",
                reason: "does not look like delegate \(item.delegateID)'s other photos (distance \(format(own)) to the closest, "
                    + "above \(format(samePersonThreshold))) — refused as a possible photo of someone else",
                metadata: ["delegate.id": "\(item.delegateID)", "match.distance": "\(own)"]))
        }
        return objections
    }

    /// The nearest template of any other delegate, and the distance to the nearest of the delegate's own (brute
    /// force: enrollment is not the hot path).
    private static func nearest(to embedding: Embedding, in gallery: [(delegateID: String, embedding: [Float])],
                                delegateID id: String) -> (otherDelegate: (delegateID: String, distance: Float)?, ownPhoto: Float?) {
        var other: (delegateID: String, distance: Float)?
        var own: Float?
        for (owner, vector) in gallery {
            let d = embedding.distance(to: Embedding(normalized: vector))
            if owner == id {
                own = min(own ?? .infinity, d)
            } else if d < (other?.distance ?? .infinity) {
                other = (owner, d)
            }
        }
        return (other, own)
    }
}
