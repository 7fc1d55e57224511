import CMatchKernel

/// Template rows quantised to int8 (one scale per row), so that the matcher's first pass reads a quarter of the
/// bytes: over 42,000 templates of 512 floats the float scan is bound by memory bandwidth (86 MB per probe).
///
/// The coarse cosines it gives are only used to choose which delegates to score exactly; `errorBound` makes that
/// choice safe (see `Matcher.match`).
struct QuantizedRows: Sendable {
    let dimension: Int
    /// `rows × dimension` values, row r ≈ `values[r] * scales[r]`.
    let values: [Int8]
    /// Per-row scale: max |x| / 127.
    let scales: [Float]
    /// Largest scale over the rows.
    let maxScale: Float
    /// Largest L1 norm of a dequantised row.
    let maxL1: Float

    init(_ matrix: [Float], dimension: Int) {
        let rows = matrix.count / dimension
        var values = [Int8](repeating: 0, count: matrix.count)
        var scales = [Float](repeating: 0, count: rows)
        var maxScale: Float = 0, maxL1: Float = 0
        for r in 0..<rows {
            let (scale, l1) = Self.quantize(matrix[(r * dimension)..<((r + 1) * dimension)], into: &values, at: r * dimension)
            scales[r] = scale
            maxScale = max(maxScale, scale)
            maxL1 = max(maxL1, l1)
        }
        self.dimension = dimension
        self.values = values
        self.scales = scales
        self.maxScale = maxScale
        self.maxL1 = maxL1
    }

    /// Quantises `vector` to `values[offset...]`; returns its scale and the L1 norm of the dequantised vector.
    static func quantize(_ vector: ArraySlice<Float>, into values: inout [Int8], at offset: Int) -> (scale: Float, l1: Float) {
        let peak = vector.reduce(0) { max($0, abs($1)) }
        guard peak > 0 else { return (0, 0) }
        let scale = peak / 127
        var l1: Float = 0
        for (i, x) in vector.enumerated() {
            let q = (x / scale).rounded()
            values[offset + i] = Int8(max(-127, min(127, q)))
            l1 += abs(q) * scale
        }
        return (scale, l1)
    }

    /// Coarse cosines of every row with `probe`: row r's is `Float(dots[r]) * scales[r] * probeScale`; and a bound on
    /// their error against the exact float cosines.
    ///
    /// With t = t̂ + e_t and p = p̂ + e_p (|e| ≤ scale / 2 per component):
    /// |t·p − t̂·p̂| ≤ (s_p / 2)·‖t̂‖₁ + (s_t / 2)·‖p̂‖₁ + n·s_t·s_p / 4, taken here with the gallery's largest s_t
    /// and ‖t̂‖₁, plus a margin for float rounding.
    func coarseDots(_ probe: [Float]) -> (dots: [Int32], probeScale: Float, errorBound: Float) {
        var probeValues = [Int8](repeating: 0, count: dimension)
        let (probeScale, probeL1) = Self.quantize(probe[...], into: &probeValues, at: 0)
        let rows = scales.count
        // Not zero-filled first: the kernel writes every element.
        let dots = [Int32](unsafeUninitializedCapacity: rows) { out, initialized in
            values.withUnsafeBufferPointer { v in
                probeValues.withUnsafeBufferPointer { p in
                    rc_dot_i8_rows(v.baseAddress, Int64(rows), Int32(dimension), p.baseAddress, out.baseAddress)
                }
            }
            initialized = rows
        }
        let bound = probeScale / 2 * maxL1 + maxScale / 2 * probeL1 + Float(dimension) * maxScale * probeScale / 4
        return (dots, probeScale, bound + 1e-5)
    }

    /// `coarseDots` as cosines (for tests and diagnostics; the matcher reads the dots directly).
    func coarseCosines(_ probe: [Float]) -> (cosines: [Float], errorBound: Float) {
        let (dots, probeScale, bound) = coarseDots(probe)
        return (dots.indices.map { Float(dots[$0]) * scales[$0] * probeScale }, bound)
    }
}
