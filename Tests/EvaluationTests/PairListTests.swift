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
        #expect(throws: PairList.FormatError.self) { try PairList.parseTSV("a\tb\tyes\n", file: "l.tsv", root: "/") }
    }
}
