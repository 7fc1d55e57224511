/// The model pack that made a template: its name, and the digest of its embedder (`ModelPack.embedderDigest`).
///
/// Templates are comparable only within one embedding space, and the dimension does not tell spaces apart (`sface`
/// and `dlib` both make 128-d vectors), so every template carries this and a database holds templates of one pack.
/// The name is for people; the digest is what is compared, together with the name (a site pack that reuses a
/// bundled pack's model under another name is still kept apart: templates do not silently cross pack names).
public struct TemplatePack: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    /// SHA-256, lowercase hex.
    public var digest: String

    public init(name: String, digest: String) {
        self.name = name
        self.digest = digest
    }

    /// `sface (3f2a9c01d4e5…)`: enough of the digest to tell two versions of a pack apart.
    public var description: String { "\(name) (\(digest.prefix(12))…)" }
}
