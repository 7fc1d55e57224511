import FaceEngine
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import LiveRecognition
import NIOSSL
import Logging
import NIOCore
import Prometheus
import RollCall
import RollCallStore
import ServiceLifecycle
import Texts

/// Assembles the daemon's parts, so `rollcall watch`, `rollcall serve` and the tests build them the same way.
public enum Daemon {
    /// The session to record into: `requested`, which must exist and be open, or else the open one.
    public static func resolveSession(store: any RollCallStorage, requested: Int64?) throws -> SessionInfo {
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
        store: any RollCallStorage, engine: FaceEngine, holder: MatcherHolder, seconds: Double, logger: Logger
    ) -> TemplateReloader? {
        guard seconds > 0 else { return nil }
        return TemplateReloader(store: store, engine: engine, holder: holder, interval: .milliseconds(Int64((seconds * 1000).rounded())),
                                logger: logger)
    }

    /// One gate: pipeline, recorder and the service that runs them. The pipeline uses whatever matcher `matcher`
    /// holds at each batch, so gates sharing one holder all follow a `TemplateReloader`.
    public static func makeGate(
        _ gate: GateConfiguration, engine: FaceEngine, matcher: MatcherHolder, store: any RollCallStorage, sessionID: Int64,
        pipeline: PipelineConfiguration, reconnect: ReconnectPolicy, registry: PrometheusCollectorRegistry?,
        broadcaster: EventBroadcaster?, facesDirectory: String?, usherDesk: UsherDesk? = nil, time: SiteTime = .vietnam,
        logger: Logger, onCheckIn: (@Sendable (CheckInEvent, Recognition) -> Void)? = nil
    ) throws -> GateService {
        let metrics = registry.map { PipelineMetrics(registry: $0, gate: gate.name) }
        let recognition = RecognitionPipeline(engine: engine, matcher: matcher, configuration: pipeline,
                                              keepCrops: facesDirectory != nil)
        let recorder = try AttendanceRecorder(
            store: store, sessionID: sessionID, gate: gate.name, broadcaster: broadcaster, metrics: metrics,
            facesDirectory: facesDirectory.map { URL(fileURLWithPath: $0) }, usherDesk: usherDesk, time: time, logger: logger,
            onCheckIn: onCheckIn)
        return GateService(gate: gate, pipeline: recognition, recorder: recorder, metrics: metrics, reconnect: reconnect, logger: logger)
    }

    /// The HTTP application: API, SSE, metrics, health, dashboard, greeting screens and documents, each route behind
    /// the role it needs (tokens from the store), over HTTPS when `http.tls` names a certificate and key. It runs the
    /// SSE heartbeat (`EventHeartbeat`) as its own service.
    ///
    /// - Parameters:
    ///   - onServerRunning: called with the bound address once the socket listens (port 0 picks a free port).
    ///   - now: the time tokens' expiry is checked against (tests inject their own).
    /// - Throws: `badConfiguration` when the certificate or key cannot be read.
    public static func buildApplication(
        http: ServerConfiguration.HTTP, api: RollCallAPI, logger: Logger,
        onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }, now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> some ApplicationProtocol {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: TokenAuthenticator(store: api.store, loopbackOnly: http.isLoopback, now: now))
        api.addRoutes(to: router)
        let server: HTTPServerBuilder = try http.tls.map { try .tls(.http1(), tlsConfiguration: try tlsConfiguration($0)) } ?? .http1()
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(http.host, port: http.port), serverName: "rollcall"),
            services: [EventHeartbeat(broadcaster: api.broadcaster, interval: api.heartbeatInterval)],
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? http.host):\($0.port ?? http.port)" } ?? "\(http.host):\(http.port)"
                await onServerRunning(address)
            },
            logger: logger)
    }

    /// `error` from running the HTTP service, made to name the address when the socket could not be bound: NIO's own
    /// text ("bind(descriptor:ptr:bytes:): Address already in use (errno: 98)") says neither host nor port.
    public static func listenError(_ error: any Error, http: ServerConfiguration.HTTP) -> any Error {
        guard let io = error as? IOError, io.description.contains("bind") || [EADDRINUSE, EACCES, EADDRNOTAVAIL].contains(io.errnoCode) else {
            return error
        }
        return ServerError.listen(host: http.host, port: http.port, errno: io.errnoCode, reason: "\(io)")
    }

    /// The server side of TLS from PEM files: the certificate chain (leaf first) and its private key.
    static func tlsConfiguration(_ tls: ServerConfiguration.HTTP.TLS) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(tls.certificate) } catch {
            throw ServerError.badConfiguration("http.tls.certificate \(tls.certificate): not a readable PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw ServerError.badConfiguration("http.tls.certificate \(tls.certificate): no certificate in the file") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: tls.key, format: .pem) } catch {
            throw ServerError.badConfiguration("http.tls.key \(tls.key): not a readable PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// Refuses to serve beyond loopback when nobody could use the server: with no live token in the database every
    /// request would get 401.
    public static func checkAccess(http: ServerConfiguration.HTTP, store: RollCallStore) throws {
        if !http.isLoopback, try !store.hasLiveTokens() {
            throw ServerError.badConfiguration(
                "http.host \(http.host) is not a loopback address and \(store.path) holds no live API token, so every request "
                    + "would be refused: make one first with `rollcall tokens add NAME --role viewer|operator|admin`")
        }
    }
}
