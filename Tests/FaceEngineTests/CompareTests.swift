import FaceEngine
import Testing

@Suite struct CompareTests {
    func distance(_ a: String, _ b: String) throws -> Float {
        let x = try TestAssets.engine.oneFace(inFile: TestAssets.photo(a))
        let y = try TestAssets.engine.oneFace(inFile: TestAssets.photo(b))
        return x.embedding.distance(to: y.embedding)
    }

    @Test(arguments: ["obama2.jpg", "obama3.jpg", "obama_partial_face2.jpg"])
    func obamaMatchesObama(_ other: String) throws {
        let d = try distance("obama.jpg", other)
        #expect(d < TestAssets.engine.thresholds.verify, "Obama–Obama (\(other)) distance \(d)")
    }

    @Test(arguments: ["obama.jpg", "obama2.jpg", "obama3.jpg"])
    func obamaDoesNotMatchBiden(_ obama: String) throws {
        let d = try distance(obama, "biden.jpg")
        #expect(d > TestAssets.engine.thresholds.verify, "Obama–Biden (\(obama)) distance \(d)")
    }

    @Test func rgbaPNGEmbedsLikeItsJPEG() throws {
        // 32bit.png is obama2.jpg's scene with an alpha channel: decoding drops alpha, same person.
        #expect(try distance("32bit.png", "obama2.jpg") < 0.05)
    }

    @Test func embeddingIsUnitLengthAndDeterministic() throws {
        let a = try TestAssets.engine.oneFace(inFile: TestAssets.photo("obama.jpg")).embedding
        let b = try TestAssets.engine.oneFace(inFile: TestAssets.photo("obama.jpg")).embedding
        #expect(a.vector.count == 128)
        #expect(abs(a.vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        // Equal to float rounding, not bit for bit: ConvolutionKernelTests switches the process-wide kernel choice
        // while it runs, and RollCall's kernels and OpenCV's agree to 1e-5, not to the last bit.
        #expect(zip(a.vector, b.vector).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func batchOfEightEqualsOneByOne() throws {
        let engine = TestAssets.engine
        var chips: [Image] = []
        for name in ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg"] {
            let image = try Image(contentsOf: TestAssets.photo(name))
            chips.append(try engine.chip(image, face: try #require(engine.detect(image).first)))
        }
        let eight = chips + chips.reversed()
        let batched = try engine.embed(chips: eight)
        for (chip, inBatch) in zip(eight, batched) {
            let alone = try engine.embed(chips: [chip])[0]
            let diff = zip(alone.vector, inBatch.vector).map { abs($0 - $1) }.max() ?? 1
            #expect(diff < 1e-5)
        }
    }

    @Test func chipHasTheEmbeddersSize() throws {
        let image = try Image(contentsOf: TestAssets.photo("obama.jpg"))
        let face = try #require(TestAssets.engine.detect(image).first)
        let chip = try TestAssets.engine.chip(image, face: face)
        #expect(chip.width == 112 && chip.height == 112)
    }
}
