import CRollCallShim
import FaceEngine
import Foundation
import Testing

/// RollCall's convolution kernels (CShims/src/grouped_convolution.cpp: depthwise and small-group 3×3;
/// pointwise_convolution.cpp: 1×1) must give what OpenCV's own kernels give, for every embedding network that uses
/// them. The switch is process-wide, but both kernels agree to float rounding, so tests running alongside cannot tell
/// which one they got.
@Suite(.serialized) struct ConvolutionKernelTests {
    static let mbf: FaceEngine = {
        do { return try FaceEngine(pack: TestAssets.store.load(packNamed: "w600k-mbf"), workers: TestAssets.workers) } catch {
            fatalError("the w600k-mbf pack is not installed in \(TestAssets.store.directory.path): run `make models` (\(error))")
        }
    }()

    /// Runs `body` with RollCall's kernel and with OpenCV's, and how many layers ran on RollCall's meanwhile.
    func bothKernels<T>(_ body: () throws -> T) throws -> (own: T, opencv: T, ownRuns: UInt64) {
        let before = FaceEngine.ownConvolutionRuns
        let own = try body()
        let ownRuns = FaceEngine.ownConvolutionRuns - before
        FaceEngine.useOwnConvolution(false)
        defer { FaceEngine.useOwnConvolution(true) }
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
        // w600k_mbf: 14×14 and 7×7 depthwise layers and a 2-channel-group layer; SFace: narrow depthwise layers; both: 1×1
        // layers (on a CPU with AVX-512).
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

    /// Shapes the two bundled embedders do not have. 3×3 grouped: stride 2 with odd sizes and without padding,
    /// padding 2, 3 and 4 channels per group, no bias, BatchNorm folded into the weights, PReLU, a batch of 2, a 1×1
    /// plane. 1×1: planes that leave 1–47 pixels after the 48-pixel panels (and one that is a single pixel), output
    /// channels that leave a part-filled 8-channel tile, several 128-channel passes, a batch of 2. Each against a
    /// net that never had RollCall's layer.
    static let shapes: [(String, rc_convolution_case)] = [
        ("depthwise 7×7, bias, BatchNorm, PReLU", .init(kernel: 3, batch: 1, channels: 8, groups: 8, out_channels: 8, height: 7, width: 7, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 1, prelu: 1, seed: 1)),
        ("depthwise 13×11, stride 2", .init(kernel: 3, batch: 1, channels: 8, groups: 8, out_channels: 8, height: 13, width: 11, stride: 2, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 0, prelu: 0, seed: 2)),
        ("depthwise 15×14, stride 2, no padding", .init(kernel: 3, batch: 1, channels: 16, groups: 16, out_channels: 16, height: 15, width: 14, stride: 2, pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, bias: 1, batch_norm: 0, prelu: 1, seed: 3)),
        ("depthwise 5×5, padding 2, no bias", .init(kernel: 3, batch: 1, channels: 4, groups: 4, out_channels: 4, height: 5, width: 5, stride: 1, pad_top: 2, pad_left: 2, pad_bottom: 2, pad_right: 2, bias: 0, batch_norm: 0, prelu: 0, seed: 4)),
        ("3 channels per group, 2 outputs per group", .init(kernel: 3, batch: 1, channels: 6, groups: 2, out_channels: 4, height: 9, width: 9, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 1, prelu: 0, seed: 5)),
        ("4 channels per group, wide plane", .init(kernel: 3, batch: 1, channels: 8, groups: 2, out_channels: 8, height: 20, width: 40, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 0, prelu: 1, seed: 6)),
        ("2 channels per group, stride 2, batch 2", .init(kernel: 3, batch: 2, channels: 16, groups: 8, out_channels: 16, height: 31, width: 29, stride: 2, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 1, prelu: 1, seed: 7)),
        ("depthwise 1×1 plane", .init(kernel: 3, batch: 1, channels: 3, groups: 3, out_channels: 3, height: 1, width: 1, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 0, prelu: 0, seed: 8)),
        ("1×1 14×14, 24 → 40, bias, BatchNorm, PReLU", .init(kernel: 1, batch: 1, channels: 24, groups: 1, out_channels: 40, height: 14, width: 14, stride: 1, pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, bias: 1, batch_norm: 1, prelu: 1, seed: 10)),
        ("1×1 7×7, 300 → 13, PReLU", .init(kernel: 1, batch: 1, channels: 300, groups: 1, out_channels: 13, height: 7, width: 7, stride: 1, pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, bias: 1, batch_norm: 0, prelu: 1, seed: 11)),
        ("1×1 5×7, 16 → 8, no bias, batch 2", .init(kernel: 1, batch: 2, channels: 16, groups: 1, out_channels: 8, height: 5, width: 7, stride: 1, pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, bias: 0, batch_norm: 0, prelu: 0, seed: 12)),
        ("1×1 17×23, 129 → 64, BatchNorm", .init(kernel: 1, batch: 1, channels: 129, groups: 1, out_channels: 64, height: 17, width: 23, stride: 1, pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, bias: 1, batch_norm: 1, prelu: 0, seed: 13)),
        ("1×1 on a 1×1 plane, 3 → 1", .init(kernel: 1, batch: 1, channels: 3, groups: 1, out_channels: 1, height: 1, width: 1, stride: 1, pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, bias: 1, batch_norm: 0, prelu: 1, seed: 14)),
        ("1×1 56×56, 64 → 24, PReLU", .init(kernel: 1, batch: 1, channels: 64, groups: 1, out_channels: 24, height: 56, width: 56, stride: 1, pad_top: 0, pad_left: 0, pad_bottom: 0, pad_right: 0, bias: 1, batch_norm: 0, prelu: 1, seed: 15)),
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
        let status = rc_compare_convolution(&testCase, &difference, &runs, &error)
        #expect(status == RC_OK, "\(name): \(Self.message(error))")
        if shape.kernel == 1 && rc_own_pointwise_convolution_supported() == 0 {
            // A CPU without AVX-512: 1×1 layers stay on OpenCV's kernel.
            #expect(runs == 0 && difference == 0, "\(name)")
            return
        }
        #expect(runs == 1, "\(name): RollCall's kernel did not run")
        #expect(difference < 1e-5, "\(name): relative difference \(difference)")
    }

    @Test func widePlanesStayOnOpenCVsKernel() throws {
        // Depthwise rows of 32 outputs: OpenCV's kernel is the faster one there, so the wrapper hands it the call.
        var testCase = rc_convolution_case(kernel: 3, batch: 1, channels: 8, groups: 8, out_channels: 8, height: 32, width: 32, stride: 1, pad_top: 1, pad_left: 1, pad_bottom: 1, pad_right: 1, bias: 1, batch_norm: 0, prelu: 0, seed: 9)
        var difference = 1.0, runs: UInt64 = 1
        var error = rc_error()
        #expect(rc_compare_convolution(&testCase, &difference, &runs, &error) == RC_OK)
        #expect(runs == 0)
        #expect(difference == 0)
    }

    @Test func stridedAndPaddedPointwiseStayOnOpenCVsKernel() throws {
        // RollCall's 1×1 kernel is a plain matrix product: stride 2 or padding goes to OpenCV's.
        for (stride, pad) in [(2, 0), (1, 1)] {
            var testCase = rc_convolution_case(kernel: 1, batch: 1, channels: 16, groups: 1, out_channels: 16, height: 14, width: 14, stride: Int32(stride), pad_top: Int32(pad), pad_left: Int32(pad), pad_bottom: Int32(pad), pad_right: Int32(pad), bias: 1, batch_norm: 0, prelu: 0, seed: 16)
            var difference = 1.0, runs: UInt64 = 1
            var error = rc_error()
            #expect(rc_compare_convolution(&testCase, &difference, &runs, &error) == RC_OK)
            #expect(runs == 0, "stride \(stride), padding \(pad)")
            #expect(difference == 0)
        }
    }
}
