import FaceEngine
import Foundation
import LiveRecognition
import RollCall

/// `rollcall eval photo-attack` as a library call: the planar-photo cue (`PlanarMotionCue`) measured on bona fide
/// tracks from real video and on attack tracks of still photos held up to the camera (`PhotoAttackScene`), both
/// through the live pipeline (detector, tracker, landmarks found again at full resolution), reported in
/// ISO/IEC 30107-3 terms.
///
/// - A *presentation* is one window of a track: the first `window` frames the cue takes, as the gate judges a
///   track. A long real track is cut into consecutive windows, each judged as a new track would be.
/// - Halves: bona fide windows by time (the first half of each video tunes, the second is held out; tracks are cut at
///   the middle so no window straddles it), attacks by identity (a hash of the name). The thresholds are chosen on
///   the tuning half only, then applied unchanged to the held-out half.
/// - APCER: attack presentations not flagged (judged bona fide *or* undecided: either way the check-in goes through
///   unflagged) over all attack presentations. BPCER: bona fide presentations flagged over all bona fide ones of at
///   least the cue's minimum frames.
public enum PhotoAttackStudy {
    public enum Half: String, Sendable, Codable { case tuning, heldOut = "held_out" }

    /// One judged presentation.
    public struct Presentation: Sendable, Codable, Equatable {
        public var attack: Bool
        public var half: Half
        /// The video and track (bona fide) or the photo (attack).
        public var source: String
        /// Bona fide: the video variant (`original`, `mirrored`, `handheld`); attack: the hand's style.
        public var kind: String
        public var frames: Int
        public var non_planar: Double?
        public var deformation: Double?

        func verdict(_ c: PlanarMotionCue.Configuration) -> PlanarMotionCue.Verdict {
            guard let non_planar, let deformation else { return .undecided }
            return PlanarMotionCue.verdict(.init(frames: frames, nonPlanar: non_planar, deformation: deformation), configuration: c)
        }
    }

    /// Counts and rates on one half.
    public struct Rates: Sendable, Codable, Equatable {
        public var attacks = 0, attacks_flagged = 0, attacks_undecided = 0, attacks_judged_bona_fide = 0
        public var bona_fide = 0, bona_fide_flagged = 0, bona_fide_undecided = 0
        /// Bona fide windows shorter than the cue's minimum (fragments of tracks cut by the video's edits), left out:
        /// they could only be undecided, and would lower the BPCER for nothing. A short attack track stays in, as not
        /// flagged.
        public var bona_fide_too_short = 0
        /// Attack presentations not flagged / attack presentations.
        public var apcer: Double?
        /// Wilson 95 % interval of the APCER.
        public var apcer_95: [Double]?
        /// Bona fide presentations flagged / bona fide presentations.
        public var bpcer: Double?
        public var bpcer_95: [Double]?
        /// APCER by the hand's style: [not flagged, presentations].
        public var apcer_by_style: [String: [Int]] = [:]
        /// BPCER by video variant: [flagged, presentations].
        public var bpcer_by_variant: [String: [Int]] = [:]
    }

    public struct Result: Sendable, Codable {
        public var window: Int
        public var minimum_frames: Int
        public var quantile: Double
        /// The thresholds chosen on the tuning half.
        public var live_above: Double
        public var minimum_deformation: Double
        public var bpcer_target: Double
        public var tuning: Rates
        public var held_out: Rates
        /// Photos left out (no face) and attack presentations whose photo the detector never followed.
        public var photos_without_a_face: [String]
        public var attacks_not_tracked: Int
    }

    // MARK: - Bona fide

    /// The windows of every track in a real video, through the live pipeline; `variant` re-films it: `mirrored`
    /// (flipped left–right) or `handheld` (a camera that shakes, turns a little and zooms in slowly).
    public static func bonaFide(video path: String, variant: String, engine: FaceEngine, pipeline: PipelineConfiguration,
                                log: (String) -> Void = { _ in }) throws -> [Presentation] {
        let source = try VideoSource(path)
        defer { source.close() }
        var frames: [Image] = []
        while let image = try source.read() { frames.append(image) }
        guard !frames.isEmpty else { throw EvaluationInputError("\(path): no frames") }
        let live = try pipelineWithoutGallery(engine: engine, pipeline: pipeline)
        var tracks: [Int: [(frame: Int, landmarks: [Point])]] = [:]
        var random = SplitMix64(seed: 77)
        var shake = (x: 0.0, y: 0.0)
        let start = Date()
        for (index, raw) in frames.enumerated() {
            var image = try raw.limited(toWidth: pipeline.frameMaxWidth)
            switch variant {
            case "mirrored": image = try image.mirrored()
            case "handheld":
                let u = Double(index) / Double(max(1, frames.count - 1))
                shake = (0.8 * shake.x + Double(random.uniform(-1.5, 1.5)), 0.8 * shake.y + Double(random.uniform(-1.5, 1.5)))
                let zoom = 1 + 0.25 * u, turn = 2 * sin(2 * .pi * u * 1.5) * .pi / 180
                let (cx, cy) = (Double(image.width) / 2, Double(image.height) / 2)
                let (a, b) = (zoom * cos(turn), zoom * sin(turn))
                let h = [a, -b, cx - a * cx + b * cy + shake.x, b, a, cy - b * cx - a * cy + shake.y, 0, 0, 1]
                let black = try Image(bgr: [UInt8](repeating: 0, count: image.width * image.height * 3), width: image.width, height: image.height)
                image = try Image.warped(image, onto: black, homography: h).jpegRoundTrip(quality: 80)
            default: break
            }
            let outcome = try live.process(Frame(image: image, index: index, capturedAt: start.addingTimeInterval(Double(index) / (source.fps ?? 25))))
            for face in outcome.faces {
                guard let landmarks = face.cueLandmarks else { continue }
                tracks[face.trackID, default: []].append((index, landmarks.map { Point(x: Double($0.x), y: Double($0.y)) }))
            }
        }
        _ = live.finish()
        let middle = frames.count / 2
        var result: [Presentation] = []
        let name = URL(fileURLWithPath: path).lastPathComponent
        for (id, seen) in tracks.sorted(by: { $0.key < $1.key }) {
            for (half, part) in [(Half.tuning, seen.filter { $0.frame < middle }), (.heldOut, seen.filter { $0.frame >= middle })] {
                for chunk in stride(from: 0, to: part.count, by: pipeline.photoCue.window) {
                    let window = Array(part[chunk..<min(part.count, chunk + pipeline.photoCue.window)])
                    let m = PlanarMotionCue.measure(window.map(\.landmarks), quantile: pipeline.photoCue.quantile)
                    result.append(Presentation(attack: false, half: half, source: "\(name) track \(id) from frame \(window[0].frame)",
                                               kind: variant, frames: window.count, non_planar: m?.nonPlanar, deformation: m?.deformation))
                }
            }
        }
        log("\(name) (\(variant)): \(frames.count) frames, \(tracks.count) tracks, \(result.count) bona fide presentations")
        return result
    }

    // MARK: - Attacks

    /// One presentation of each photo per seed in `seeds`, each with its own hand; `nil` for a photo the pipeline never
    /// followed (no track overlapping the photo's face in any frame).
    public static func attack(_ walker: EntranceScene.Walker, backgrounds: [Image], settings: PhotoAttackScene.Settings, seed: UInt64,
                              engine: FaceEngine, pipeline: PipelineConfiguration) throws -> Presentation? {
        let scene = try PhotoAttackScene(walker: walker, backgrounds: backgrounds, settings: settings, seed: seed)
        let live = try pipelineWithoutGallery(engine: engine, pipeline: pipeline)
        var seen: [Int: [[Point]]] = [:]
        let start = Date()
        for index in 0..<settings.frames {
            let (image, truth) = try scene.render(frame: index)
            let outcome = try live.process(Frame(image: image, index: index, capturedAt: start.addingTimeInterval(Double(index) / settings.fps)))
            // The face the photo shows, not the real ones in the background.
            let best = outcome.faces.filter { $0.cueLandmarks != nil }.max { $0.face.box.iou(truth) < $1.face.box.iou(truth) }
            guard let best, best.face.box.iou(truth) >= 0.3, let landmarks = best.cueLandmarks else { continue }
            seen[best.trackID, default: []].append(landmarks.map { Point(x: Double($0.x), y: Double($0.y)) })
        }
        _ = live.finish()
        guard let track = seen.max(by: { $0.value.count < $1.value.count })?.value else { return nil }
        // The gate judges a track on its first `window` frames.
        let window = Array(track.prefix(pipeline.photoCue.window))
        let m = PlanarMotionCue.measure(window, quantile: pipeline.photoCue.quantile)
        let identity = walker.identity ?? walker.photo
        return Presentation(attack: true, half: half(ofIdentity: identity), source: walker.photo, kind: scene.style.rawValue,
                            frames: window.count, non_planar: m?.nonPlanar, deformation: m?.deformation)
    }

    /// Tuning or held out, by a stable hash of the identity (FNV-1a), so that one person's photos stay in one half.
    public static func half(ofIdentity identity: String) -> Half {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in identity.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash % 2 == 0 ? .tuning : .heldOut
    }

    // MARK: - Thresholds and rates

    /// The thresholds, on the tuning presentations only: the lowest APCER among those whose BPCER is at most
    /// `bpcerTarget` (ties: the lower BPCER, then the smaller thresholds).
    public static func choose(on tuning: [Presentation], base: PlanarMotionCue.Configuration, bpcerTarget: Double)
        -> PlanarMotionCue.Configuration
    {
        var best: (config: PlanarMotionCue.Configuration, apcer: Double, bpcer: Double)?
        for live in stride(from: 0.01, through: 0.3, by: 0.0025) {
            for deformation in stride(from: 0.0, through: 0.08, by: 0.0025) {
                var c = base
                (c.liveAbove, c.minimumDeformation) = (live, deformation)
                let r = rates(tuning, c)
                guard let apcer = r.apcer, let bpcer = r.bpcer, bpcer <= bpcerTarget else { continue }
                if best == nil || apcer < best!.apcer - 1e-12 || (abs(apcer - best!.apcer) < 1e-12 && bpcer < best!.bpcer - 1e-12) {
                    best = (c, apcer, bpcer)
                }
            }
        }
        return best?.config ?? base
    }

    /// Counts and rates of `presentations` under `c`.
    public static func rates(_ presentations: [Presentation], _ c: PlanarMotionCue.Configuration) -> Rates {
        var r = Rates()
        for p in presentations {
            let v = p.verdict(c)
            if p.attack {
                r.attacks += 1
                var style = r.apcer_by_style[p.kind] ?? [0, 0]
                style[1] += 1
                switch v {
                case .suspectedPhoto: r.attacks_flagged += 1
                case .undecided: r.attacks_undecided += 1; style[0] += 1
                case .bonaFide: r.attacks_judged_bona_fide += 1; style[0] += 1
                }
                r.apcer_by_style[p.kind] = style
            } else {
                if p.frames < c.minimumFrames { r.bona_fide_too_short += 1; continue }
                r.bona_fide += 1
                var variant = r.bpcer_by_variant[p.kind] ?? [0, 0]
                variant[1] += 1
                if v == .suspectedPhoto { r.bona_fide_flagged += 1; variant[0] += 1 }
                if v == .undecided { r.bona_fide_undecided += 1 }
                r.bpcer_by_variant[p.kind] = variant
            }
        }
        if r.attacks > 0 {
            r.apcer = Double(r.attacks - r.attacks_flagged) / Double(r.attacks)
            r.apcer_95 = wilson(r.attacks - r.attacks_flagged, r.attacks)
        }
        if r.bona_fide > 0 {
            r.bpcer = Double(r.bona_fide_flagged) / Double(r.bona_fide)
            r.bpcer_95 = wilson(r.bona_fide_flagged, r.bona_fide)
        }
        return r
    }

    /// Wilson score interval, 95 %, of `k` in `n`.
    static func wilson(_ k: Int, _ n: Int) -> [Double] {
        let z = 1.959964, p = Double(k) / Double(n), nn = Double(n)
        let centre = (p + z * z / (2 * nn)) / (1 + z * z / nn)
        let half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot() / (1 + z * z / nn)
        return [max(0, centre - half), min(1, centre + half)]
    }

    /// A pipeline that matches against nobody: every track stays unresolved, which is all the cue's measurement needs;
    /// the cue takes every usable frame (the windows are cut afterwards).
    static func pipelineWithoutGallery(engine: FaceEngine, pipeline: PipelineConfiguration) throws -> RecognitionPipeline {
        var configuration = pipeline
        configuration.photoCue.window = Int.max / 2
        let gallery = try Gallery(dimension: engine.dimension, templates: [])
        return RecognitionPipeline(engine: engine, matcher: MatcherHolder(Matcher(gallery: gallery)), configuration: configuration)
    }
}

/// A measurement's input that cannot be used, named.
public struct EvaluationInputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension PhotoAttackStudy {
    /// The whole measurement: bona fide presentations from each video (as filmed, mirrored, hand-held), attack
    /// presentations from each photo, thresholds chosen on the tuning half, rates on both halves.
    public static func evaluate(bonaFideVideos: [String], photos: [(identity: String?, path: String)], backgrounds path: String,
                                presentations: Int, seed: UInt64, engine: FaceEngine, pipeline: PipelineConfiguration,
                                bpcerTarget: Double, presentationsOut: String? = nil, log: (String) -> Void = { _ in }) throws -> Result {
        var all: [Presentation] = []
        for video in bonaFideVideos {
            for variant in ["original", "mirrored", "handheld"] {
                all += try bonaFide(video: video, variant: variant, engine: engine, pipeline: pipeline, log: log)
            }
        }
        let source = try VideoSource(path)
        var backgrounds: [Image] = []
        while let image = try source.read() { backgrounds.append(image) }
        source.close()
        guard !backgrounds.isEmpty else { throw EvaluationInputError("\(path): no frames") }
        let (walkers, skipped) = EntranceRun.walkers(from: photos, engine: engine)
        log("holding up \(walkers.count) photos, \(presentations) presentation(s) each, over \(backgrounds.count) background frames")
        var notTracked = 0
        let settings = PhotoAttackScene.Settings()
        for (n, walker) in walkers.enumerated() {
            for k in 0..<presentations {
                let s = seed &* 1_000_003 &+ UInt64(n) &* 31 &+ UInt64(k)
                if let p = try attack(walker, backgrounds: backgrounds, settings: settings, seed: s, engine: engine, pipeline: pipeline) {
                    all.append(p)
                } else {
                    notTracked += 1
                }
            }
            if (n + 1) % 20 == 0 { log("  \(n + 1) of \(walkers.count) photos") }
        }
        let tuning = all.filter { $0.half == .tuning }, heldOut = all.filter { $0.half == .heldOut }
        let chosen = choose(on: tuning, base: pipeline.photoCue, bpcerTarget: bpcerTarget)
        if let presentationsOut {
            var lines = ["attack\thalf\tkind\tframes\tnon_planar\tdeformation\tverdict\tsource"]
            for p in all {
                let f = { (v: Double?) in v.map { String(format: "%.5f", $0) } ?? "" }
                lines.append("\(p.attack)\t\(p.half.rawValue)\t\(p.kind)\t\(p.frames)\t\(f(p.non_planar))\t\(f(p.deformation))\t\(p.verdict(chosen).rawValue)\t\(p.source)")
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: presentationsOut, atomically: true, encoding: .utf8)
        }
        return Result(window: chosen.window, minimum_frames: chosen.minimumFrames, quantile: chosen.quantile, live_above: chosen.liveAbove,
                      minimum_deformation: chosen.minimumDeformation, bpcer_target: bpcerTarget, tuning: rates(tuning, chosen),
                      held_out: rates(heldOut, chosen), photos_without_a_face: skipped, attacks_not_tracked: notTracked)
    }
}
