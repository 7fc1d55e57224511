import Enrollment
import FaceEngine
import Foundation
import LiveRecognition
import RollCall

/// `rollcall eval entrance` as a library call: enroll the gallery as a secretariat would (quality gates and guards
/// on), recognise each walker's photo as a still (`rollcall identify`), then run the live pipeline over the entrance
/// and score it.
public enum EntranceEvaluator {
    /// Who walks in: photos to build a scene from, or a video and the people in it.
    public enum Walk {
        case scene(walkers: [(identity: String?, path: String)], settings: EntranceScene.Settings, background: String?)
        case video(path: String, walkedIn: [String])
    }

    public struct Result: Sendable, Codable {
        public struct Enrollment: Sendable, Codable {
            public var photos: Int
            public var enrolled: Int
            public var delegates: Int
            public var refused: Int
            /// Photos enrolled with a warning the secretariat can act on.
            public var warned: Int
            /// Refusal reasons by kind ("face too small", …) and how many.
            public var refusals: [String: Int]
            /// Every refusal and warning as the secretariat reads it.
            public var refused_photos: [String]
            public var warnings: [String]
        }
        public struct Stills: Sendable, Codable {
            /// Enrolled walkers whose walking photo `rollcall identify` accepts as them.
            public var recognised: Int
            /// Walking photos accepted as someone else.
            public var wrong: Int
            public var recognised_ids: [String]
        }
        public var pack: String
        public var composition: String?
        public var enrollment: Enrollment
        public var stills: Stills?
        public var live: EntranceScore.Report
        /// Walkers a still recognises and the live roll call missed (the target is none).
        public var live_missed_still_recognised: [String]?
        public var walkers_without_a_face: [String]
    }

    /// - Parameters:
    ///   - stillEngine: the engine stills and enrollment use (the pack's test-time flip).
    ///   - liveEngine: the engine the gate uses (`watch`'s: one pass per chip).
    public static func evaluate(gallery: [(identity: String, path: String)], walk: Walk, stillEngine: FaceEngine,
                                liveEngine: FaceEngine, pipeline: PipelineConfiguration, enrollment: Enroller.Options,
                                desk: DeskCapture.Options? = nil, threshold: Float? = nil, writeVideo: String? = nil,
                                evidence: EvidenceLog? = nil, log: (String) -> Void = { _ in }) throws -> Result {
        log(desk == nil ? "enrolling \(gallery.count) gallery photos" : "enrolling the gallery's delegates at the desk (a clip of each one's photo)")
        let enrolled = try EvaluationGallery(photos: gallery, engine: stillEngine, options: enrollment, desk: desk)
        let holder = try MatcherAssembly.makeMatcherHolder(store: enrolled.store, engine: liveEngine, threshold: threshold)
        let delegates = Set(holder.matcher.gallery.delegateIDs)
        for row in try evidence.map({ _ in try enrolled.store.templates(madeBy: MatcherAssembly.templatePack(of: liveEngine)) }) ?? [] {
            evidence?.write("template", ["delegate": row.delegateID, "embedding": row.embedding])
        }
        var refusals: [String: Int] = [:]
        for outcome in enrolled.outcomes where !outcome.enrolled {
            refusals[Self.kind(of: outcome.reasons.first ?? "unknown"), default: 0] += 1
        }
        let summary = Result.Enrollment(
            photos: enrolled.outcomes.count, enrolled: enrolled.outcomes.filter(\.enrolled).count, delegates: delegates.count,
            refused: enrolled.outcomes.filter { !$0.enrolled }.count, warned: enrolled.outcomes.filter { $0.enrolled && !$0.warnings.isEmpty }.count,
            refusals: refusals, refused_photos: enrolled.outcomes.filter { !$0.enrolled }.flatMap(\.reasons),
            warnings: enrolled.outcomes.filter(\.enrolled).flatMap(\.warnings))
        let live = RecognitionPipeline(engine: liveEngine, matcher: holder, configuration: pipeline)
        switch walk {
        case .video(let path, let walkedIn):
            log("running the gate over \(path)")
            let score = try EntranceRun.run(video: path, walkedIn: walkedIn, pipeline: live, enrolled: delegates, evidence: evidence)
            return Result(pack: liveEngine.pack.pack.name, composition: nil, enrollment: summary, stills: nil, live: score.report(),
                          live_missed_still_recognised: nil, walkers_without_a_face: [])
        case .scene(let list, let settings, let backgroundPath):
            let (walkers, skipped) = EntranceRun.walkers(from: list, engine: stillEngine)
            log("recognising \(walkers.count) walking photos as stills")
            let stillMatcher = try MatcherAssembly.makeMatcher(store: enrolled.store, engine: stillEngine, threshold: threshold)
            var recognised: [String] = [], wrong = 0
            for walker in walkers {
                guard let found = try? stillEngine.oneFace(inFile: walker.photo, choice: .mainSubject) else { continue }
                let match = stillMatcher.match(found.embedding.vector)
                evidence?.write("still", ["identity": walker.identity ?? "-", "decision": match.decision.code,
                                          "best": match.candidates.first?.delegateID ?? "-", "distance": match.candidates.first?.distance ?? 2])
                let accepted = match.delegateID
                if let accepted, accepted == walker.identity, delegates.contains(accepted) { recognised.append(accepted) }
                else if accepted != nil { wrong += 1 }
            }
            let scene = try EntranceScene(walkers: walkers, settings: settings,
                                          background: try backgroundPath.map { try Image(contentsOf: $0) })
            log("running the gate over \(scene.frameCount) frames (\(settings.composition.rawValue))")
            let video = try writeVideo.map { try VideoWriter(path: $0, width: settings.width, height: settings.height, fps: settings.fps) }
            let score = try EntranceRun.run(scene, pipeline: live, enrolled: delegates, video: video, evidence: evidence)
            video?.close()
            let report = score.report()
            let missed = Set(report.missed_ids)
            return Result(pack: liveEngine.pack.pack.name, composition: settings.composition.rawValue, enrollment: summary,
                          stills: .init(recognised: recognised.count, wrong: wrong, recognised_ids: recognised.sorted()),
                          live: report, live_missed_still_recognised: recognised.filter(missed.contains).sorted(),
                          walkers_without_a_face: skipped)
        }
    }

    /// A refusal's kind, from its reason (the reason names the photo first).
    static func kind(of reason: String) -> String {
        let kinds = ["px, need at least": "face too small", "turned sideways": "turned sideways", "faces found": "several faces",
                     "no face": "no face", "blurred": "blurred", "tilted": "tilted", "detector score": "low detector score",
                     "matches delegate": "duplicate identity", "does not look like": "unlike own photos"]
        return kinds.first { reason.contains($0.key) }?.value ?? "other"
    }
}

extension MatchResult.Decision {
    /// One word for research output.
    var code: String {
        switch self {
        case .accepted: "accepted"
        case .emptyGallery: "empty"
        case .aboveThreshold: "above"
        case .ambiguous: "ambiguous"
        }
    }
}
