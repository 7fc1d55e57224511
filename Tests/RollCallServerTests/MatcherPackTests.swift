import FaceEngine
import Foundation
import RollCall
import RollCallServer
import RollCallStore
import Testing

/// `Daemon.makeMatcher` (identify, watch, serve) only matches templates made by the engine's own pack.
@Suite struct MatcherPackTests {
    static let dlibEngine: FaceEngine = {
        do { return try FaceEngine(pack: ServerFixtures.models.load(packNamed: "dlib"), workers: 2) } catch {  // as every test engine
            fatalError("the dlib pack is not installed in \(ServerFixtures.models.directory.path): run `make models` (\(error))")
        }
    }()

    @Test func matcherOfAnotherPackIsRefusedNamingBoth() throws {
        let dir = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _) = try ServerFixtures.makeStore(in: dir)  // enrolled with sface
        // Both packs make 128-d vectors: without the recorded pack this would "work" with meaningless distances.
        #expect(Self.dlibEngine.dimension == ServerFixtures.engine.dimension)
        let error = #expect(throws: StoreError.self) { _ = try Daemon.makeMatcher(store: store, engine: Self.dlibEngine) }
        #expect(error?.code == .packMismatch)
        let text = error?.description ?? ""
        #expect(text.contains("the 2 templates in \(store.path) were made by pack sface (\(ServerFixtures.engine.embedderDigest.prefix(12))…)"), "\(text)")
        #expect(text.contains("this run uses pack dlib (\(Self.dlibEngine.embedderDigest.prefix(12))…): use --pack sface"), "\(text)")
        // The same pack still matches.
        let matcher = try Daemon.makeMatcher(store: store, engine: ServerFixtures.engine)
        #expect(matcher.gallery.templateCount == 2)
    }
}
