import FaceEngine
import Foundation
import LiveRecognition
import RollCall
import RollCallServer
import RollCallStore
import Testing

/// `MatcherAssembly.makeMatcher` (identify, watch, serve) only matches templates made by the engine's own pack.
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
        let error = #expect(throws: StoreError.self) { _ = try MatcherAssembly.makeMatcher(store: store, engine: Self.dlibEngine) }
        #expect(error?.code == .packMismatch)
        let text = error?.description ?? ""
        #expect(text.contains("the 2 templates in \(store.path) were made by pack sface (\(ServerFixtures.engine.embedderDigest.prefix(12))…)"), "\(text)")
        #expect(text.contains("this run uses pack dlib (\(Self.dlibEngine.embedderDigest.prefix(12))…): use --pack sface"), "\(text)")
        // The same pack still matches.
        let matcher = try MatcherAssembly.makeMatcher(store: store, engine: ServerFixtures.engine)
        #expect(matcher.gallery.delegateCount == 1)
    }

    /// The sface pack's manifest asks for `template_fusion: mean`: Obama's two enrollment photos become one
    /// centroid template, and a third photo of him is compared with it.
    @Test func severalPhotosOfADelegateBecomeOneTemplateWhenThePackSaysMean() throws {
        let dir = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, _) = try ServerFixtures.makeStore(in: dir)
        #expect(MatcherAssembly.templateFusion(of: ServerFixtures.engine) == .mean)
        #expect(MatcherAssembly.templateFusion(of: Self.dlibEngine) == .best)  // no template_fusion in its manifest
        let matcher = try MatcherAssembly.makeMatcher(store: store, engine: ServerFixtures.engine)
        #expect(matcher.gallery.templateCount == 1 && matcher.gallery.enrolledTemplateCount == 2)
        let photos = try store.templates(madeBy: MatcherAssembly.templatePack(of: ServerFixtures.engine)).map(\.embedding)
        #expect(photos.count == 2)
        let sum = zip(photos[0], photos[1]).map { $0 + $1 }
        let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let probe = try ServerFixtures.embedding(of: ServerFixtures.photo("obama.jpg"))
        let cosine = zip(sum, probe).reduce(0) { $0 + $1.0 * $1.1 } / norm
        let result = matcher.match(probe)
        #expect(result.delegateID == "D-OBAMA")
        #expect(abs(result.candidates[0].distance - (1 - cosine)) < 1e-4)
        // Nearer the centroid than the farther of the two photos (what `best` would not use).
        let farther = photos.map { 1 - zip($0, probe).reduce(0) { $0 + $1.0 * $1.1 } }.max()!
        #expect(result.candidates[0].distance < farther)
    }
}
