import Foundation
import RollCall
import RollCallStore

/// The matcher every gate uses now. `TemplateReloader` swaps it whole when the enrolled templates change; a pipeline
/// reads it once per batch of embeddings, so a swap never stops or restarts a gate and no frame waits for it.
public final class MatcherHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Matcher
    private var builtFrom: TemplateVersion?

    /// - Parameters:
    ///   - version: the template table's state read *before* `matcher` was built (see
    ///     `MatcherAssembly.makeMatcherHolder`); `nil` when unknown, so the reloader rebuilds at its first look.
    public init(_ matcher: Matcher, version: TemplateVersion? = nil) {
        value = matcher
        builtFrom = version
    }

    /// The current matcher (a struct over copy-on-write arrays: taking it costs a retain).
    public var matcher: Matcher { lock.withLock { value } }

    /// The template table's state the current matcher was built from.
    public var version: TemplateVersion? { lock.withLock { builtFrom } }

    /// Publishes a new matcher to every pipeline that holds this holder.
    public func replace(with matcher: Matcher, version: TemplateVersion?) {
        lock.withLock {
            value = matcher
            builtFrom = version
        }
    }
}
