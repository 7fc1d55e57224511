import ArgumentParser
import Documents
import FaceEngine
import Foundation
import LiveRecognition
import Logging
import Prometheus
import RollCallServer
import RollCall
import RollCallPostgres
import RollCallStore
import ServiceLifecycle
import Texts

extension RollCallCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the entrance-camera daemon: several gates, the HTTP API, live events, metrics and the dashboard.",
            discussion: """
                The YAML configuration lists the gates (name and source each), the database and the HTTP address. The \
                server binds 127.0.0.1 unless told otherwise; any other address needs http.tls (a certificate and key: \
                rollcall tls self-signed makes a pair) or insecure_http: true, and at least one API token. Requests \
                carry a token (Authorization: Bearer …, or ?token=… for the dashboard) made with rollcall tokens add \
                NAME --role viewer|operator|admin; on loopback with no token at all, reads stay open to this machine. \
                Tokens added or revoked take effect at the next request. Delegates enrolled or removed \
                while it runs (by `rollcall enroll` or `rollcall delegates remove` on the same database) are picked up \
                within template_reload_seconds (default 5), without a restart. SIGTERM or SIGINT stops it \
                gracefully: queued frames are dropped, the frames in hand are recorded, the database is closed. \
                Pages: / (the dashboard), /greeting?gate=NAME (the screen facing a gate), /report?document=sign-in \
                (printable documents), /healthz, /metrics, /api/session, /api/attendance, /api/events (SSE). \
                `rollcall serve --example-config` prints a complete, commented configuration to start from.
                """
        )

        @Option(help: "The YAML configuration file.")
        var config: String?

        @Flag(help: "Print a complete, commented example configuration (in --lang) and exit.")
        var exampleConfig = false

        @OptionGroup var language: LanguageOptions

        @Option(help: "Log level on standard error: trace, debug, info, notice, warning, error, critical.")
        var logLevel = "info"

        func validate() throws {
            guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a level.") }
            guard exampleConfig || config != nil else {
                throw ValidationError("give --config FILE.yaml (rollcall serve --example-config prints one to start from)")
            }
        }

        func run() async throws {
            if exampleConfig {
                print(ServerConfiguration.example(in: .interface), terminator: "")
                return
            }
            guard let config else { return }
            // One malloc arena, and frames, DNN blobs and weights in mappings of their own: glibc's dynamic mmap
            // threshold otherwise climbs to 32 MB after the first large free, and from then on every large block
            // lands in an arena that never shrinks. benchmarks/serve_rss.sh, 2 gates: steady RSS ≈ 250 → 190 MB.
            FaceEngine.useDaemonAllocator()
            var logger = Logger(label: "rollcall.serve", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = Logger.Level(rawValue: logLevel)!
            let configuration = try ServerConfiguration.load(path: config)
            // The configuration's language unless --lang says otherwise; then ROLLCALL_LANG, then Vietnamese.
            if language.language == nil, let lang = configuration.lang { Language.interface = lang }
            let presentation = Presentation(language: .interface, time: try language.timeZone.map { try SiteTime.resolve($0) }
                ?? configuration.siteTime())
            let texts = presentation.texts
            if PostgresURL.isPostgres(configuration.database) {
                // The HTTP API also needs tokens, the privacy report and key state, which only the SQLite store keeps
                // so far; gates record into PostgreSQL with `rollcall watch --db postgres://…`.
                throw PostgresStoreError.unsupported("`rollcall serve` (database: in the serve configuration)",
                                                     location: try PostgresURL(configuration.database).description)
            }
            let store = try RollCallStore(path: configuration.database, keySource: .fromEnvironment(keyFile: configuration.keyFile),
                                          logger: logger)
            try Daemon.checkAccess(http: configuration.http, store: store)
            let session = try Daemon.resolveSession(store: store, requested: configuration.session)
            let pack = try ModelStore.resolve(configuration.models).load(packNamed: configuration.pack)
            // Live frames: one pass per chip (see `watch`).
            let engine = try FaceEngine(pack: pack, workers: configuration.workers, flip: false)
            let liveMatcher = try MatcherAssembly.makeMatcherHolder(store: store, engine: engine)
            let registry = PrometheusCollectorRegistry()
            let broadcaster = EventBroadcaster()
            // Tracks the gates could not confirm wait for the usher on the dashboard (in memory only).
            let usherDesk = UsherDesk(plausibleDistance: UsherDesk.plausibleDistance(for: engine.thresholds),
                                      onChange: { broadcaster.usherChanged() })
            let gates = try configuration.gates.map {
                try Daemon.makeGate($0, engine: engine, matcher: liveMatcher, store: store, sessionID: session.id,
                                    pipeline: configuration.pipeline, reconnect: configuration.reconnect, registry: registry,
                                    broadcaster: broadcaster, facesDirectory: configuration.facesDirectory, usherDesk: usherDesk,
                                    time: presentation.time, logger: logger)
            }
            let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: broadcaster, registry: registry, gates: gates,
                                  presentation: presentation, greetingSeconds: configuration.greetingSeconds,
                                  gateStaleSeconds: configuration.gateStaleSeconds, usherDesk: usherDesk)
            let startupLogger = logger
            let scheme = configuration.http.scheme
            let app = try Daemon.buildApplication(http: configuration.http, api: api, logger: logger) { address in
                startupLogger.notice("rollcall serving", metadata: [
                    "http.address": "\(scheme)://\(address)/", "session.id": "\(session.id)", "db.path": "\(configuration.database)",
                    "pack": "\(pack.pack.name)", "gates": "\(configuration.gates.map { "\($0.name)=\($0.source)" }.joined(separator: ", "))",
                    "auth": "per-person tokens",
                ])
            }
            let quorum = try store.quorum(sessionID: session.id)
            // Beyond loopback, or once anyone holds a token, every request needs one (TokenAuthenticator).
            let tokenRequired = try !configuration.http.isLoopback || store.hasLiveTokens()
            printError(texts.format("cli.serve_start", [
                "session": "\(session.id)", "name": session.name, "present": "\(quorum.present)", "expected": "\(quorum.expected)",
                "delegates": "\(liveMatcher.matcher.gallery.delegateCount)", "pack": "\(pack.pack.name) (OpenCV \(FaceEngine.openCVVersion))",
                "gates": "\(gates.count)", "gate_list": configuration.gates.map { "\($0.name) ← \($0.source)" }.joined(separator: "; "),
                "url": "\(scheme)://\(configuration.http.host):\(configuration.http.port)/",
                "auth": texts[tokenRequired ? "cli.serve_token" : "cli.serve_local_reads"],
            ]))
            // Enrollments and removals made at the desk while serving reach every gate through the shared holder.
            let reloader = Daemon.makeTemplateReloader(store: store, engine: engine, holder: liveMatcher,
                                                       seconds: configuration.templateReloadSeconds, logger: logger)
            // Dependency order: gates first, the HTTP server last, so shutdown stops serving (then reloading) before
            // the gates finish.
            let services = gates.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0, successTerminationBehavior: .ignore) }
                + (reloader.map { [.init(service: $0, successTerminationBehavior: .ignore)] } ?? [])
                + [.init(service: app)]
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                          cancellationSignals: [], logger: logger))
            do {
                try await group.run()
            } catch {
                throw Daemon.listenError(error, http: configuration.http)
            }
            broadcaster.finishAll()
            try store.checkpoint()
            logger.notice("rollcall stopped", metadata: ["session.id": "\(session.id)"])
        }
    }
}
