import FaceEngine
import Foundation

/// Where the tests find the model packs and the test photos. `make test` installs both first
/// (`rollcall models fetch` and `rollcall models fetch --manifest Fixtures/test-photos.json`).
enum TestAssets {
    static let store = ModelStore.resolve(nil)

    static func photo(_ name: String) -> String {
        store.directory.appendingPathComponent("test-photos/\(name)").path
    }

    /// Every engine in the test process has this many workers, so they all ask OpenCV for the same thread count:
    /// changing it while another test's engine is working can crash OpenCV's TBB backend.
    static let workers = 2

    /// One shared engine (loading SFace takes a fraction of a second; the tests call it from many threads).
    static let engine: FaceEngine = {
        do { return try FaceEngine(pack: store.load(packNamed: "sface"), workers: workers) } catch {
            fatalError("the sface pack is not installed in \(store.directory.path): run `make models` (\(error))")
        }
    }()

    static let onePersonPhotos = ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "obama_partial_face.jpg",
                                  "obama_partial_face2.jpg", "32bit.png"]

    /// A fresh empty folder under the system's temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rollcall-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
