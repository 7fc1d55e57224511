import ArgumentParser
import FaceEngine
import Foundation

extension RollCallCommand {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the largest face of two images: distance (1 − cosine, lower = more alike) and the verdict at the pack's threshold."
        )

        @OptionGroup var engine: EngineOptions

        @Argument(help: "First image.") var imageA: String
        @Argument(help: "Second image.") var imageB: String

        @Option(help: "Distance below which the faces are the same person (default: the pack's calibrated threshold).")
        var threshold: Float?

        @Flag(help: "Print JSON.")
        var json = false

        struct Result: Encodable {
            var imageA: String, imageB: String
            var distance: Float
            var threshold: Float
            var same: Bool
        }

        func run() throws {
            let engine = try engine.engine()
            let a = try engine.oneFace(inFile: imageA)
            let b = try engine.oneFace(inFile: imageB)
            let distance = a.embedding.distance(to: b.embedding)
            let limit = threshold ?? engine.thresholds.verify
            let result = Result(imageA: imageA, imageB: imageB, distance: distance, threshold: limit, same: distance < limit)
            if json { try printJSON(result); return }
            print(String(format: "distance %.4f (threshold %.4f): %@", distance, limit, result.same ? "same person" : "different people"))
        }
    }
}
