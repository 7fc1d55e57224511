import FaceEngine
import Foundation
import RollCall
import RollCallStore
import Testing

/// Builds the inputs for the daemon's performance figures (not a check): set ROLLCALL_BENCH_DIR to a folder and
/// ROLLCALL_SHARED_FACES to ../shared/faces, then run this suite alone. It writes `bench.db` (+ `template.key`) with
/// Lin-Manuel Miranda, Alex Lacamoire, Obama and Biden enrolled and a session open, and `four-faces-720p.avi`
/// (1280×720, 30 frames/s, 300 frames, four real faces moving).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ROLLCALL_BENCH_DIR"] != nil))
struct BenchmarkInputTests {
    @Test func writeBenchmarkInputs() throws {
        let environment = ProcessInfo.processInfo.environment
        let directory = URL(fileURLWithPath: environment["ROLLCALL_BENCH_DIR"]!)
        let shared = environment["ROLLCALL_SHARED_FACES"] ?? "../shared/faces"
        let misc = "\(shared)/misc/github-ageitgey-face_recognition/examples"
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("rollcall.db"))
        let people = [
            ServerFixtures.Person(id: "D-LMM", name: "Lin-Manuel Miranda", unit: "New York", photos: ["\(misc)/lin-manuel-miranda.png"]),
            ServerFixtures.Person(id: "D-LAC", name: "Alex Lacamoire", unit: "New York", photos: ["\(misc)/alex-lacamoire.png"]),
            ServerFixtures.obama,
            ServerFixtures.Person(id: "D-BIDEN", name: "Joe Biden", unit: "Delaware", photos: [ServerFixtures.photo("biden.jpg")]),
        ]
        _ = try ServerFixtures.makeStore(in: directory, people: people)

        let faces = try ["\(misc)/lin-manuel-miranda.png", "\(misc)/alex-lacamoire.png", ServerFixtures.photo("obama.jpg"),
                         ServerFixtures.photo("biden.jpg")].map(Self.faceCrop)
        let writer = try VideoWriter(path: directory.appendingPathComponent("four-faces-720p.avi").path, width: 1280, height: 720, fps: 30)
        defer { writer.close() }
        for frame in 0..<300 {
            var composer = FrameComposer(width: 1280, height: 720)
            for (i, face) in faces.enumerated() {
                // Each face drifts across its own lane, so all four are in view most of the time.
                let x = 40 + (frame * (3 + i) + i * 300) % 1000
                try composer.paste(face, x: x, y: 20 + i * 170, width: 160, height: 160)
            }
            try writer.write(try composer.image())
        }
    }

    static func faceCrop(_ path: String) throws -> Image {
        let image = try Image(contentsOf: path)
        guard let face = try ServerFixtures.engine.detect(image).largest else { throw FaceEngineError(.noFace, "\(path): no face") }
        return try image.crop(around: face, margin: 1.6)
    }
}
