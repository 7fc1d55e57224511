import FaceEngine
import Foundation
import Testing

/// The `sface-dlib` pack: two networks per face, fused by concatenating √weight-scaled unit embeddings.
@Suite struct FusedPackTests {
    static let fused: FaceEngine = {
        do { return try FaceEngine(pack: TestAssets.store.load(packNamed: "sface-dlib"), workers: TestAssets.workers) } catch {
            fatalError("the sface-dlib pack is not installed in \(TestAssets.store.directory.path): run `make models` (\(error))")
        }
    }()

    @Test func fusedEmbeddingIsUnitLengthAndStartsWithTheSFacePart() throws {
        let photo = TestAssets.photo("obama.jpg")
        let fused = try Self.fused.oneFace(inFile: photo).embedding.vector
        let sface = try TestAssets.engine.oneFace(inFile: photo).embedding.vector
        let networks = Self.fused.pack.pack.embeddingNetworks
        #expect(networks.count == 2)
        #expect(fused.count == 256)
        #expect(abs(fused.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        // Same detector, same alignment, same flip: the first part is the sface pack's embedding times √weight.
        let scale = (networks[0].weight ?? 0).squareRoot()
        let diff = zip(fused.prefix(128), sface).map { abs($0 / scale - $1) }.max() ?? 1
        #expect(diff < 1e-4)
        // The second part (dlib) is unit length times √(1 − weight) on its own.
        let second = fused.suffix(128).reduce(0) { $0 + $1 * $1 }
        #expect(abs(second - (networks[1].weight ?? 0)) < 1e-4)
    }

    @Test func fusedDistancesSeparateObamaFromBiden() throws {
        func embedding(_ name: String) throws -> Embedding { try Self.fused.oneFace(inFile: TestAssets.photo(name)).embedding }
        let verify = Self.fused.thresholds.verify
        let obama = try embedding("obama.jpg")
        for other in ["obama2.jpg", "obama3.jpg"] {
            #expect(obama.distance(to: try embedding(other)) < verify, "Obama–Obama (\(other))")
        }
        #expect(obama.distance(to: try embedding("biden.jpg")) > verify)
    }

    @Test func singleChipEmbeddingIsRefusedForAFusedPack() throws {
        let image = try Image(contentsOf: TestAssets.photo("obama.jpg"))
        let face = try #require(Self.fused.detect(image).first)
        let chip = try Self.fused.chip(image, face: face)
        #expect(throws: FaceEngineError.self) { try Self.fused.embed(chips: [chip]) }
    }

    @Test(arguments: [[0.5, 0.6], [1.0, 0.0], [0.7, 0.3] as [Float?]])
    func weightsMustBePositiveAndSumToOne(_ weights: [Float?]) throws {
        var pack = try #require(ModelPack.bundled().first { $0.name == "sface-dlib" })
        for i in weights.indices { pack.embedders![i].weight = weights[i] }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(pack)
        if weights == [0.7, 0.3] {
            #expect(try ModelPack.decode(from: data, origin: "test") == pack)
        } else {
            #expect(throws: FaceEngineError.self) { try ModelPack.decode(from: data, origin: "test") }
        }
    }
}
