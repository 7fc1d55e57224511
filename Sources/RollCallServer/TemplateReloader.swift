import FaceEngine
import Foundation
import LiveRecognition
import Logging
import RollCall
import RollCallStore
import ServiceLifecycle

/// Keeps a `MatcherHolder` in step with the templates in the store, whichever process enrolls or removes them (the
/// secretariat's `rollcall enroll` or `rollcall delegates remove` while the daemon runs).
///
/// Every `interval` it reads the store's cheap `templateVersion()`; only when that changed does it rebuild the matcher
/// through `MatcherAssembly.reloadMatcher` (the same pack and dimension checks as at start) and swap it in. A reload that
/// fails (database busy beyond its timeout, a template of another pack, a missing key) is logged as a warning and the
/// previous matcher stays; the next tick tries again. Removing every template leaves an empty matcher that recognises
/// nobody (with a warning) rather than keeping removed delegates' templates in use.
public final class TemplateReloader: Service, @unchecked Sendable {
    private let store: any RollCallStorage
    private let engine: FaceEngine
    private let holder: MatcherHolder
    private let interval: Duration
    private let logger: Logger
    private let lock = NSLock()
    private var lastFailure: String?
    private let wakeUp = NSCondition()
    private var stopped = false

    public init(store: any RollCallStorage, engine: FaceEngine, holder: MatcherHolder, interval: Duration, logger: Logger) {
        precondition(interval > .zero, "interval must be positive")
        self.store = store
        self.engine = engine
        self.holder = holder
        self.interval = interval
        self.logger = logger
    }

    /// Looks every `interval` until graceful shutdown or cancellation.
    ///
    /// The loop runs on its own thread, as the gates' work does: SQLite and opening the templates block, and a
    /// cooperative pool kept busy by other work must not delay a late delegate's recognition.
    public func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await runOnThread(name: "rollcall.reload") { self.loop() }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }

    /// Ends `run` at once (a look in progress finishes first).
    public func stop() {
        wakeUp.withLock {
            stopped = true
            wakeUp.broadcast()
        }
    }

    private func loop() {
        let (seconds, attoseconds) = interval.components
        let pause = Double(seconds) + Double(attoseconds) / 1e18
        while true {
            let stop = wakeUp.withLock { () -> Bool in
                let deadline = Date(timeIntervalSinceNow: pause)
                while !stopped && wakeUp.wait(until: deadline) {}
                return stopped
            }
            if stop { return }
            reloadIfChanged()
        }
    }

    /// What one look at the store did.
    public enum Outcome: Sendable, Equatable {
        /// The templates are as the current matcher has them.
        case unchanged
        /// A new matcher was swapped in.
        case reloaded(delegates: Int, templates: Int)
        /// The store could not be read or its templates cannot be matched; the previous matcher stays.
        case failed(String)
    }

    /// Compares the store's template version with the holder's and, when they differ, rebuilds and swaps the matcher.
    /// Blocking; `run` calls it every `interval` (tests call it directly).
    @discardableResult
    public func reloadIfChanged() -> Outcome {
        let outcome: Outcome
        do {
            // Read before building: a commit between the two leaves a stale version, so the next look rebuilds again
            // (never the reverse, a new matcher recorded as older than it is).
            let version = try store.templateVersion()
            if version == holder.version {
                outcome = .unchanged
            } else {
                let matcher = try MatcherAssembly.reloadMatcher(store: store, engine: engine)
                holder.replace(with: matcher, version: version)
                let gallery = matcher.gallery
                outcome = .reloaded(delegates: gallery.delegateCount, templates: gallery.enrolledTemplateCount)
                logger.info("templates reloaded: \(gallery.delegateCount) delegates, \(gallery.enrolledTemplateCount) templates", metadata: [
                    "db.path": "\(store.location)", "gallery.delegates": "\(gallery.delegateCount)",
                    "gallery.templates": "\(gallery.enrolledTemplateCount)",
                ])
                if gallery.templateCount == 0 {
                    logger.warning("no templates enrolled any more: recognising nobody until delegates are enrolled",
                                   metadata: ["db.path": "\(store.location)"])
                }
            }
        } catch {
            // Errors name files, packs, counts and ids, never templates or names.
            outcome = .failed("\(error)")
        }
        let failure: String? = if case .failed(let reason) = outcome { reason } else { nil }
        let repeated = lock.withLock { () -> Bool in
            defer { lastFailure = failure }
            return failure != nil && failure == lastFailure
        }
        if let failure {
            // One warning per new reason, not one per tick while an operator fixes it.
            let level: Logger.Level = repeated ? .debug : .warning
            logger.log(level: level, "templates not reloaded; recognition goes on with the previous ones", metadata: [
                "db.path": "\(store.location)", "error": "\(failure)",
                "gallery.delegates": "\(holder.matcher.gallery.delegateCount)",
            ])
        }
        return outcome
    }
}
