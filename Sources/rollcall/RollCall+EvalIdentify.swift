import ArgumentParser
import Crypto
import Enrollment
import Evaluation
import FaceEngine
import Foundation
import LiveRecognition
import Logging
import RollCall
import RollCallStore

extension RollCallCommand {
    struct EvalIdentify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "identify",
            abstract: "1:N open-set evaluation: FNIR at FPIR 0.003 and 0.01, rank-1, over a gallery and probes.",
            discussion: """
                Both files have lines path<TAB>identity (or path,identity; a header line is skipped); a probe identity \
                `-`, or one the gallery does not hold, marks someone not enrolled (a non-mated probe).
                The gallery is enrolled for real (detection, encryption, store) into a temporary database that is
                deleted afterwards; quality gates and the identity guards (duplicate, own-photos) are off, so every gallery face counts.
                Each image's main-subject face is used (big and central), in the gallery as in the probes. A gallery image without a face leaves its identity
                unenrolled; a probe without a face is never accepted (a miss if mated).
                """
        )

        @OptionGroup var engineOptions: EngineOptions

        @Option(help: "Gallery list: path<TAB>identity.") var gallery: String
        @Option(help: "Probe list: path<TAB>identity, `-` for non-mated.") var probes: String
        @Option(help: "Folder relative paths start from.") var root = "."

        @Option(help: "Margin the runner-up delegate must keep (default: the pack's).")
        var margin: Float?

        @Option(help: "Score normalisation: none, probe-znorm, template-znorm.")
        var normalization: ScoreNormalization = .none

        @Option(help: "An identity's several gallery images: best (each its own template) or mean (one centroid template). Default: the pack's.")
        var templateFusion: TemplateFusion?

        @Option(help: "Parallel workers.") var workers = ProcessInfo.processInfo.activeProcessorCount
        @Flag(help: "Print JSON.") var json = false

        @Option(help: "Write the DET curve (FNIR against FPIR, log axes, FPIR 0.003 operating point marked) as SVG.")
        var plot: String?

        @Flag(help: "Calibration: also print FNIR at both FPIRs for a grid of margins under every normalisation.")
        var sweep = false

        struct Report: Encodable {
            var fnir_at_fpir_0_003: Double
            var fnir_at_fpir_0_01: Double
            var threshold_at_fpir_0_003: Float
            var threshold_at_fpir_0_01: Float
            /// FNIR and FPIR at the pack's own identify threshold: how the shipped operating point fares on these
            /// faces (a site decides from it whether to calibrate its own, README "Thresholds for your own delegates").
            /// Absent under score normalisation, whose scores are not distances.
            var at_pack_threshold: IdentificationMetrics.OperatingPoint?
            /// What `rollcall calibrate` predicts from the gallery alone (no labels): FPIR at the pack's identify
            /// threshold, to set beside the measured one.
            var predicted_fpir_at_pack_threshold: Double
            var rank1: Double
            var gallery_size: Int
            var gallery_images: Int
            var mated_probes: Int
            var non_mated_probes: Int
            var no_face: NoFace
            var margin: Float
            var normalization: String
            var template_fusion: String
            var pack: String
            struct NoFace: Encodable { var gallery: Int; var probes: Int }
        }

        func run() throws {
            func read(_ file: String) throws -> LabeledImageList {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw ValidationError("\(file): cannot read")
                }
                return try LabeledImageList.parse(text, file: file, root: root)
            }
            let galleryList = try read(gallery)
            guard galleryList.entries.allSatisfy({ $0.identity != nil }) else {
                throw ValidationError("\(gallery): every gallery image needs an identity (no `-`)")
            }
            // A probe of someone the gallery does not hold is non-mated whatever its label (NIST's definition):
            // counted as a missed mated probe it would inflate FNIR and leave FPIR unmeasured.
            var probeList = try read(probes)
            let galleryIdentities = Set(galleryList.entries.compactMap(\.identity))
            let strangers = probeList.entries.filter { $0.identity.map { !galleryIdentities.contains($0) } ?? false }.count
            if strangers > 0 {
                printError("note: \(probes): \(strangers) probe(s) name someone the gallery does not hold: counted as non-mated")
                probeList.entries = probeList.entries.map {
                    LabeledImageList.Entry(path: $0.path, identity: $0.identity.flatMap { galleryIdentities.contains($0) ? $0 : nil })
                }
            }
            let engine = try engineOptions.engine(workers: workers)

            // Enroll into a throw-away store with a throw-away key.
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rollcall-eval-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            var logger = Logger(label: "rollcall.eval")
            logger.logLevel = .error
            let store = try RollCallStore(path: dir.appendingPathComponent("eval.db").path,
                                          keySource: .key(SymmetricKey(size: .bits256)), logger: logger)
            let identities = Array(Set(galleryList.entries.compactMap(\.identity))).sorted()
            let csv = "id,name\n" + identities.map { "\(quoted($0)),\(quoted($0))" }.joined(separator: "\n") + "\n"
            _ = try store.importRoster(RollCall.Roster.parse(Array(csv.utf8), source: "gallery", baseDirectory: dir.path))
            var options = Enroller.Options()
            options.skipQualityGates = true
            options.force = true
            options.mainSubject = true
            let enrollProgress = ProgressLine(total: galleryList.entries.count, label: "enrolling gallery")
            let outcomes = try Enroller(engine: engine, store: store, logger: logger)
                .enroll(galleryList.entries.map { ($0.identity!, $0.path) }, options: options) { enrollProgress.update($0) }
            enrollProgress.finish()
            let galleryNoFace = outcomes.filter { !$0.enrolled }.count

            let configuration = MatcherConfiguration(threshold: .infinity, margin: margin ?? engine.thresholds.margin,
                                                     topK: 2, normalization: normalization)
            let pack = MatcherAssembly.templatePack(of: engine)
            let fusion = templateFusion ?? MatcherAssembly.templateFusion(of: engine)
            let matcher = Matcher(gallery: try store.gallery(madeBy: pack, fusion: fusion), configuration: configuration)
            let calibration = RosterCalibration(gallery: matcher.gallery, templates: try store.templates(madeBy: pack))
            let probeProgress = ProgressLine(total: probeList.entries.count, label: "matching probes")
            let found = engine.oneFacePerFile(probeList.entries.map(\.path), choice: .mainSubject) { probeProgress.update($0) }
            probeProgress.finish()
            let probeNoFace: Int
            probeNoFace = found.filter { $0.embedding == nil }.count
            let results = Self.probeResults(matcher, probeList.entries, found)
            if sweep { try printSweep(store: store, pack: pack, fusion: fusion, probes: probeList.entries, found: found) }
            let strict = IdentificationMetrics.fnir(atFPIR: 0.003, results)
            let loose = IdentificationMetrics.fnir(atFPIR: 0.01, results)
            if let plot {
                try DETPlot.writeIdentification(results, label: "RollCall \(engine.pack.pack.name)",
                                                title: "DET, 1:N: \((probes as NSString).lastPathComponent)", to: plot)
            }
            let report = Report(
                fnir_at_fpir_0_003: strict.fnir, fnir_at_fpir_0_01: loose.fnir,
                threshold_at_fpir_0_003: strict.threshold, threshold_at_fpir_0_01: loose.threshold,
                at_pack_threshold: normalization == .none ? IdentificationMetrics.point(at: engine.thresholds.identify, results) : nil,
                predicted_fpir_at_pack_threshold: calibration.falseCheckInsPerThousand(at: engine.thresholds.identify) / 1000,
                rank1: IdentificationMetrics.rank1(results), gallery_size: identities.count,
                gallery_images: galleryList.entries.count,
                mated_probes: results.filter(\.mated).count, non_mated_probes: results.filter { !$0.mated }.count,
                no_face: .init(gallery: galleryNoFace, probes: probeNoFace), margin: configuration.margin,
                normalization: normalization.rawValue, template_fusion: fusion.rawValue, pack: engine.pack.pack.name)
            if json { try printJSON(report); return }
            print("""
                gallery:             \(report.gallery_size) identities (\(report.gallery_images) images, \(galleryNoFace) without a face)
                probes:              \(report.mated_probes) mated, \(report.non_mated_probes) non-mated (\(probeNoFace) without a face)
                FNIR @ FPIR 0.003:   \(String(format: "%.2f %%", strict.fnir * 100)) (score < \(strict.threshold))
                FNIR @ FPIR 0.01:    \(String(format: "%.2f %%", loose.fnir * 100)) (score < \(loose.threshold))
                rank-1:              \(String(format: "%.2f %%", report.rank1 * 100))
                margin:              \(report.margin), normalisation \(report.normalization), template fusion \(report.template_fusion)
                """)
            if let shipped = report.at_pack_threshold {
                print(String(format: "pack's threshold:    %.4f → FNIR %.2f %%, FPIR %.3f %% (predicted from the gallery alone: %.3f %%)",
                             shipped.threshold, shipped.fnir * 100, shipped.fpir * 100, report.predicted_fpir_at_pack_threshold * 100))
            }
        }

        /// Each probe's outcome under one matcher: with an infinite threshold, "accepted" means the margin rule
        /// let the best candidate through, and its score is the statistic the FPIR threshold is set on.
        static func probeResults(_ matcher: Matcher, _ entries: [LabeledImageList.Entry],
                                 _ found: [FaceEngine.FileOutcome]) -> [IdentificationMetrics.Probe] {
            zip(entries, found).map { entry, outcome in
                let mated = entry.identity != nil
                guard let embedding = outcome.embedding else { return .init(mated: mated, rank1Correct: false, statistic: nil) }
                let match = matcher.match(embedding.vector)
                let best = match.candidates.first
                return .init(mated: mated, rank1Correct: mated && best?.delegateID == entry.identity,
                             statistic: match.decision == .accepted ? best?.score : nil)
            }
        }

        private func printSweep(store: RollCallStore, pack: TemplatePack, fusion: TemplateFusion,
                                probes: [LabeledImageList.Entry], found: [FaceEngine.FileOutcome]) throws {
            let gallery = try store.gallery(madeBy: pack, fusion: fusion)
            let grids: [(ScoreNormalization, [Float])] = [
                (.none, [0, 0.01, 0.02, 0.03, 0.05, 0.08]),
                (.probeZNorm, [0, 0.1, 0.2, 0.3, 0.5, 0.8]),
                (.templateZNorm, [0, 0.1, 0.2, 0.3, 0.5, 0.8]),
            ]
            print("normalisation\tmargin\tFNIR@FPIR0.003\tFNIR@FPIR0.01\trank1")
            for (normalization, margins) in grids {
                let base = Matcher(gallery: gallery, configuration: MatcherConfiguration(threshold: .infinity, margin: 0, topK: 2, normalization: normalization))
                for margin in margins {
                    let matcher = Matcher(gallery: base.gallery, configuration: MatcherConfiguration(
                        threshold: .infinity, margin: margin, topK: 2, normalization: normalization))
                    let results = Self.probeResults(matcher, probes, found)
                    print(String(format: "%@\t%.2f\t%.4f\t%.4f\t%.4f", normalization.rawValue, margin,
                                 IdentificationMetrics.fnir(atFPIR: 0.003, results).fnir,
                                 IdentificationMetrics.fnir(atFPIR: 0.01, results).fnir, IdentificationMetrics.rank1(results)))
                }
            }
        }

        private func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    }
}

extension ScoreNormalization: ExpressibleByArgument {}
extension TemplateFusion: ExpressibleByArgument {}
