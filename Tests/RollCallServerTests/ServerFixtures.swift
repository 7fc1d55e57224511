import FaceEngine
import Foundation
import LiveRecognition
import Logging
import RollCall
import RollCallServer
import RollCallStore

/// Shared test inputs: the installed packs, stores with enrolled delegates, and the moving-faces video.
///
/// Needs the sface pack and the test photos installed (`make test` fetches both into $ROLLCALL_MODELS); nothing
/// from ../shared.
enum ServerFixtures {
    static let models = ModelStore.resolve(nil)

    static func photo(_ name: String) -> String {
        models.directory.appendingPathComponent("test-photos/\(name)").path
    }

    static let engine: FaceEngine = {
        do { return try FaceEngine(pack: models.load(packNamed: "sface"), workers: 2) } catch {
            fatalError("the sface pack is not installed in \(models.directory.path): run `make models` (\(error))")
        }
    }()

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rollcall-server-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// One roster line: enrolled from `photos`, or on the roster without a template when `photos` is empty.
    struct Person {
        var id: String
        var name: String
        var unit: String
        var photos: [String]
    }

    /// Obama, enrolled from two photos that do not appear in the video.
    static let obama = Person(id: "D-OBAMA", name: "Barack Obama", unit: "Illinois", photos: [photo("obama2.jpg"), photo("obama3.jpg")])
    /// On the roster, never enrolled and never filmed: stays absent.
    static let absentee = Person(id: "D-ABSENT", name: "Ada Absent", unit: "Nowhere", photos: [])

    /// Biden, enrolled from the photo the video's Biden is cut from (for tests where he must be recognised).
    static let biden = Person(id: "D-BIDEN", name: "Joe Biden", unit: "Delaware", photos: [photo("biden.jpg")])

    /// A store in `directory` (database `rollcall.db`, key file `template.key`) with `people` on the roster and
    /// enrolled, and a session open.
    static func makeStore(in directory: URL, people: [Person] = [obama, absentee]) throws -> (store: RollCallStore, session: SessionInfo) {
        let store = try openStore(in: directory)
        try importRoster(people, into: store, directory: directory)
        for person in people { try enroll(person, into: store) }
        let session = try store.openSession(name: "Test plenary", quorum: 0.5)
        return (store, session)
    }

    /// Another connection to the store `makeStore` made in `directory`, as a second process (the desk's CLI) would
    /// open it.
    static func openStore(in directory: URL) throws -> RollCallStore {
        try RollCallStore(path: directory.appendingPathComponent("rollcall.db").path, keySource: .file(keyFile(in: directory)),
                          logger: quietLogger)
    }

    /// Puts `people` on the roster (through a CSV in `directory`, as `rollcall roster import` does).
    static func importRoster(_ people: [Person], into store: RollCallStore, directory: URL) throws {
        let csv = directory.appendingPathComponent("roster-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: csv) }
        try ("id,name,unit\n" + people.map { "\($0.id),\($0.name),\($0.unit)\n" }.joined()).write(to: csv, atomically: true, encoding: .utf8)
        _ = try store.importRoster(try Roster.load(path: csv.path))
    }

    /// Stores one template per photo of `person`, made by the sface engine.
    static func enroll(_ person: Person, into store: RollCallStore) throws {
        for photo in person.photos {
            try store.addTemplate(delegateID: person.id, embedding: try embedding(of: photo), pack: MatcherAssembly.templatePack(of: engine),
                                  sourcePhoto: (photo as NSString).lastPathComponent)
        }
    }

    /// The sface embedding of the largest face in a photo.
    static func embedding(of photo: String) throws -> [Float] {
        let image = try Image(contentsOf: photo)
        guard let face = try engine.detect(image).largest else { throw FaceEngineError(.noFace, "\(photo): no face") }
        return try engine.embed(image, faces: [face])[0].vector
    }

    static func keyFile(in directory: URL) -> String { directory.appendingPathComponent("template.key").path }

    // MARK: - The moving-faces video

    /// Frames of the synthetic clip.
    static let videoFrames = 150
    static let videoFPS = 25.0

    /// Writes a 640×360, 25 frames/s MJPG clip built from real photos: Obama (enrolled from *other* photos) walks in
    /// from the left and out on the right; Biden (not on the roster) crosses the other way while Obama is still in
    /// view; then Obama comes back from the right. Faces enter and leave the frame edge-first.
    ///
    /// What it proves: one enrolled identity is confirmed once although seen in two passes, and a real face of a
    /// person who is not enrolled is tracked and counted but never recorded. It has two identities only, because the
    /// fixture photos hold two.
    ///
    /// - Parameter emptyTail: frames without anyone appended at the end (a quiet entrance), so a run can be
    ///   interrupted after its check-ins and before the end of the file.
    static func writeMovingFacesVideo(to path: String, emptyTail: Int = 0) throws {
        let obamaFace = try faceCrop(photo("obama.jpg"))
        let bidenFace = try faceCrop(photo("biden.jpg"))
        let writer = try VideoWriter(path: path, width: 640, height: 360, fps: videoFPS)
        defer { writer.close() }
        let side = 140
        func x(_ frame: Int, from start: Int, to end: Int, leftToRight: Bool) -> Int {
            let t = Double(frame - start) / Double(end - start - 1)
            let (a, b) = leftToRight ? (-side, 640) : (640, -side)
            return Int(Double(a) + t * Double(b - a))
        }
        for frame in 0..<videoFrames {
            var composer = FrameComposer(width: 640, height: 360)
            if frame < 50 {
                try composer.paste(obamaFace, x: x(frame, from: 0, to: 50, leftToRight: true), y: 30, width: side, height: side)
            }
            if (40..<100).contains(frame) {
                try composer.paste(bidenFace, x: x(frame, from: 40, to: 100, leftToRight: false), y: 200, width: side, height: side)
            }
            if frame >= 100 {
                try composer.paste(obamaFace, x: x(frame, from: 100, to: 150, leftToRight: false), y: 110, width: side, height: side)
            }
            try writer.write(try composer.image())
        }
        let empty = try FrameComposer(width: 640, height: 360).image()
        for _ in 0..<emptyTail { try writer.write(empty) }
    }

    private static func faceCrop(_ path: String) throws -> Image {
        let image = try Image(contentsOf: path)
        guard let face = try engine.detect(image).largest else { throw FaceEngineError(.noFace, "\(path): no face") }
        return try image.crop(around: face, margin: 1.6)
    }
}
