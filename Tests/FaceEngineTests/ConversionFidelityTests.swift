import FaceEngine
import Foundation
import Testing

/// The converted models must compute what the originals compute. Reference descriptors were made once by
/// `tools/reference/make_reference.py` from the chips this engine cuts (`rollcall chips`) of the test
/// photos: SFace by the ORIGINAL block-int8 model in onnxruntime, dlib's ResNet by dlib itself (dlib-bin).
/// The chips are cut again here, so alignment must also be unchanged for these to match.
@Suite struct ConversionFidelityTests {
    struct Reference: Decodable {
        var sface_int8_onnxruntime: [String: [Float]]
        var dlib_bin: [String: [Float]]
    }

    static let reference: Reference = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fixtures/reference/embeddings.json").standardizedFileURL
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    static let dlibEngine: FaceEngine = {
        do { return try FaceEngine(pack: TestAssets.store.load(packNamed: "dlib"), workers: TestAssets.workers) } catch {
            fatalError("the dlib pack is not installed in \(TestAssets.store.directory.path): run `make models` (\(error))")
        }
    }()

    /// Largest absolute difference between our raw descriptor of the photo's first face and the reference.
    func maxDifference(_ engine: FaceEngine, photo: String, reference: [Float]) throws -> Float {
        let image = try Image(contentsOf: TestAssets.photo(photo))
        let face = try #require(engine.detect(image).first)
        let ours = try engine.rawDescriptors(chips: [engine.chip(image, face: face)])[0]
        #expect(ours.count == reference.count)
        return zip(ours, reference).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test(arguments: TestAssets.onePersonPhotos)
    func dequantizedSFaceMatchesInt8Original(_ photo: String) throws {
        let stem = URL(fileURLWithPath: photo).deletingPathExtension().lastPathComponent
        let reference = try #require(Self.reference.sface_int8_onnxruntime[stem])
        let diff = try maxDifference(TestAssets.engine, photo: photo, reference: reference)
        #expect(diff <= 1e-5, "\(photo): max |ours − onnxruntime int8| = \(diff)")
    }

    @Test(arguments: TestAssets.onePersonPhotos)
    func convertedDlibResNetMatchesDlib(_ photo: String) throws {
        let stem = URL(fileURLWithPath: photo).deletingPathExtension().lastPathComponent
        let reference = try #require(Self.reference.dlib_bin[stem])
        let diff = try maxDifference(Self.dlibEngine, photo: photo, reference: reference)
        #expect(diff <= 1e-5, "\(photo): max |ours − dlib| = \(diff)")
    }
}
