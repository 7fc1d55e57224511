import CRollCallShim
import FaceEngine
import Foundation
import Testing

/// RollCall's kernel for depthwise and small-group 3×3 convolutions (CShims/src/grouped_convolution.cpp) must give
/// what OpenCV's own kernel gives, for every embedding network that uses it. The switch is process-wide, but both kernels
/// agree to float rounding, so tests running alongside cannot tell which one they got.
@Suite(.serialized) struct GroupedConvolutionTests {
    static let mbf: FaceEngine = {
        do { return try FaceEngine(pack: TestAssets.store.load(packNamed: "w600k-mbf"), workers: TestAssets.workers) } catch {
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

    /// Shapes the two bundled embedders do not have: stride 2 with odd sizes and without padding, padding 2,
    /// 3 and 4 channels per group, no bias, BatchNorm folded into the weights, PReLU, a batch of 2, a 1×1 plane.
    /// Each against a net that never had RollCall's layer.
    static let shapes: [(String, rc_grouped_convolution_case)] = [
        ("depthwise 7×7, bias, BatchNorm, PReLU", .init(batch: 1, channels: 8, groups: 8, out_channels: 8, height: 7, width: 7, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 1, prelu: 1, seed: 1)),
        ("depthwise 13×11, stride 2", .init(batch: 1, channels: 8, groups: 8, out_channels: 8, height: 13, width: 11, stride: 2, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 0, prelu: 0, seed: 2)),
        ("depthwise 15×14, stride 2, no padding", .init(batch: 1, channels: 16, groups: 16, out_channels: 16, height: 15, width: 14, stride: 2, pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, bias: 1, batch_norm: 0, prelu: 1, seed: 3)),
        ("depthwise 5×5, padding 2, no bias", .init(batch: 1, channels: 4, groups: 4, out_channels: 4, height: 5, width: 5, stride: 1, pad_top: 2, pad_left: 2, pad_bottom: 2, pad_right: 2, bias: 0, batch_norm: 0, prelu: 0, seed: 4)),
        ("3 channels per group, 2 outputs per group", .init(batch: 1, channels: 6, groups: 2, out_channels: 4, height: 9, width: 9, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 1, prelu: 0, seed: 5)),
        ("4 channels per group, wide plane", .init(batch: 1, channels: 8, groups: 2, out_channels: 8, height: 20, width: 40, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 0, prelu: 1, seed: 6)),
        ("2 channels per group, stride 2, batch 2", .init(batch: 2, channels: 16, groups: 8, out_channels: 16, height: 31, width: 29, stride: 2, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 1, prelu: 1, seed: 7)),
        ("depthwise 1×1 plane", .init(batch: 1, channels: 3, groups: 3, out_channels: 3, height: 1, width: 1, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 0, prelu: 0, seed: 8)),
    ]

    static func message(_ error: rc_error) -> String {
        withUnsafeBytes(of: error.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    @Test(arguments: shapes.indices)
    func kernelMatchesOpenCVOnShapesTheEmbeddersLack(_ index: Int) throws {
        let (name, shape) = Self.shapes[index]
        var testCase = shape
        var difference = 0.0, runs: UInt64 = 0
        var error = rc_error()
        let status = rc_compare_grouped_convolution(&testCase, &difference, &runs, &error)
        #expect(status == RC_OK, "\(name): \(Self.message(error))")
        #expect(runs == 1, "\(name): RollCall's kernel did not run")
        #expect(difference < 1e-5, "\(name): relative difference \(difference)")
    }

    @Test func widePlanesStayOnOpenCVsKernel() throws {
        // Depthwise rows of 32 outputs: OpenCV's kernel is the faster one there, so the wrapper hands it the call.
        var testCase = rc_grouped_convolution_case(batch: 1, channels: 8, groups: 8, out_channels: 8, height: 32, width: 32, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 0, prelu: 0, seed: 9)
        var difference = 1.0, runs: UInt64 = 1
        var error = rc_error()
        #expect(rc_compare_grouped_convolution(&testCase, &difference, &runs, &error) == RC_OK)
        #expect(runs == 0)
        #expect(difference == 0)
    }
}
