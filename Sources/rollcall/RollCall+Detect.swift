import ArgumentParser
import FaceEngine
import Foundation

extension RollCallCommand {
    struct Detect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find faces in images: box [x,y,w,h], score and five landmarks for each."
        )

        @OptionGroup var engine: ModelOptions

        @Argument(help: "Image files.")
        var images: [String]

        @Flag(help: "Print JSON.")
        var json = false

        struct Result: Encodable {
            struct FaceJSON: Encodable {
                var box: [Float]
                var score: Float
                var landmarks: [[Float]]
            }
            var image: String
            var faces: [FaceJSON]?
            var error: String?
        }

        func run() throws {
            let engine = try engine.engine()
            var results: [Result] = []
            var failed = false
            for path in images {
                do {
                    let faces = try engine.detect(Image(contentsOf: path))
                    results.append(Result(image: path, faces: faces.map {
                        .init(box: [$0.box.x, $0.box.y, $0.box.width, $0.box.height], score: $0.score,
                              landmarks: $0.landmarks.map { [$0.x, $0.y] })
                    }))
                } catch {
                    failed = true
                    results.append(Result(image: path, error: "\(error)"))
                }
            }
            if json {
                try printJSON(results)
            } else {
                for r in results {
                    if let error = r.error { printError("error: \(error)"); continue }
                    print("\(r.image): \(r.faces!.count) face(s)")
                    for f in r.faces! {
                        let box = f.box.map { String(format: "%.0f", $0) }.joined(separator: ",")
                        print(String(format: "  box [%@] score %.3f", box, f.score))
                    }
                }
            }
            if failed { throw ExitCode.failure }
        }
    }
}
