import FaceEngine
import Foundation
import Testing

/// RollCall's kernel for depthwise and small-group 3×3 convolutions (CShims/src/grouped_convolution.cpp) must give
/// what OpenCV's own kernel gives, for every embedding network that uses it. The switch is process-wide, but both kernels
/// agree to float rounding, so tests running alongside cannot tell which one they got.
@Suite(.serialized) struct GroupedConvolutionTests {
    static let mbf: FaceEngine = {
        do { return try FaceEngine(pack: TestAssets.store.load(packNamed: "w600k-mbf"), workers: 1) } catch {
            fatalError("the w600k-mbf pack is not installed in \(TestAssets.store.directory.path): run `make models` (\(error))")
        }
    }()

    /// Runs `body` with RollCall's kernel and with OpenCV's, and how many layers ran on RollCall's meanwhile.
    func bothKernels<T>(_ body: () throws -> T) throws -> (own: T, opencv: T, ownRuns: UInt64) {
        let before = FaceEngine.ownGroupedConvolutionRuns
        let own = try body()
        let ownRuns = FaceEngine.ownGroupedConvolutionRuns - before
        FaceEngine.useOwnGroupedConvolution(false)
        defer { FaceEngine.useOwnGroupedConvolution(true) }
        return (own, try body(), ownRuns)
    }

    func chips(_ engine: FaceEngine) throws -> [Image] {
        try ["obama.jpg", "biden.jpg", "obama_partial_face.jpg"].map { name in
            let image = try Image(contentsOf: TestAssets.photo(name))
            let face = try #require(try engine.detect(image).largest, "\(name): no face")
            return try engine.chip(image, face: face)
        }
    }

    /// Largest difference between two descriptors, relative to the descriptor's largest component.
    func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        let scale = a.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    @Test(arguments: ["w600k-mbf", "sface"])
    func embeddingsMatchOpenCVsKernel(pack: String) throws {
        let engine = pack == "sface" ? TestAssets.engine : Self.mbf
        let chips = try chips(engine)
        let (own, opencv, runs) = try bothKernels { try engine.rawDescriptors(chips: chips) }
        // w600k_mbf: 14×14 and 7×7 depthwise layers and a 2-channel-group layer; SFace: narrow depthwise layers.
        #expect(runs >= UInt64(chips.count), "\(pack): RollCall's kernel never ran")
        for (i, (a, b)) in zip(own, opencv).enumerated() {
            #expect(a.count == b.count)
            #expect(relativeDifference(a, b) < 1e-5, "\(pack), chip \(i)")
        }
    }

    @Test func theDetectorKeepsOpenCVsKernel() throws {
        // 160 pixels wide: YuNet's deepest depthwise layers are 5 pixels wide, which RollCall's kernel would take.
        // The detector keeps OpenCV's, so that chips (8-bit, placed by its landmarks) stay exactly as they were.
        let photo = try Image(contentsOf: TestAssets.photo("obama.jpg"))
        let small = try photo.resized(width: 160, height: photo.height * 160 / photo.width)
        let (own, opencv, runs) = try bothKernels { try Self.mbf.detect(small) }
        #expect(runs == 0)
        #expect(own.count == 1 && own == opencv)
    }
}
