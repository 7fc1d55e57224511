import Evaluation
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct DETPlotTests {
    typealias Pair = VerificationMetrics.Pair

    /// 1000 genuine pairs at 0.10...0.30 and 2000 impostors at 0.25...0.95: overlapping, so the curve is real.
    static func pairs() -> [Pair] {
        (0..<1000).map { Pair(distance: 0.1 + Float($0) * 0.0002, same: true) }
            + (0..<2000).map { Pair(distance: 0.25 + Float($0) * 0.00035, same: false) }
    }

    @Test func verificationCurveStartsAtFullRejectionAndMarksTheFAR0001Point() {
        let pairs = Self.pairs()
        let curve = DETPlot.verificationCurve(label: "sface", pairs: pairs)
        #expect(curve.points.first == DETPlot.Point(x: 0, y: 1))
        #expect(curve.points.last?.x == 1 && curve.points.last?.y == 0)
        // FMR never decreases, FNMR never increases along the curve.
        for (a, b) in zip(curve.points, curve.points.dropFirst()) { #expect(b.x >= a.x && b.y <= a.y) }
        let op = VerificationMetrics.tar(atFAR: 0.001, pairs)
        #expect(curve.operatingPoint == DETPlot.Point(x: op.far, y: 1 - op.tar))
        #expect(op.far <= 0.001)
        #expect(curve.operatingNote?.contains("FMR") == true)
    }

    @Test func identificationCurveMarksTheFPIRPoint() {
        var probes: [IdentificationMetrics.Probe] = []
        for i in 0..<100 { probes.append(.init(mated: true, rank1Correct: i % 10 != 0, statistic: 0.2 + Float(i) * 0.003)) }
        for i in 0..<1000 { probes.append(.init(mated: false, rank1Correct: false, statistic: i % 7 == 0 ? nil : 0.4 + Float(i) * 0.0005)) }
        let curve = DETPlot.identificationCurve(label: "1:N", probes: probes, fpir: 0.003)
        let op = IdentificationMetrics.fnir(atFPIR: 0.003, probes)
        #expect(curve.operatingPoint == DETPlot.Point(x: op.fpir, y: op.fnir))
        #expect(curve.points.count > 10)
    }

    @Test func svgIsWellFormedXMLWithEveryCurveAndEscapedText() throws {
        let pairs = Self.pairs()
        let shifted = pairs.map { Pair(distance: $0.distance.map { $0 + ($0 < 0.5 ? 0.02 : 0) }, same: $0.same) }
        let curves = [
            DETPlot.verificationCurve(label: "RollCall <sface> & \"flip\"", pairs: pairs),
            DETPlot.verificationCurve(label: "peer's dlib", pairs: shifted),
        ]
        let svg = DETPlot.svg(curves, title: "LFW <pairs.txt>", xLabel: "FMR", yLabel: "FNMR")
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 4)  // a ring on each curve and in the legend
        #expect(svg.contains("RollCall &lt;sface&gt; &amp; &quot;flip&quot;"))
        #expect(svg.contains("peer&apos;s dlib"))
        #expect(!svg.contains("<sface>"))
        // A real XML parser accepts it.
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    }

    @Test func axesAreLogDecadesDownToTheSmallestRate() {
        // Smallest positive FMR is 1/2000 = 5e-4: the x axis starts at 0.01 %; labels per decade.
        let svg = DETPlot.svg([DETPlot.verificationCurve(label: "a", pairs: Self.pairs())], title: "t", xLabel: "x", yLabel: "y")
        for label in ["0.01 %", "0.1 %", "1 %", "10 %", "100 %"] { #expect(svg.contains(">\(label)</text>")) }
    }

    @Test func zeroRatesAreDrawnOnTheAxisEdgeNotAsNaN() {
        let perfect = [Pair(distance: 0.1, same: true), Pair(distance: 0.9, same: false)]
        let svg = DETPlot.svg([DETPlot.verificationCurve(label: "perfect", pairs: perfect)], title: "t", xLabel: "x", yLabel: "y")
        #expect(!svg.lowercased().contains("nan"))
        #expect(!svg.contains("inf"))
    }

    @Test func emptyAndMissingFacesDoNotBreakIt() {
        let svg = DETPlot.svg([DETPlot.verificationCurve(label: "none", pairs: [])], title: "t", xLabel: "x", yLabel: "y")
        #expect(svg.contains("</svg>"))
        let missing = [Pair(distance: nil, same: true), Pair(distance: 0.3, same: true), Pair(distance: 0.8, same: false)]
        let curve = DETPlot.verificationCurve(label: "m", pairs: missing)
        #expect(curve.points.last!.y == 0.5)  // the genuine pair without a face is never accepted
    }

    @Test func escapeDropsControlCharacters() {
        #expect(DETPlot.escape("a\u{1}b<c>") == "ab&lt;c&gt;")
        #expect(DETPlot.escape("Nguyễn Văn A") == "Nguyễn Văn A")
    }

    @Test func parsesScoresFilesWithNaN() throws {
        let pairs = try DETPlot.parseScores("0.25\t1\nnan\t0\n0.9\t0\n\n", file: "s.tsv")
        #expect(pairs.count == 3)
        #expect(pairs[0].distance == 0.25 && pairs[0].same)
        #expect(pairs[1].distance == nil && !pairs[1].same)
        #expect(throws: DETPlot.ScoresError.self) { try DETPlot.parseScores("0.3\tyes\n", file: "bad.tsv") }
        #expect(throws: DETPlot.ScoresError.self) { try DETPlot.parseScores("abc\t1\n", file: "bad.tsv") }
    }

    @Test func writesCurvesOfOtherSystemsFromScoresFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("detplot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scores = dir.appendingPathComponent("peer.scores").path
        try Self.pairs().map { "\($0.distance! + 0.01)\t\($0.same ? 1 : 0)" }.joined(separator: "\n")
            .write(toFile: scores, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("det.svg").path
        try DETPlot.writeVerification(Self.pairs(), label: "ours", title: "LFW", others: ["peer=\(scores)"], to: out)
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains(">peer  —  operating point"))
        #expect(throws: DETPlot.ScoresError.self) {
            try DETPlot.writeVerification(Self.pairs(), label: "ours", title: "t", others: ["no-equals-sign"], to: out)
        }
    }
}
