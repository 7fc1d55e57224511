import ArgumentParser
import Evaluation
import FaceEngine
import Foundation
import SiteEvaluation

extension RollCallCommand {
    struct EvalEnrollment: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enrollment",
            abstract: "How misses grow with worse enrollment photos: faces shrunk to N pixels, faces turned sideways.",
            discussion: """
                Each gallery photo (path<TAB>identity, one per identity) is shrunk until its face's longer side is each \
                of --sizes pixels and enrolled at that size; separately, the photos as they are are grouped by how \
                far the face is turned (yaw ratio: the nose's offset from the eyes' midpoint, in eye distances). Every \
                group is matched against the same probes (path<TAB>identity, `-` for someone not in the gallery) at the \
                pack's identify threshold and margin: FNIR and FPIR per size, FNIR per yaw range. The enrollment gates \
                (rollcall enroll's refusals and warnings) are set from these curves (README, "Enrollment photos").
                """
        )

        @OptionGroup var engineOptions: EngineOptions
        @Option(help: "Gallery list: path<TAB>identity, one photo per identity.") var gallery: String
        @Option(help: "Probe list: path<TAB>identity, `-` for non-mated.") var probes: String
        @Option(help: "Folder relative paths start from.") var root = "."
        @Option(parsing: .upToNextOption, help: "Face sizes to shrink the gallery photos to, pixels.")
        var sizes: [Int] = [24, 32, 40, 48, 56, 64, 72, 80, 96]
        @Option(help: "Parallel workers.") var workers = ProcessInfo.processInfo.activeProcessorCount
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 8 }) else { throw ValidationError("--sizes must be at least 8 pixels each.") }
        }

        func run() throws {
            func read(_ file: String) throws -> LabeledImageList {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("\(file): cannot read") }
                return try LabeledImageList.parse(text, file: file, root: root)
            }
            let galleryList = try read(gallery).entries.map { entry -> (identity: String, path: String) in
                guard let id = entry.identity else { throw ValidationError("\(gallery): every gallery photo needs an identity (no `-`)") }
                return (id, entry.path)
            }
            let engine = try engineOptions.engine(workers: workers)
            let progress = ProgressLine(total: galleryList.count, label: "enrolling at every size")
            let result = try EnrollmentQualityStudy.run(
                gallery: galleryList, probes: try read(probes).entries.map { ($0.identity, $0.path) }, sizes: sizes.sorted(),
                engine: engine) { progress.update($0) }
            progress.finish()
            if json { try printJSON(result); return }
            print("pack \(result.pack), identify threshold \(result.threshold): \(result.gallery_photos) gallery photos, "
                + "\(result.mated_probes) mated and \(result.non_mated_probes) non-mated probes")
            print("face px\tdetected\tFNIR\tFPIR")
            for row in result.sizes {
                print("\(row.face_px.map(String.init) ?? "as is")\t\(row.detected)\t" + String(format: "%.2f %%\t%.3f %%", row.fnir * 100, row.fpir * 100))
            }
            print("yaw ratio\tphotos\tmated probes\tFNIR")
            for row in result.yaw {
                print("\(row.yaw_ratio)\t\(row.gallery_photos)\t\(row.mated_probes)\t" + String(format: "%.2f %%", row.fnir * 100))
            }
        }
    }
}
