import ArgumentParser
import Evaluation
import FaceEngine
import Foundation

extension RollCallCommand {
    struct EvalPairs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pairs",
            abstract: "1:1 verification on a pair list: 10-fold accuracy, TAR at FAR 0.1 %, threshold, faces not found.",
            discussion: """
                The face compared in each image is its main subject: of the detected faces, the one with the
                largest box area minus twice the squared distance of its centre from the image centre (label-free;
                a bystander cut off at the border does not win on size alone). An image in which no face is found
                is not replaced by anything: every pair that uses it is scored as a non-match (distance nan in
                --scores), whatever its label — so a missed face can only cost accuracy.
                """
        )

        enum Format: String, ExpressibleByArgument { case lfw, tsv }

        @OptionGroup var engine: EngineOptions

        @Argument(help: "Pair list: LFW pairs.txt format, or pathA<TAB>pathB<TAB>1|0 with --format tsv (commas, a header line and same/different labels also accepted).")
        var pairsFile: String

        @Option(help: "Folder the image paths are relative to.")
        var root: String

        @Option(help: "Pair list format: lfw or tsv.")
        var format: Format = .lfw

        @Option(help: "Write one line per pair, in input order: distance<TAB>1|0 (nan where a face was missing).")
        var scores: String?

        @Option(help: "Parallel workers (one OpenCV thread each).")
        var workers = ProcessInfo.processInfo.activeProcessorCount

        @Flag(help: "Print JSON.")
        var json = false

        @Option(help: "Write the DET curve (FNMR against FMR, log axes, FAR 0.1 % operating point marked) as SVG.")
        var plot: String?

        @Option(help: "With --plot: also draw another system's curve from its scores file, as LABEL=FILE (repeatable).")
        var plotWith: [String] = []

        struct Report: Encodable {
            var pairs: Int
            /// Folds of the cross-validated accuracy: as the list's header declares, else 10 (LFW's protocol); fewer
            /// for a list of under 10 pairs.
            var folds: Int
            var accuracyMean: Double
            var accuracyStd: Double
            var tarAtFar0001: Double
            var threshold: Float
            var thresholdAtFar0001: Float
            /// TAR and FAR at the pack's own verify threshold: how the shipped 1:1 operating point fares on these faces.
            var atPackThreshold: VerificationMetrics.OperatingPoint
            var noFace: Int
            var noFaceRule: String
            var failedImages: [String]
            var imagesPerSecond: Double
            var pack: String

            enum CodingKeys: String, CodingKey {
                case pairs, folds, threshold, pack
                case accuracyMean = "accuracy_mean", accuracyStd = "accuracy_std", tarAtFar0001 = "tar_at_far_0_001"
                case thresholdAtFar0001 = "threshold_at_far_0_001", atPackThreshold = "at_pack_threshold"
                case noFace = "no_face", noFaceRule = "no_face_rule"
                case failedImages = "failed_images", imagesPerSecond = "images_per_second"
            }
        }

        func run() throws {
            let text: String
            do { text = try String(contentsOfFile: pairsFile, encoding: .utf8) } catch {
                throw ValidationError("\(pairsFile): cannot read pair list (\(error.localizedDescription))")
            }
            let list = format == .lfw
                ? try PairList.parseLFW(text, file: pairsFile, root: root)
                : try PairList.parseTSV(text, file: pairsFile, root: root)
            // Checked before any image is read: the folds the list's header declares, else LFW's 10; a shorter list
            // gets one fold per pair.
            guard list.entries.count >= 2 else {
                throw ValidationError("\(pairsFile): 1 pair: cross-validated accuracy needs at least 2")
            }
            let folds = list.declaredFolds ?? min(10, list.entries.count)
            let genuine = list.entries.filter(\.same).count
            if genuine == 0 || genuine == list.entries.count {
                // Still useful for timing and for the scores file (benchmarks/run.sh times an all-impostor list).
                printError("warning: \(pairsFile): every pair is \(genuine == 0 ? "of different people" : "of the same person"): "
                    + "accuracy and TAR say little without both kinds")
            }
            let engine = try engine.engine(workers: workers)
            let images = list.images
            let progress = ProgressLine(total: images.count, label: "embedding")
            let start = Date()
            let outcomes = engine.oneFacePerFile(images, choice: .mainSubject) { progress.update($0) }
            progress.finish()
            let elapsed = Date().timeIntervalSince(start)

            var embeddings: [String: Embedding] = [:]
            var noFace = 0
            var failed: [String] = []
            for (path, outcome) in zip(images, outcomes) {
                switch outcome {
                case .face(_, let e): embeddings[path] = e
                case .noFace: noFace += 1
                case .failed(let error): failed.append(error.description)
                }
            }
            let pairs = list.entries.map { e -> VerificationMetrics.Pair in
                guard let a = embeddings[e.pathA], let b = embeddings[e.pathB] else { return .init(distance: nil, same: e.same) }
                return .init(distance: a.distance(to: b), same: e.same)
            }
            if let scores {
                let lines = pairs.map { "\($0.distance.map { String($0) } ?? "nan")\t\($0.same ? 1 : 0)" }
                try (lines.joined(separator: "\n") + "\n").write(toFile: scores, atomically: true, encoding: .utf8)
            }
            let kFold = VerificationMetrics.kFold(pairs, folds: folds)
            let operating = VerificationMetrics.tar(atFAR: 0.001, pairs)
            if let plot {
                try DETPlot.writeVerification(pairs, label: "RollCall \(engine.pack.pack.name)\(engine.flip ? " + flip" : "")",
                                              title: "DET: \((pairsFile as NSString).lastPathComponent)", others: plotWith, to: plot)
            }
            let report = Report(
                pairs: pairs.count, folds: folds, accuracyMean: kFold.mean, accuracyStd: kFold.std,
                tarAtFar0001: operating.tar, threshold: kFold.thresholds.reduce(0, +) / Float(kFold.thresholds.count),
                thresholdAtFar0001: operating.threshold,
                atPackThreshold: VerificationMetrics.point(at: engine.thresholds.verify, pairs), noFace: noFace,
                noFaceRule: "no substitute: pairs using an image without a detected face are scored as non-matches",
                failedImages: failed, imagesPerSecond: Double(images.count) / elapsed, pack: engine.pack.pack.name)
            if json { try printJSON(report); return }
            print("""
                pairs:              \(report.pairs) (\(images.count) images, \(String(format: "%.1f", report.imagesPerSecond)) images/s)
                accuracy (\(folds)-fold): \(String(format: "%.2f %% ± %.2f", report.accuracyMean * 100, report.accuracyStd * 100))
                TAR @ FAR 0.1 %:    \(String(format: "%.2f %%", report.tarAtFar0001 * 100)) (distance < \(String(format: "%.4f", report.thresholdAtFar0001)))
                threshold (mean):   \(String(format: "%.4f", report.threshold))
                pack's threshold:   \(String(format: "%.4f → TAR %.2f %%, FAR %.3f %%", report.atPackThreshold.threshold,
                                                report.atPackThreshold.tar * 100, report.atPackThreshold.far * 100))
                no face found:      \(noFace) image(s); \(report.noFaceRule)
                """)
            for f in failed { printError("unreadable: \(f)") }
        }
    }
}
