import ArgumentParser
import FaceEngine
import Foundation

extension RollCallCommand {
    struct Chips: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the aligned face chips the embedder sees (for checking alignment and model fidelity).",
            discussion: "Face images are written only by this command, and only where --out says. One PNG per face: STEM_PACK.png (first face) or STEM_PACK_N.png."
        )

        @OptionGroup var engine: ModelOptions

        @Argument(help: "Image files.") var images: [String]
        @Option(help: "Folder to write the chips to.") var out: String

        func run() throws {
            let engine = try engine.engine()
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for path in images {
                let image = try Image(contentsOf: path)
                let faces = try engine.detect(image)
                guard !faces.isEmpty else { throw FaceEngineError(.noFace, "\(path): no face found") }
                let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                for (i, face) in faces.enumerated() {
                    let name = i == 0 ? "\(stem)_\(engine.pack.pack.name).png" : "\(stem)_\(engine.pack.pack.name)_\(i).png"
                    let target = URL(fileURLWithPath: out).appendingPathComponent(name).path
                    try engine.chip(image, face: face).write(to: target)
                    print(target)
                }
            }
        }
    }
}
