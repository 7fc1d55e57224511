import ArgumentParser
import SiteEvaluation
import Enrollment
import Evaluation
import FaceEngine
import Foundation
import LiveRecognition

extension RollCallCommand {
    struct EvalEntrance: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "entrance",
            abstract: "The roll call measured as the user lives it: walkers through an entrance, checked in or missed.",
            discussion: """
                The gallery (path<TAB>identity; several lines per identity for several photos) is enrolled as `rollcall \
                enroll` does, quality gates and guards on. Then either --walkers (path<TAB>identity; `-` or a name not in \
                the gallery for someone on no roster) are made into an entrance — each photo's face walking towards the \
                camera, --composition spaced|queue|crowd — or --video is read with --truth (one identity per line: who \
                walks in). Every frame goes through the live pipeline as `rollcall watch` runs it. Reported: walkers \
                checked in, missed, wrong check-ins, identity switches (a track that followed one person and then \
                another; built entrances only), time from a walker's first frame to their check-in, frames/s; and, for \
                built entrances, how many walking photos `rollcall identify` recognises as stills.
                """
        )

        @OptionGroup var engineOptions: EngineOptions

        @Option(help: "Gallery list: path<TAB>identity.") var gallery: String
        @Option(help: "Walker list: path<TAB>identity (`-` for someone on no roster).") var walkers: String?
        @Option(help: "A video of the entrance (instead of --walkers).") var video: String?
        @Option(help: "With --video: a file with one identity per line, the people who walk in.") var truth: String?
        @Option(help: "Folder relative paths start from.") var root = "."

        @Option(help: "How people follow one another: spaced, queue, crowd.") var composition: EntranceScene.Composition = .queue
        @Option(help: "Seed of the walk (the same seed, the same entrance).") var seed: UInt64 = 1
        @Option(help: "Frame size, WIDTHxHEIGHT.") var size = "1280x720"
        @Option(help: "Frames per second.") var fps = 25.0
        @Option(help: "People side by side (faces at once).") var lanes = 3
        @Option(help: "Face side when a walker appears and when nearest, pixels: SMALL-LARGE.") var faces = "45-100"
        @Option(help: "JPEG quality every frame goes through (0: none).") var jpegQuality = 80
        @Option(help: "A background picture (default: a plain corridor).") var background: String?
        @Option(help: "Also write the built entrance as an MJPG .avi (to try `rollcall watch` on it).") var writeVideo: String?
        @Option(help: "Write what the pipeline saw (templates, stills, every detection with its embedding) as JSON lines, for offline study. Biometric data: evaluation sets only.")
        var evidence: String?

        @Option(help: "Embedded frames of a track fused before it is decided (K).") var confirmations: Int?
        @Option(help: "Width frames are scaled to before detection (default: from the minimum face size).") var detectionWidth: Int?
        @Option(help: "Smallest face the gate must see, pixels.") var minimumFaceSize: Float?
        @Option(help: "Frames between two embeddings of an undecided track.") var embedEvery: Int?
        @Flag(help: "Keep the detector's landmarks from the scaled-down frame (no full-resolution refinement).") var noRefine = false
        @Flag(help: "Enroll each delegate at the desk instead: a clip of their first gallery photo held before a camera, through `enroll --camera`'s capture.")
        var desk = false
        @Option(help: "Identify threshold for stills and gate alike (default: the pack's; e.g. what `rollcall calibrate` proposes).")
        var identifyThreshold: Float?

        @Option(help: "Parallel workers for enrollment and stills.") var workers = ProcessInfo.processInfo.activeProcessorCount
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (walkers == nil) != (video == nil) else { throw ValidationError("Give exactly one of --walkers or --video.") }
            guard (video == nil) == (truth == nil) else { throw ValidationError("--video and --truth go together.") }
            _ = try settings()
        }

        private func settings() throws -> EntranceScene.Settings {
            var s = EntranceScene.Settings()
            let dims = size.split(separator: "x").compactMap { Int($0) }
            guard dims.count == 2, dims[0] >= 160, dims[1] >= 120 else { throw ValidationError("--size must look like 1280x720, got \(size).") }
            let sides = faces.split(separator: "-").compactMap { Float($0) }
            guard sides.count == 2, sides[0] >= 8, sides[1] >= sides[0] else { throw ValidationError("--faces must look like 45-100, got \(faces).") }
            guard lanes >= 1, lanes <= 8 else { throw ValidationError("--lanes must lie in 1...8, got \(lanes).") }
            guard fps > 0 else { throw ValidationError("--fps must be positive.") }
            guard (0...100).contains(jpegQuality) else { throw ValidationError("--jpeg-quality must lie in 0...100.") }
            (s.width, s.height, s.fps, s.lanes, s.composition, s.seed) = (dims[0], dims[1], fps, lanes, composition, seed)
            (s.smallestFace, s.largestFace, s.jpegQuality) = (sides[0], sides[1], jpegQuality)
            return s
        }

        func run() throws {
            let galleryList = try read(gallery).entries.map { entry -> (identity: String, path: String) in
                guard let id = entry.identity else { throw ValidationError("\(gallery): every gallery photo needs an identity (no `-`)") }
                return (id, entry.path)
            }
            let walk: EntranceEvaluator.Walk
            if let walkers {
                walk = .scene(walkers: try read(walkers).entries.map { ($0.identity, $0.path) }, settings: try settings(), background: background)
            } else {
                guard let text = try? String(contentsOfFile: truth!, encoding: .utf8) else { throw ValidationError("\(truth!): cannot read") }
                walk = .video(path: video!, walkedIn: text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            }
            var pipeline = PipelineConfiguration()
            if let confirmations { pipeline.confirmations = confirmations }
            if let minimumFaceSize { pipeline.minimumFaceSize = minimumFaceSize }
            if let embedEvery { pipeline.embedEvery = embedEvery }
            pipeline.detectionWidth = detectionWidth
            pipeline.refineLandmarks = !noRefine
            try pipeline.validate()
            let result = try EntranceEvaluator.evaluate(
                gallery: galleryList, walk: walk, stillEngine: try engineOptions.engine(workers: workers),
                liveEngine: try engineOptions.engine(workers: 1, flipUnlessTold: false), pipeline: pipeline,
                enrollment: Enroller.Options(), desk: desk ? DeskCapture.Options() : nil, threshold: identifyThreshold, writeVideo: writeVideo,
                evidence: try evidence.map { try EvidenceLog(path: $0) }, log: { printError($0) })
            if json { try printJSON(result) } else { print(Self.text(result)) }
        }

        private func read(_ file: String) throws -> LabeledImageList {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("\(file): cannot read") }
            return try LabeledImageList.parse(text, file: file, root: root)
        }

        static func text(_ r: EntranceEvaluator.Result) -> String {
            let l = r.live
            func seconds(_ v: Double?) -> String { v.map { String(format: "%.2f s", $0) } ?? "-" }
            let refusals = r.enrollment.refusals.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            var enrollment = "enrollment:       \(r.enrollment.enrolled) of \(r.enrollment.photos) photos enrolled"
            enrollment += " (\(r.enrollment.delegates) delegates), \(r.enrollment.warned) with a warning, \(r.enrollment.refused) refused"
            if !refusals.isEmpty { enrollment += " (\(refusals))" }
            var lines = ["pack \(r.pack)" + (r.composition.map { ", \($0) entrance" } ?? ""), enrollment,
                         "walkers:          \(l.walkers) (\(l.enrolled_walkers) enrolled, \(l.strangers) on no roster)"]
            if let stills = r.stills {
                lines.append("stills:           \(stills.recognised) of \(l.enrolled_walkers) enrolled walkers recognised, \(stills.wrong) wrong")
            }
            var live = "live:             \(l.checked_in) of \(l.enrolled_walkers) checked in, \(l.missed) missed, "
            live += "\(l.wrong_check_ins) wrong check-ins (\(l.wrong_confirmations) later wrong confirmations)"
            var tracks = "tracks:           "
            if let switches = l.identity_switches {
                tracks += "\(switches) identity switches, \(l.fragmented_walkers ?? 0) walkers in several tracks, "
            }
            tracks += "\(l.tracks_split) splits, \(l.unresolved_tracks) unresolved"
            tracks += " (\(l.missed_with_usher_candidate ?? 0) missed walkers offered to the usher)"
            lines += [live, tracks,
                      "time to check-in: median \(seconds(l.time_to_check_in.median)), p95 \(seconds(l.time_to_check_in.p95))",
                      String(format: "speed:            %.1f frames/s, %.2f embeddings per frame, %d frames",
                             l.frames_per_second, l.embeddings_per_frame, l.frames)]
            if let below = r.live_missed_still_recognised, !below.isEmpty {
                lines.append("live missed \(below.count) that stills recognise: \(below.joined(separator: ", "))")
            }
            if !l.wrong_ids.isEmpty { lines.append("wrong check-ins: \(l.wrong_ids.joined(separator: ", "))") }
            if !r.walkers_without_a_face.isEmpty { lines.append("walkers left out (no face): \(r.walkers_without_a_face.count)") }
            return lines.joined(separator: "\n")
        }
    }
}

extension EntranceScene.Composition: ExpressibleByArgument {}
