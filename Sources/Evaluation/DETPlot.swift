import Foundation

/// DET curves (detection error trade-off: false non-match rate against false match rate, both on log axes)
/// drawn as a standalone SVG document. Pure string building: no plotting stack, the output is text that can be
/// committed and shown by any browser. Several named curves share one picture; each may mark an operating point.
public enum DETPlot {
    /// A point of a curve: `x` is the false match rate (FMR, or FPIR for 1:N), `y` the false non-match rate
    /// (FNMR, or FNIR). Both are rates in [0, 1].
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }

    /// One named curve and, optionally, its operating point (drawn as a ring, described in the legend).
    public struct Curve: Sendable, Equatable {
        public var label: String
        public var points: [Point]
        public var operatingPoint: Point?
        public var operatingNote: String?
        public init(label: String, points: [Point], operatingPoint: Point? = nil, operatingNote: String? = nil) {
            self.label = label
            self.points = points
            self.operatingPoint = operatingPoint
            self.operatingNote = operatingNote
        }
    }

    public struct ScoresError: Error, CustomStringConvertible {
        public var description: String
    }

    // MARK: - Curves from metrics

    /// The verification DET curve of scored pairs, with the operating point at FMR ≤ `far` marked (the point
    /// `VerificationMetrics.tar(atFAR:)` reports). Pairs without a distance are never accepted.
    public static func verificationCurve(label: String, pairs: [VerificationMetrics.Pair], far: Double = 0.001) -> Curve {
        let points = [Point(x: 0, y: 1)] + VerificationMetrics.detCurve(pairs).map { Point(x: $0.fmr, y: $0.fnmr) }
        let op = VerificationMetrics.tar(atFAR: far, pairs)
        let note = "FNMR \(percent(1 - op.tar)) at FMR \(percent(op.far))"
        return Curve(label: label, points: points, operatingPoint: Point(x: op.far, y: 1 - op.tar), operatingNote: note)
    }

    /// The open-set identification DET curve (FNIR against FPIR), with the operating point at FPIR ≤ `fpir` marked.
    public static func identificationCurve(label: String, probes: [IdentificationMetrics.Probe], fpir: Double = 0.003) -> Curve {
        let points = [Point(x: 0, y: 1)] + IdentificationMetrics.detCurve(probes).map { Point(x: $0.fpir, y: $0.fnir) }
        let op = IdentificationMetrics.fnir(atFPIR: fpir, probes)
        let note = "FNIR \(percent(op.fnir)) at FPIR \(percent(op.fpir))"
        return Curve(label: label, points: points, operatingPoint: Point(x: op.fpir, y: op.fnir), operatingNote: note)
    }

    /// Reads a scores file as written by `rollcall eval pairs --scores`: one `distance<TAB>1|0` line per pair,
    /// `nan` where a face was missing. Blank lines are skipped.
    public static func parseScores(_ text: String, file: String) throws -> [VerificationMetrics.Pair] {
        var pairs: [VerificationMetrics.Pair] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count == 2, fields[1] == "1" || fields[1] == "0" else {
                throw ScoresError(description: "\(file):\(number + 1): expected distance<TAB>1|0, got \"\(line)\"")
            }
            let distance: Float?
            if fields[0].lowercased() == "nan" {
                distance = nil
            } else if let d = Float(fields[0]), d.isFinite {
                distance = d
            } else {
                throw ScoresError(description: "\(file):\(number + 1): not a distance: \"\(fields[0])\"")
            }
            pairs.append(.init(distance: distance, same: fields[1] == "1"))
        }
        return pairs
    }

    // MARK: - Files (the CLI's --plot)

    /// Writes the DET curve of `pairs` and of any other systems' scores files, given as `LABEL=FILE`.
    public static func writeVerification(_ pairs: [VerificationMetrics.Pair], label: String, title: String,
                                         others: [String] = [], to path: String) throws {
        var curves = [verificationCurve(label: label, pairs: pairs)]
        for spec in others {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
                throw ScoresError(description: "\(spec): expected LABEL=SCORES_FILE")
            }
            let file = String(spec[spec.index(after: eq)...])
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ScoresError(description: "\(file): cannot read scores file")
            }
            curves.append(verificationCurve(label: String(spec[..<eq]), pairs: try parseScores(text, file: file)))
        }
        let document = svg(curves, title: title, xLabel: "False match rate (FMR)", yLabel: "False non-match rate (FNMR)")
        try document.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Writes the identification DET curve of `probes`.
    public static func writeIdentification(_ probes: [IdentificationMetrics.Probe], label: String, title: String,
                                           to path: String) throws {
        let document = svg([identificationCurve(label: label, probes: probes)], title: title,
                           xLabel: "False positive identification rate (FPIR)",
                           yLabel: "False negative identification rate (FNIR)")
        try document.write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: - SVG

    static let palette = ["#1f5fbf", "#d1495b", "#2a9d4b", "#8e44ad", "#e08a00", "#3b3b3b"]
    static let dashes = ["", "8 4", "2 3", "10 3 2 3", "4 4", "1 2"]

    /// The SVG document. Rates of 0 (and below the lowest decade shown) are drawn on the axis' lower edge.
    public static func svg(_ curves: [Curve], title: String, xLabel: String, yLabel: String,
                           width: Int = 720, height: Int = 560) -> String {
        let left = 78.0, right = 20.0, top = 40.0, legendLineHeight = 18.0
        let bottom = 56.0 + legendLineHeight * Double(curves.count) + 8
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let (xMin, yMin) = (lowestDecade(curves.flatMap { $0.points.map(\.x) }),
                            lowestDecade(curves.flatMap { $0.points.map(\.y) }))
        let xDecades = Double(-xMin), yDecades = Double(-yMin)
        func px(_ x: Double) -> Double { left + (log10(clamp(x, xMin)) - Double(xMin)) / xDecades * plotW }
        func py(_ y: Double) -> Double { top + plotH - (log10(clamp(y, yMin)) - Double(yMin)) / yDecades * plotH }

        var s = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="Helvetica, Arial, sans-serif" font-size="12">
            <title>\(escape(title))</title>
            <desc>DET curve: \(escape(yLabel)) against \(escape(xLabel)), log-log axes. \
            \(escape(curves.map(\.label).joined(separator: "; ")))</desc>
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="#ffffff"/>
            <text x="\(f(left + plotW / 2))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(escape(title))</text>

            """
        // Grid: decades with minor ticks at 2..9.
        s += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n"
        for d in xMin...0 {
            for m in (d < 0 ? 1...9 : 1...1) {
                let x = px(Double(m) * pow(10, Double(d)))
                s += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH))\"\(m == 1 ? " stroke=\"#c8c8c8\"" : "")/>\n"
            }
        }
        for d in yMin...0 {
            for m in (d < 0 ? 1...9 : 1...1) {
                let y = py(Double(m) * pow(10, Double(d)))
                s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\"\(m == 1 ? " stroke=\"#c8c8c8\"" : "")/>\n"
            }
        }
        s += "</g>\n"
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#555555\"/>\n"
        // Tick labels.
        s += "<g fill=\"#333333\">\n"
        for d in xMin...0 {
            s += "<text x=\"\(f(px(pow(10, Double(d)))))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(escape(decadeLabel(d)))</text>\n"
        }
        for d in yMin...0 {
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(pow(10, Double(d))) + 4))\" text-anchor=\"end\">\(escape(decadeLabel(d)))</text>\n"
        }
        s += "</g>\n"
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + 36))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text transform=\"translate(18 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"

        // Curves, clipped to the plot area.
        s += "<defs><clipPath id=\"det-plot-area\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\"/></clipPath></defs>\n"
        s += "<g clip-path=\"url(#det-plot-area)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">\n"
        for (i, curve) in curves.enumerated() {
            let color = palette[i % palette.count], dash = dashes[(i / palette.count + i) % dashes.count]
            let coordinates = thinned(curve.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (px($0.x), py($0.y)) })
            guard !coordinates.isEmpty else { continue }
            let list = coordinates.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
            s += "<polyline stroke=\"\(color)\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") points=\"\(list)\">"
            s += "<title>\(escape(curve.label))</title></polyline>\n"
        }
        s += "</g>\n"
        // Operating points on top (not clipped: a point on the edge stays visible).
        for (i, curve) in curves.enumerated() {
            guard let p = curve.operatingPoint, p.x.isFinite, p.y.isFinite else { continue }
            let color = palette[i % palette.count]
            s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"5\" fill=\"#ffffff\" stroke=\"\(color)\" stroke-width=\"2.5\">"
            s += "<title>\(escape(curve.label + (curve.operatingNote.map { ": " + $0 } ?? "")))</title></circle>\n"
        }
        // Legend below the axis label: line sample, name, operating point.
        var y = top + plotH + 56
        for (i, curve) in curves.enumerated() {
            let color = palette[i % palette.count], dash = dashes[(i / palette.count + i) % dashes.count]
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y - 4))\" x2=\"\(f(left + 30))\" y2=\"\(f(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\""
            s += "\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>\n"
            if curve.operatingPoint != nil {
                s += "<circle cx=\"\(f(left + 15))\" cy=\"\(f(y - 4))\" r=\"4\" fill=\"#ffffff\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            }
            let text = curve.label + (curve.operatingNote.map { "  —  operating point: " + $0 } ?? "")
            s += "<text x=\"\(f(left + 38))\" y=\"\(f(y))\">\(escape(text))</text>\n"
            y += legendLineHeight
        }
        s += "</svg>\n"
        return s
    }

    /// Escapes text for SVG/XML content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // XML 1.0 forbids most control characters even when escaped: drop them.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": continue
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A rate as a percentage with enough digits to be read on a log scale: 0.1 %, 1.07 %, 12.3 %.
    public static func percent(_ rate: Double) -> String {
        let p = rate * 100
        if p == 0 { return "0 %" }
        if p < 0.01 { return String(format: "%.4f %%", p) }
        if p < 1 { return String(format: "%.3f %%", p) }
        if p < 10 { return String(format: "%.2f %%", p) }
        return String(format: "%.1f %%", p)
    }

    /// Power of ten of the lowest decade that shows the smallest positive value (at least 10⁻⁶, at most 10⁻¹).
    static func lowestDecade(_ values: [Double]) -> Int {
        let smallest = values.filter { $0 > 0 && $0.isFinite }.min() ?? 0.01
        return min(-1, max(-6, Int(floor(log10(smallest) + 1e-9))))
    }

    static func decadeLabel(_ power: Int) -> String {
        power >= -2 ? "\(Int((pow(10, Double(power)) * 100).rounded())) %" : "0." + String(repeating: "0", count: -power - 3) + "1 %"
    }

    private static func clamp(_ v: Double, _ lowestPower: Int) -> Double { max(v, pow(10, Double(lowestPower))) }

    /// Drops points closer than half a pixel to the last one kept (the last point is always kept).
    static func thinned(_ points: [(Double, Double)]) -> [(Double, Double)] {
        guard var last = points.first else { return [] }
        var out = [last]
        for (i, p) in points.enumerated().dropFirst() {
            if i == points.count - 1 || abs(p.0 - last.0) + abs(p.1 - last.1) >= 0.5 {
                out.append(p)
                last = p
            }
        }
        return out
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
