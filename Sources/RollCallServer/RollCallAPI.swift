import Foundation
import Hummingbird
import HummingbirdAuth
import Prometheus
import RollCall
import RollCallStore
import ServiceLifecycle

/// What the HTTP routes read from: the store, the session, the live event feed, the metrics and the gates.
public struct RollCallAPI: Sendable {
    public let store: RollCallStore
    public let sessionID: Int64
    public let broadcaster: EventBroadcaster
    public let registry: PrometheusCollectorRegistry
    public let gates: [GateService]
    /// How long one `/api/events` response lasts before the client is asked to reconnect.
    public let eventStreamLifetime: Duration

    public init(store: RollCallStore, sessionID: Int64, broadcaster: EventBroadcaster, registry: PrometheusCollectorRegistry,
                gates: [GateService] = [], eventStreamLifetime: Duration = .seconds(300)) {
        self.eventStreamLifetime = eventStreamLifetime
        self.store = store
        self.sessionID = sessionID
        self.broadcaster = broadcaster
        self.registry = registry
        self.gates = gates
    }

    // MARK: - Response bodies

    struct SessionSummary: ResponseEncodable {
        var session_id: Int64
        var name: String
        var opened_at: String
        var closed_at: String?
        var present: Int
        var expected: Int
        var excused: Int
        var absent: Int
        var quorum_fraction: Double
        var quorum_required: Int
        var quorum_met: Bool
    }

    struct AttendanceRow: Codable {
        var delegate_id: String
        var name: String
        var unit: String?
        var seat: String?
        var status: String
        var first_seen: String?
        var gate: String?
        var method: String?
        var distance: Double?
    }

    struct AttendanceList: ResponseEncodable {
        var session_id: Int64
        var delegates: [AttendanceRow]
    }

    struct Health: ResponseEncodable {
        struct Gate: Codable {
            var name: String
            var connected: Bool
            var frames: Int
            var dropped: Int
            var reconnects: Int
            var check_ins: Int
            var unknown_faces: Int
        }
        var status: String
        var session_id: Int64
        var gates: [Gate]
        var sse_clients: Int
    }

    // MARK: - Routes

    /// Adds every route, each group behind the role it needs (`AccessRole`): reads for viewers, changes for
    /// operators (`addOperatorRoutes`), token management and the privacy report for admins (`addAdminRoutes`).
    /// The caller must have put a `TokenAuthenticator` in front.
    public func addRoutes<Context: AuthRequestContext<APICaller>>(to router: Router<Context>) {
        let viewer = router.group().add(middleware: RequireRole<Context>(.viewer))
        viewer.get("/healthz") { _, _ in health() }
        viewer.get("/api/session") { _, _ in try sessionSummary() }
        viewer.get("/api/attendance") { _, _ in try attendance() }
        viewer.get("/api/events") { _, _ in events() }
        viewer.get("/metrics") { _, _ in metrics() }
        viewer.get("/") { _, _ in Dashboard.response() }
        addOperatorRoutes(to: router.group().add(middleware: RequireRole<Context>(.operator)))
        addAdminRoutes(to: router.group().add(middleware: RequireRole<Context>(.admin)))
    }

    func health() -> Health {
        Health(status: "ok", session_id: sessionID, gates: gates.map { gate in
            let s = gate.statistics
            return .init(name: gate.gate.name, connected: s.connected, frames: s.framesProcessed, dropped: s.framesDropped,
                         reconnects: s.reconnects, check_ins: s.checkIns, unknown_faces: s.unknownFaces)
        }, sse_clients: broadcaster.subscriberCount)
    }

    func sessionSummary() throws -> SessionSummary {
        let report = try store.report(sessionID: sessionID)
        let quorum = report.quorum
        let utc = TimeZone(identifier: "UTC")!
        return SessionSummary(
            session_id: report.session.id, name: report.session.name,
            opened_at: AttendanceReport.iso8601(report.session.openedAt, timeZone: utc),
            closed_at: report.session.closedAt.map { AttendanceReport.iso8601($0, timeZone: utc) },
            present: quorum.present, expected: quorum.expected, excused: report.count(.excused), absent: report.count(.absent),
            quorum_fraction: quorum.fraction, quorum_required: quorum.required, quorum_met: quorum.isMet)
    }

    func attendance() throws -> AttendanceList {
        let report = try store.report(sessionID: sessionID)
        let utc = TimeZone(identifier: "UTC")!
        return AttendanceList(session_id: report.session.id, delegates: report.rows.map { row in
            AttendanceRow(delegate_id: row.delegateID, name: row.name, unit: row.unit, seat: row.seat, status: row.status.rawValue,
                          first_seen: row.firstSeen.map { AttendanceReport.iso8601($0, timeZone: utc) }, gate: row.gate,
                          method: row.method?.rawValue, distance: row.distance)
        })
    }

    /// Server-sent events: one `checkin` event per check-in, as it is committed. Ends on graceful shutdown.
    func events() -> Response {
        let stream = broadcaster.subscribe(lifetime: eventStreamLifetime)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": connected\nretry: 2000\n\n"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for await event in stream.cancelOnGracefulShutdown() {
                let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                try await writer.write(ByteBuffer(string: "event: checkin\ndata: \(json)\n\n"))
            }
            try await writer.finish(nil)
        })
    }

    func metrics() -> Response {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}
