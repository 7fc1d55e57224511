import Evaluation
import Testing

@Suite struct LabeledImageListTests {
    @Test func tabsCommasHeaderAndNonMatedProbes() throws {
        let text = "path\tidentity\r\na/1.jpg\tAnn\n/abs/2.jpg\t-\n\nb/3.jpg,Bob\n"
        let list = try LabeledImageList.parse(text, file: "probes.tsv", root: "/data")
        #expect(list.entries == [
            .init(path: "/data/a/1.jpg", identity: "Ann"),
            .init(path: "/abs/2.jpg", identity: nil),
            .init(path: "/data/b/3.jpg", identity: "Bob"),
        ])
    }

    @Test func onlyTheFirstLineMayBeAHeader() throws {
        let error = #expect(throws: PairList.FormatError.self) {
            try LabeledImageList.parse("a/1.jpg\tAnn\nb/2.jpg\n", file: "g.tsv", root: "/r")
        }
        #expect(error?.description == "g.tsv:2: expected path<TAB>identity (or a comma)")
        // A first line that is an image stays an entry.
        #expect(try LabeledImageList.parse("a/1.jpg\tAnn\n", file: "g.tsv", root: "/r").entries.count == 1)
    }

    /// Fuzzing finding (benchmarks/fuzz/regressions/pair_lists/): Foundation's NSString.pathExtension trapped on a
    /// first path with a double slash before one final non-ASCII letter, so `rollcall eval identify` crashed on it.
    @Test func firstPathWithDoubleSlashAndVietnameseLetter_isAHeaderNotACrash() throws {
        let list = try LabeledImageList.parse("ảnh//ấ\tngười\nobama.jpg\tobama\n", file: "g.tsv", root: "/r")
        #expect(list.entries == [.init(path: "/r/obama.jpg", identity: "obama")])
        let image = try LabeledImageList.parse("ảnh//ấ.jpg\tngười\n", file: "g.tsv", root: "/r")
        #expect(image.entries.map(\.path) == ["/r/ảnh//ấ.jpg"])
        for header in ["path", ".hidden", "name.", "a.b/c"] {
            #expect(try LabeledImageList.parse("\(header)\tid\nx.jpg\tA\n", file: "g.tsv", root: "/r").entries.count == 1, "\(header)")
        }
    }
}
