import FaceEngine
import Foundation
import Testing

/// `ModelPack.embedderDigest`: what templates record as the embedding space they live in.
struct PackDigestTests {
    func bundled(_ name: String) throws -> ModelPack {
        try #require(try ModelPack.bundled().first { $0.name == name })
    }

    @Test func bundledPacksHaveDistinctFrozenDigests() throws {
        let sface = try bundled("sface"), dlib = try bundled("dlib")
        // Frozen: a change here makes every database enrolled before it refuse this build. Change only with the embedder.
        // sface: SHA-256 of "rollcall embedder digest v1\nweights=sha256:fb143eea…>dequantize_blockwise.py\ninput=112,112
        // \nscale=1.0\nmean=0.0,0.0,0.0\nswap_rb=true\nchip=112,112\ntemplate=38.2946,…\npyramid=false\nrefine=none".
        #expect(sface.embedderDigest == "3e6590ccf187cd1285a51bdc0835200cf6894da39859ef79ea951e4fd34a81ff")
        #expect(dlib.embedderDigest == "8b345ec2b601a9e8493f60bc9c22a2e4ecebeb6634db13f5180a3243ab4cab58")
        #expect(sface.embedderDigest != dlib.embedderDigest)
    }

    @Test func cosmeticEditsKeepTheDigest() throws {
        let sface = try bundled("sface")
        var edited = sface
        edited.summary = "another summary"
        edited.attribution = nil
        edited.thresholds?.identify = 0.4
        edited.detector?.scoreThreshold = 0.9
        edited.embedder?.flip = false
        edited.sources[0].pypi?.version = "9.9.9"
        #expect(edited.embedderDigest == sface.embedderDigest)
        // Re-written JSON (other key style, order, number forms) parses to the same values.
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let rewritten = try ModelPack.decode(from: encoder.encode(sface), origin: "rewritten.json")
        #expect(rewritten.embedderDigest == sface.embedderDigest)
    }

    @Test func weightsOrAlignmentChangeTheDigest() throws {
        let sface = try bundled("sface"), dlibRefiner = try bundled("dlib").embedder?.alignment.refine
        let changes: [(String, (inout ModelPack) -> Void)] = [
            ("weights pin", { $0.files[1].sha256 = String(repeating: "0", count: 64) }),
            ("converter", { $0.files[3].convert?.tool = "other_converter.py" }),
            ("alignment template", { $0.embedder?.alignment.template[0] += 0.5 }),
            ("chip", { $0.embedder?.alignment.chip = [120, 120] }),
            ("mean", { $0.embedder?.mean = [127.5, 127.5, 127.5] }),
            ("channel order", { $0.embedder?.swapRB = false }),
            ("landmark refiner", { $0.embedder?.alignment.refine = dlibRefiner }),
        ]
        var seen: Set<String?> = [sface.embedderDigest]
        for (what, change) in changes {
            var changed = sface
            change(&changed)
            #expect(seen.insert(changed.embedderDigest).inserted, "\(what) must change the digest")
        }
    }

    @Test func fusedPackHasItsOwnDigestThatFollowsItsWeights() throws {
        let fused = try bundled("sface-dlib")
        let singles = try [bundled("sface").embedderDigest, bundled("dlib").embedderDigest]
        #expect(fused.embedderDigest != nil && !singles.contains(fused.embedderDigest))
        var reweighted = fused
        reweighted.embedders?[0].weight = 0.5
        reweighted.embedders?[1].weight = 0.5
        #expect(reweighted.embedderDigest != fused.embedderDigest)
        var unflipped = fused
        unflipped.embedders?[0].flip = false
        #expect(unflipped.embedderDigest == fused.embedderDigest)
    }
}
