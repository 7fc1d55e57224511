import ArgumentParser
import Evaluation
import FaceEngine
import Foundation
import LiveRecognition
import RollCall
import SiteEvaluation

extension RollCallCommand {
    struct EvalPhotoAttack: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "photo-attack",
            abstract: "The planar-photo cue measured: APCER and BPCER on tracks the thresholds were not chosen on.",
            discussion: """
                Bona fide presentations: the tracks of each --bona-fide-video (real people filmed), through the live \
                pipeline, cut into windows of the cue's length, as filmed and re-filmed (mirrored, a hand-held camera). \
                Attack presentations: each --photos photo (path<TAB>identity) cut around its face and held up to the \
                camera by a synthetic hand (tilting, gentle or still) over the frames of --backgrounds (a real video), \
                through JPEG and the same pipeline. The cue's thresholds are chosen on the tuning half (bona fide: the \
                first half of each video; attacks: half of the identities) for the lowest APCER at a BPCER of at most \
                --bpcer-target, then applied unchanged to the held-out half. APCER counts an undecided attack as \
                not flagged.
                """
        )

        @OptionGroup var engineOptions: EngineOptions

        @Option(help: "A real video of people (repeatable).") var bonaFideVideo: [String]
        @Option(help: "Photos to hold up: path<TAB>identity.") var photos: String
        @Option(help: "Folder relative paths in --photos start from.") var root = "."
        @Option(help: "A real video whose frames are the attacks' background.") var backgrounds: String
        @Option(help: "Presentations of each photo, each with its own hand.") var presentations = 1
        @Option(help: "Seed of the hands (the same seed, the same attacks).") var seed: UInt64 = 1
        @Option(help: "Highest BPCER the thresholds may reach on the tuning half (0...1).") var bpcerTarget = 0.05
        @Option(help: "Also write every presentation and its measure as tab-separated lines to this file.") var presentationsOut: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard !bonaFideVideo.isEmpty else { throw ValidationError("Give at least one --bona-fide-video.") }
            guard (1...20).contains(presentations) else { throw ValidationError("--presentations must lie in 1...20, got \(presentations).") }
            guard (0...1).contains(bpcerTarget) else { throw ValidationError("--bpcer-target must lie in 0...1, got \(bpcerTarget).") }
            for path in bonaFideVideo + [backgrounds, photos] where !FileManager.default.fileExists(atPath: path) {
                throw ValidationError("\(path): no such file")
            }
        }

        func run() throws {
            guard let text = try? String(contentsOfFile: photos, encoding: .utf8) else { throw ValidationError("\(photos): cannot read") }
            let list = try LabeledImageList.parse(text, file: photos, root: root).entries.map { ($0.identity, $0.path) }
            let engine = try engineOptions.engine(workers: 1, flipUnlessTold: false)
            let result = try PhotoAttackStudy.evaluate(
                bonaFideVideos: bonaFideVideo, photos: list, backgrounds: backgrounds, presentations: presentations, seed: seed,
                engine: engine, pipeline: PipelineConfiguration(), bpcerTarget: bpcerTarget, presentationsOut: presentationsOut,
                log: { printError($0) })
            if json { try printJSON(result) } else { print(Self.text(result)) }
        }

        static func text(_ r: PhotoAttackStudy.Result) -> String {
            func rate(_ v: Double?, _ ci: [Double]?) -> String {
                guard let v else { return "-" }
                let interval = ci.map { String(format: " (95 %% %.1f–%.1f %%)", $0[0] * 100, $0[1] * 100) } ?? ""
                return String(format: "%.1f %%", v * 100) + interval
            }
            func half(_ name: String, _ h: PhotoAttackStudy.Rates) -> [String] {
                let styles = h.apcer_by_style.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value[0])/\($0.value[1])" }.joined(separator: ", ")
                let variants = h.bpcer_by_variant.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value[0])/\($0.value[1])" }.joined(separator: ", ")
                return [
                    "\(name):",
                    "  APCER \(rate(h.apcer, h.apcer_95)): \(h.attacks - h.attacks_flagged) of \(h.attacks) attacks not flagged "
                        + "(\(h.attacks_judged_bona_fide) judged bona fide, \(h.attacks_undecided) undecided); by style: \(styles)",
                    "  BPCER \(rate(h.bpcer, h.bpcer_95)): \(h.bona_fide_flagged) of \(h.bona_fide) bona fide flagged "
                        + "(\(h.bona_fide_undecided) undecided; \(h.bona_fide_too_short) shorter windows left out); by variant: \(variants)",
                ]
            }
            var lines = [String(format: "cue: window %d frames (at least %d), quantile %.2f; chosen on the tuning half: live above %.4f, minimum deformation %.4f (BPCER target %.1f %%)",
                                r.window, r.minimum_frames, r.quantile, r.live_above, r.minimum_deformation, r.bpcer_target * 100)]
            lines += half("tuning", r.tuning) + half("held out", r.held_out)
            if !r.photos_without_a_face.isEmpty || r.attacks_not_tracked > 0 {
                lines.append("left out: \(r.photos_without_a_face.count) photos without a face, \(r.attacks_not_tracked) attacks never tracked")
            }
            return lines.joined(separator: "\n")
        }
    }
}
