import FaceEngine
import Foundation
import Hummingbird
import LiveRecognition
import Logging
import Prometheus
import RollCall
import RollCallStore
import ServiceLifecycle

/// Assembles the daemon's parts, so `rollcall watch`, `rollcall serve` and the tests build them the same way.
public enum Daemon {
    /// The session to record into: `requested`, which must exist and be open, or else the open one.
    public static func resolveSession(store: RollCallStore, requested: Int64?) throws -> SessionInfo {
        if let requested {
            let session = try store.session(id: requested)
            guard session.closedAt == nil else { throw ServerError.sessionClosed(requested) }
            return session
        }
        guard let open = try store.currentSession() else { throw ServerError.noOpenSession }
        return open
    }

    /// The service that keeps `holder` in step with the store's templates every `seconds`; `nil` when `seconds` is 0
    /// (templates read at start only).
    public static func makeTemplateReloader(
        store: RollCallStore, engine: FaceEngine, holder: MatcherHolder, seconds: Double, logger: Logger
    ) -> TemplateReloader? {
        guard seconds > 0 else { return nil }
        return TemplateReloader(store: store, engine: engine, holder: holder, interval: .milliseconds(Int64((seconds * 1000).rounded())),
                                logger: logger)
    }

    /// One gate: pipeline, recorder and the service that runs them. The pipeline uses whatever matcher `matcher`
    /// holds at each batch, so gates sharing one holder all follow a `TemplateReloader`.
    public static func makeGate(
        _ gate: GateConfiguration, engine: FaceEngine, matcher: MatcherHolder, store: RollCallStore, sessionID: Int64,
        pipeline: PipelineConfiguration, reconnect: ReconnectPolicy, registry: PrometheusCollectorRegistry?,
        broadcaster: EventBroadcaster?, facesDirectory: String?, logger: Logger,
        onCheckIn: (@Sendable (CheckInEvent, Recognition) -> Void)? = nil
    ) throws -> GateService {
        let metrics = registry.map { PipelineMetrics(registry: $0, gate: gate.name) }
        let recognition = RecognitionPipeline(engine: engine, matcher: matcher, configuration: pipeline,
                                              keepCrops: facesDirectory != nil)
        let recorder = try AttendanceRecorder(
            store: store, sessionID: sessionID, gate: gate.name, broadcaster: broadcaster, metrics: metrics,
            facesDirectory: facesDirectory.map { URL(fileURLWithPath: $0) }, logger: logger, onCheckIn: onCheckIn)
        return GateService(gate: gate, pipeline: recognition, recorder: recorder, metrics: metrics, reconnect: reconnect, logger: logger)
    }

    /// The HTTP application: API, SSE, metrics, health and dashboard, behind the bearer token when one is set.
    ///
    /// - Parameters:
    ///   - onServerRunning: called with the bound address once the socket listens (port 0 picks a free port).
    public static func buildApplication(
        http: ServerConfiguration.HTTP, api: RollCallAPI, logger: Logger,
        onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        if let token = http.token, !token.isEmpty {
            router.add(middleware: BearerTokenMiddleware(token: token))
        }
        api.addRoutes(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(http.host, port: http.port), serverName: "rollcall"),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? http.host):\($0.port ?? http.port)" } ?? "\(http.host):\(http.port)"
                await onServerRunning(address)
            },
            logger: logger)
    }
}
