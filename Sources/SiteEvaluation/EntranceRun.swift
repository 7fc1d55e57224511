import FaceEngine
import Foundation
import LiveRecognition
import RollCall

/// Runs one gate's pipeline over an entrance and scores it: a built scene (frames rendered on the fly, with the truth
/// of every face) or a video file with the list of who walked in.
public enum EntranceRun {
    /// The walkers of a labelled photo list, each photo's main face cut out with the room around it that a head
    /// has; photos without a face are left out and returned with the reason.
    public static func walkers(from list: [(identity: String?, path: String)], engine: FaceEngine)
        -> (walkers: [EntranceScene.Walker], skipped: [String])
    {
        var walkers: [EntranceScene.Walker] = []
        var skipped: [String] = []
        for (identity, path) in list {
            do {
                let image = try Image(contentsOf: path)
                guard let face = try engine.detect(image).mainSubject(imageWidth: image.width, imageHeight: image.height) else {
                    skipped.append("\(path): no face found")
                    continue
                }
                // Room for a head around the face, as much as the photo has up to 2.2 face sides; a photo cropped
                // tight to the face gets its edges repeated up to 1.3 sides, so the scene's soft rim falls outside
                // the face.
                let faceSide = max(face.box.width, face.box.height)
                let cx = face.box.x + face.box.width / 2, cy = face.box.y + face.box.height / 2
                let room = 2 * min(cx, cy, Float(image.width) - cx, Float(image.height) - cy)
                let side = min(2.2 * faceSide, max(1.3 * faceSide, room))
                let x = cx - side / 2, y = cy - side / 2
                let out = Int(side.rounded())
                let picture = try image.region(x: x, y: y, side: side, outSide: out, replicateEdges: true)
                let scale = Float(out) / side
                let box = Face.Box(x: (face.box.x - x) * scale, y: (face.box.y - y) * scale, width: face.box.width * scale,
                                   height: face.box.height * scale)
                walkers.append(.init(identity: identity, photo: path, picture: picture, face: box))
            } catch {
                skipped.append("\(error)")
            }
        }
        return (walkers, skipped)
    }

    /// Every frame of `scene` through `pipeline`.
    public static func run(_ scene: EntranceScene, pipeline: RecognitionPipeline, enrolled: Set<String>,
                           video: VideoWriter? = nil, evidence: EvidenceLog? = nil, progress: ((Int) -> Void)? = nil) throws -> EntranceScore {
        var score = EntranceScore(
            walkers: scene.walkers.indices.map { .init(identity: scene.walkers[$0].identity, span: scene.span(of: $0)) },
            enrolled: enrolled, fps: scene.settings.fps)
        score.evidence = evidence
        let start = Date()
        for index in 0..<scene.frameCount {
            let (image, truth) = try scene.render(frame: index)
            try video?.write(image)
            let frame = Frame(image: image, index: index, capturedAt: start.addingTimeInterval(Double(index) / scene.settings.fps))
            score.add(frame: index, outcome: try pipeline.process(frame), truth: truth)
            progress?(index + 1)
        }
        score.finish(pipeline.finish(), frame: scene.frameCount, hasTruthBoxes: true)
        return score
    }

    /// Every frame of a video through `pipeline`; `walkedIn` names the people in it (enrolled or not).
    public static func run(video path: String, walkedIn: [String], pipeline: RecognitionPipeline, enrolled: Set<String>,
                           evidence: EvidenceLog? = nil, progress: ((Int) -> Void)? = nil) throws -> EntranceScore {
        let source = try VideoSource(path)
        defer { source.close() }
        let fps = source.fps ?? 25
        var score = EntranceScore(walkers: walkedIn.map { .init(identity: $0, span: nil) }, enrolled: enrolled, fps: fps)
        score.evidence = evidence
        let start = Date()
        var index = 0
        while let image = try source.read() {
            let frame = Frame(image: try image.limited(toWidth: pipeline.configuration.frameMaxWidth), index: index,
                              capturedAt: start.addingTimeInterval(Double(index) / fps))
            score.add(frame: index, outcome: try pipeline.process(frame), truth: nil)
            index += 1
            progress?(index)
        }
        score.finish(pipeline.finish(), frame: index, hasTruthBoxes: false)
        return score
    }
}
