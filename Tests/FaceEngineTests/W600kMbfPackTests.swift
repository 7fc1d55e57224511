import FaceEngine
import Foundation
import Testing

/// The `w600k-mbf` pack: InsightFace's MobileFaceNet (512-d) behind the same YuNet detector and ArcFace alignment.
@Suite struct W600kMbfPackTests {
    static let mbf: FaceEngine = {
        do { return try FaceEngine(pack: TestAssets.store.load(packNamed: "w600k-mbf"), workers: TestAssets.workers) } catch {
            fatalError("the w600k-mbf pack is not installed in \(TestAssets.store.directory.path): run `make models` (\(error))")
        }
    }()

    func embedding(_ name: String) throws -> Embedding { try Self.mbf.oneFace(inFile: TestAssets.photo(name)).embedding }

    @Test func embeddingsAre512DimensionalUnitVectors() throws {
        let vector = try embedding("obama.jpg").vector
        #expect(vector.count == 512)
        #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
    }

    @Test func distancesSeparateObamaFromBidenAtThePacksThresholds() throws {
        let obama = try embedding("obama.jpg")
        let thresholds = Self.mbf.thresholds
        for other in ["obama2.jpg", "obama3.jpg"] {
            // The open-set threshold is the stricter one: a genuine pair of clear photos passes both.
            #expect(obama.distance(to: try embedding(other)) < thresholds.identify, "Obama–Obama (\(other))")
        }
        #expect(obama.distance(to: try embedding("biden.jpg")) > thresholds.verify)
    }

    @Test func templatesOfAnotherPackDoNotShareItsEmbeddingSpace() throws {
        #expect(Self.mbf.embedderDigest != TestAssets.engine.embedderDigest)
    }
}
