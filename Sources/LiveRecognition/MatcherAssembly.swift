import FaceEngine
import RollCall
import RollCallStore

/// Builds the matcher over a store's templates for an engine: what `identify`, `eval`, `watch`, `serve` and the
/// template reloader share, so none of them needs the HTTP daemon to get one.
public enum MatcherAssembly {
    /// The pack an engine's embeddings belong to, as templates record it.
    public static func templatePack(of engine: FaceEngine) -> TemplatePack {
        TemplatePack(name: engine.pack.pack.name, digest: engine.embedderDigest)
    }

    /// The pack's rule for delegates with several photos (`thresholds.template_fusion`, validated when the manifest
    /// is read; `best` when absent).
    public static func templateFusion(of engine: FaceEngine) -> TemplateFusion {
        engine.thresholds.templateFusion.flatMap(TemplateFusion.init(rawValue:)) ?? .best
    }

    /// The matcher over every enrolled template, with the pack's calibrated operating point.
    ///
    /// - Throws: `StoreError.packMismatch` / `.unknownTemplatePack` when the templates were not made by the engine's
    ///   pack (two 128-d packs such as `sface` and `dlib` would otherwise "match" with meaningless distances);
    ///   `RecognitionError.noTemplates` when there are none.
    public static func makeMatcher(store: any RollCallStorage, engine: FaceEngine, threshold: Float? = nil) throws -> Matcher {
        let matcher = try reloadMatcher(store: store, engine: engine, threshold: threshold)
        guard matcher.gallery.templateCount > 0 else { throw RecognitionError.noTemplates(store.location) }
        return matcher
    }

    /// `makeMatcher` for a daemon that is already running: the same checks, but no templates at all gives a matcher
    /// that recognises nobody (every delegate was removed) instead of an error.
    ///
    /// - Parameter threshold: an identify threshold other than the pack's (evaluations that compare operating points).
    public static func reloadMatcher(store: any RollCallStorage, engine: FaceEngine, threshold: Float? = nil) throws -> Matcher {
        let gallery = try store.gallery(madeBy: templatePack(of: engine), defaultDimension: engine.dimension,
                                        fusion: templateFusion(of: engine))
        guard gallery.dimension == engine.dimension else {
            throw RecognitionError.dimensionMismatch(store.location, stored: gallery.dimension, pack: engine.pack.pack.name,
                                                     packDimension: engine.dimension)
        }
        let thresholds = engine.thresholds
        return Matcher(gallery: gallery, configuration: MatcherConfiguration(threshold: threshold ?? thresholds.identify,
                                                                             margin: thresholds.margin))
    }

    /// `makeMatcher` in a holder that a `TemplateReloader` can keep up to date, with the template version read first.
    public static func makeMatcherHolder(store: any RollCallStorage, engine: FaceEngine, threshold: Float? = nil) throws -> MatcherHolder {
        let version = try store.templateVersion()
        return MatcherHolder(try makeMatcher(store: store, engine: engine, threshold: threshold), version: version)
    }
}

/// Why a matcher or a pipeline cannot be built: one line naming the database or setting.
public struct RecognitionError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable { case noTemplates, dimensionMismatch, badConfiguration }
    private let code: Code
    public let description: String

    public static func noTemplates(_ path: String) -> Self {
        Self(code: .noTemplates, description: "no templates enrolled in \(path): enroll delegates' photos first")
    }
    public static func dimensionMismatch(_ path: String, stored: Int, pack: String, packDimension: Int) -> Self {
        Self(code: .dimensionMismatch,
             description: "templates in \(path) have \(stored) dimensions but pack \(pack) makes \(packDimension)")
    }
    public static func badConfiguration(_ text: String) -> Self { Self(code: .badConfiguration, description: text) }
}
