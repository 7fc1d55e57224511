import FaceEngine
import Foundation
import Testing

/// The converted models must compute what the originals compute. Reference descriptors were made once by
/// `tools/reference/make_reference.py` from the chips this engine cuts (`rollcall chips`) of the test
/// photos: SFace by the ORIGINAL block-int8 model in onnxruntime, dlib's ResNet by dlib itself (dlib-bin).
/// The chips are cut again here, so alignment must also be unchanged for these to match.
///
/// Compared as the matcher compares them: the cosine distance between our descriptor and the reference, both made
/// unit length. OpenCV's kernels differ with the CPU's vector unit (AVX-512 where the references were made, AVX2 on
/// other machines), and so do the detector's landmarks and the chip cut from them by a fraction of a pixel: on an
/// AVX2 machine the raw descriptors of some photos differ by up to 5e-3 per component (raw SFace descriptors have a
/// norm of about 12), yet the distance moves by at most 1.3e-4 (dlib, obama3; SFace under 3e-7). A converted layer
/// that computes something else moves it by orders of magnitude more; thresholds are set to 0.01.
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

    /// Cosine distance between our raw descriptor of the photo's first face and the reference.
    func distance(_ engine: FaceEngine, photo: String, reference: [Float]) throws -> Float {
        let image = try Image(contentsOf: TestAssets.photo(photo))
        let face = try #require(engine.detect(image).first)
        let ours = try engine.rawDescriptors(chips: [engine.chip(image, face: face)])[0]
        #expect(ours.count == reference.count)
        let dot = zip(ours, reference).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        let norms = (ours.reduce(0) { $0 + Double($1 * $1) } * reference.reduce(0) { $0 + Double($1 * $1) }).squareRoot()
        return norms > 0 ? Float(1 - dot / norms) : .infinity
    }

    static let tolerance: Float = 5e-4

    @Test(arguments: TestAssets.onePersonPhotos)
    func dequantizedSFaceMatchesInt8Original(_ photo: String) throws {
        let stem = URL(fileURLWithPath: photo).deletingPathExtension().lastPathComponent
        let reference = try #require(Self.reference.sface_int8_onnxruntime[stem])
        let d = try distance(TestAssets.engine, photo: photo, reference: reference)
        #expect(d <= Self.tolerance, "\(photo): 1 − cos(ours, onnxruntime int8) = \(d)")
    }

    @Test(arguments: TestAssets.onePersonPhotos)
    func convertedDlibResNetMatchesDlib(_ photo: String) throws {
        let stem = URL(fileURLWithPath: photo).deletingPathExtension().lastPathComponent
        let reference = try #require(Self.reference.dlib_bin[stem])
        let d = try distance(Self.dlibEngine, photo: photo, reference: reference)
        #expect(d <= Self.tolerance, "\(photo): 1 − cos(ours, dlib) = \(d)")
    }
}
