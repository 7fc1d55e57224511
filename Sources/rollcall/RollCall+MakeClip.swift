import ArgumentParser
import FaceEngine
import Foundation

extension RollCallCommand {
    struct MakeClip: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "make-clip",
            abstract: "Build an entrance video from photos: each person walks across the frame in turn (for demos and tests).",
            discussion: "Real faces, synthetic walk: each photo's main face is cut out and slides from the left edge to the right, the next one entering before the previous one has left."
        )

        @OptionGroup var engineOptions: ModelOptions

        @Argument(help: "Photos, one person each, in order of arrival.") var photos: [String]
        @Option(help: "Video file to write (MJPG in .avi).") var out: String
        @Option(help: "Frame size, WIDTHxHEIGHT.") var size = "640x360"
        @Option(help: "Frames per second.") var fps = 25.0
        @Option(help: "Frames each person takes to cross the frame.") var framesPerPerson = 50

        func run() throws {
            let parts = size.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 64, parts[1] >= 64 else { throw ValidationError("--size must look like 640x360") }
            let (width, height) = (parts[0], parts[1])
            let engine = try engineOptions.engine()
            let faces = try photos.map { path -> Image in
                let image = try Image(contentsOf: path)
                guard let face = try engine.detect(image).mainSubject(imageWidth: image.width, imageHeight: image.height) else {
                    throw FaceEngineError(.noFace, "\(path): no face found")
                }
                return try image.crop(around: face)
            }
            let side = min(height * 3 / 5, width / 3)
            let stride = framesPerPerson * 3 / 5  // the next person enters before the previous has left
            let total = stride * (faces.count - 1) + framesPerPerson
            let writer = try VideoWriter(path: out, width: width, height: height, fps: fps)
            defer { writer.close() }
            for frame in 0..<total {
                var composer = FrameComposer(width: width, height: height)
                for (i, face) in faces.enumerated() {
                    let t = Double(frame - i * stride) / Double(framesPerPerson - 1)
                    guard (0...1).contains(t) else { continue }
                    let x = Int(-Double(side) + t * Double(width + side))
                    let y = (height - side) / 2 + (i % 2 == 0 ? -height / 12 : height / 12)
                    try composer.paste(face, x: x, y: y, width: side, height: side)
                }
                try writer.write(composer.image())
            }
            print("\(out): \(total) frames, \(width)x\(height) at \(fps) frames/s, \(faces.count) people")
        }
    }
}
