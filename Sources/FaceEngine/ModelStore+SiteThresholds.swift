import Foundation

/// A site's own operating points: a manifest in `DIR/packs/NAME.json` that is the pack's current manifest with
/// other thresholds. Same pins, so nothing is fetched again; thresholds are not part of the embedder digest, so
/// enrolled templates stay valid (README, "Thresholds for your own delegates").
extension ModelStore {
    /// The site manifest of pack `name`, if there is one.
    public func siteManifestURL(ofPack name: String) -> URL {
        directory.appendingPathComponent("packs/\(name).json")
    }

    /// Writes the site manifest of pack `name`: its current manifest (site or bundled) with `change` applied to the
    /// thresholds and a dated line saying what changed and why appended to their `calibration`.
    ///
    /// - Returns: the thresholds before and after.
    /// - Throws: `FaceEngineError` (`.pack`) for a data-only pack, a distance outside 0…2, a margin outside 0…1,
    ///   an unknown template fusion, or an empty reason; nothing is written then.
    @discardableResult
    public func setThresholds(ofPack name: String, reason: String, date: Date = Date(),
                              _ change: (inout ModelPack.Thresholds) -> Void) throws
        -> (before: ModelPack.Thresholds, after: ModelPack.Thresholds)
    {
        var pack = try ModelPack.named(name, modelsDirectory: directory).pack
        guard let before = pack.thresholds else {
            throw FaceEngineError(.pack, "pack \(name) holds data only: it has no thresholds")
        }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw FaceEngineError(.pack, "say why the thresholds change (it is kept in the manifest)") }
        var after = before
        change(&after)
        for (label, value) in [("identify", after.identify), ("verify", after.verify)] where !(value > 0 && value < 2) {
            throw FaceEngineError(.pack, "\(label) threshold must be a distance between 0 and 2, not \(value)")
        }
        guard after.margin >= 0 && after.margin < 1 else {
            throw FaceEngineError(.pack, "margin must lie in 0..<1, not \(after.margin)")
        }
        after.calibration += " Site change \(ISO8601DateFormatter().string(from: date)): "
            + Self.describeChange(before, after) + " (\(why))."
        pack.thresholds = after

        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(pack)
        let url = siteManifestURL(ofPack: name)
        let written = try ModelPack.decode(from: data, origin: url.path)  // validates, e.g. template_fusion
        precondition(written.embedderDigest == pack.embedderDigest, "thresholds must not change the embedder digest")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
        return (before, after)
    }

    /// Removes the site manifest of a bundled pack, so the bundled thresholds apply again.
    ///
    /// - Throws: `FaceEngineError` (`.pack`) when `name` is not bundled (its site manifest is the only one).
    public func resetThresholds(ofPack name: String) throws {
        guard try ModelPack.bundled().contains(where: { $0.name == name }) else {
            throw FaceEngineError(.pack, "pack \(name) is not bundled: its site manifest is its only manifest, edit it instead")
        }
        let url = siteManifestURL(ofPack: name)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }

    /// "identify 0.5054 → 0.4700, margin 0.02 → 0.03": what differs between two sets of thresholds.
    public static func describeChange(_ a: ModelPack.Thresholds, _ b: ModelPack.Thresholds) -> String {
        var parts: [String] = []
        func number(_ label: String, _ x: Float, _ y: Float) { if x != y { parts.append("\(label) \(x) → \(y)") } }
        number("identify", a.identify, b.identify)
        number("verify", a.verify, b.verify)
        number("margin", a.margin, b.margin)
        if a.templateFusion != b.templateFusion {
            parts.append("template_fusion \(a.templateFusion ?? "best") → \(b.templateFusion ?? "best")")
        }
        return parts.isEmpty ? "no change" : parts.joined(separator: ", ")
    }
}
