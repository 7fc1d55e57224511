import Evaluation
import Testing

@Suite struct PairListTests {
    @Test func lfwFormatNamesImagesWithFourDigitIndices() throws {
        let text = "1\t2\nAaron_Peirsol\t1\t4\nAJ_Cook\t1\tMarsha_Thomason\t12\n"
        let list = try PairList.parseLFW(text, file: "pairs.txt", root: "/lfw")
        #expect(list.entries == [
            .init(pathA: "/lfw/Aaron_Peirsol/Aaron_Peirsol_0001.jpg", pathB: "/lfw/Aaron_Peirsol/Aaron_Peirsol_0004.jpg", same: true),
            .init(pathA: "/lfw/AJ_Cook/AJ_Cook_0001.jpg", pathB: "/lfw/Marsha_Thomason/Marsha_Thomason_0012.jpg", same: false),
        ])
        #expect(list.images.count == 4)
    }

    /// A list made elsewhere without LFW's header line: its first pair is a pair, not a header to skip.
    @Test func lfwFormatWithoutHeaderKeepsTheFirstPair() throws {
        let list = try PairList.parseLFW("A 1 2\nB 1 C 3\n", file: "p.txt", root: "/r")
        #expect(list.entries.count == 2 && list.entries[0].pathA == "/r/A/A_0001.jpg")
        #expect(list.declaredFolds == nil)
        #expect(try PairList.parseLFW("1100\nA 1 2\n", file: "p.txt", root: "/r").entries.count == 1)
    }

    /// `folds size` in the header: honoured when it accounts for every pair, else LFW's default applies.
    @Test func lfwHeaderDeclaresTheFolds() throws {
        let pairs = "A 1 2\nB 1 C 1\nD 1 2\nE 1 F 1\n"
        #expect(try PairList.parseLFW("2 1\n" + pairs, file: "p.txt", root: "/r").declaredFolds == 2)
        #expect(try PairList.parseLFW("10 300\n" + pairs, file: "p.txt", root: "/r").declaredFolds == nil)
        // Regression (benchmarks/fuzz/regressions/pair_lists/lfw-header-product-overflow.txt): folds × 2 × size
        // overflowed and trapped on a header of two 11-digit numbers.
        #expect(try PairList.parseLFW("99999999999 99999999999\n" + pairs, file: "p.txt", root: "/r").declaredFolds == nil)
        #expect(try PairList.parseLFW("\(Int.max) \(Int.max)\n" + pairs, file: "p.txt", root: "/r").declaredFolds == nil)
        #expect(try PairList.parseLFW("2 -1\nA 1 2\n", file: "p.txt", root: "/r").declaredFolds == nil)
    }

    @Test func badLineNamesFileAndLine() {
        let error = #expect(throws: PairList.FormatError.self) {
            try PairList.parseLFW("10 300\nA\t1\t2\nB\t1\n", file: "p.txt", root: "/r")
        }
        #expect(error?.description == "p.txt:3: expected 3 fields (same person) or 4 (different), found 2")
    }

    @Test func tsvFormat() throws {
        let list = try PairList.parseTSV("a/1.jpg\tb/2.jpg\t0\r\n/abs/x.jpg\ta/1.jpg\t1\n", file: "l.tsv", root: "/data")
        #expect(list.entries[0] == .init(pathA: "/data/a/1.jpg", pathB: "/data/b/2.jpg", same: false))
        #expect(list.entries[1].pathA == "/abs/x.jpg" && list.entries[1].same)
        let error = #expect(throws: PairList.FormatError.self) {
            try PairList.parseTSV("a\tb\t1\na\tb\tyes\n", file: "l.tsv", root: "/")
        }
        #expect(error?.description == "l.tsv:2: label \"yes\" is not 1/0, true/false, same/different or genuine/impostor")
        #expect(throws: PairList.FormatError.self) { try PairList.parseTSV("a\tb\n", file: "l.tsv", root: "/") }
        #expect(throws: PairList.FormatError.self) { try PairList.parseTSV("image1,image2,label\n", file: "l.csv", root: "/") }
    }

    @Test func csvWithHeaderAndWordLabels() throws {
        let text = "image1,image2,label\nx/1.png, y/2.png ,Same\nx/1.png,z/3.png,different\nx/1.png,x/2.png,TRUE\n"
        let list = try PairList.parseTSV(text, file: "pairs.csv", root: "/d")
        #expect(list.entries == [
            .init(pathA: "/d/x/1.png", pathB: "/d/y/2.png", same: true),
            .init(pathA: "/d/x/1.png", pathB: "/d/z/3.png", same: false),
            .init(pathA: "/d/x/1.png", pathB: "/d/x/2.png", same: true),
        ])
        let named = try PairList.parseTSV("image_a\timage_b\tsame\na.jpg\tb.jpg\t0\n", file: "p.tsv", root: "/d")
        #expect(named.entries == [.init(pathA: "/d/a.jpg", pathB: "/d/b.jpg", same: false)])
        // Only the first line may be a header.
        #expect(throws: PairList.FormatError.self) {
            try PairList.parseTSV("a,b,1\nimage1,image2,label\n", file: "pairs.csv", root: "/d")
        }
    }
}
