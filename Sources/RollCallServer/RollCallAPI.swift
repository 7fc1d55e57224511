import Documents
import Foundation
import Hummingbird
import HummingbirdAuth
import Prometheus
import RollCall
import RollCallStore
import ServiceLifecycle
import Texts

/// What the HTTP routes read from: the store, the session, the live event feed, the metrics and the gates, and how
/// pages speak (language, clock).
public struct RollCallAPI: Sendable {
    public let store: RollCallStore
    public let sessionID: Int64
    public let broadcaster: EventBroadcaster
    public let registry: PrometheusCollectorRegistry
    public let gates: [GateService]
    /// How long one `/api/events` response lasts before the client is asked to reconnect.
    public let eventStreamLifetime: Duration
    /// How often a quiet event stream writes a heartbeat (so a client that left is dropped).
    public let heartbeatInterval: Duration
    /// The pages' default language and the site's clock (a page's `?lang=` overrides the language).
    public let presentation: Presentation
    /// How long the greeting screen shows a delegate.
    public let greetingSeconds: Double
    /// A gate without a frame for longer than this is reported as a problem.
    public let gateStaleSeconds: Double
    /// The tracks the gates could not confirm, waiting for the usher (nil: no usher view).
    public let usherDesk: UsherDesk?

    public init(store: RollCallStore, sessionID: Int64, broadcaster: EventBroadcaster, registry: PrometheusCollectorRegistry,
                gates: [GateService] = [], eventStreamLifetime: Duration = .seconds(300), heartbeatInterval: Duration = .seconds(15),
                presentation: Presentation = Presentation(), greetingSeconds: Double = 6, gateStaleSeconds: Double = 10,
                usherDesk: UsherDesk? = nil) {
        self.usherDesk = usherDesk
        self.eventStreamLifetime = eventStreamLifetime
        self.heartbeatInterval = heartbeatInterval
        self.store = store
        self.sessionID = sessionID
        self.broadcaster = broadcaster
        self.registry = registry
        self.gates = gates
        self.presentation = presentation
        self.greetingSeconds = greetingSeconds
        self.gateStaleSeconds = gateStaleSeconds
    }

    // MARK: - Response bodies

    struct SessionSummary: ResponseEncodable {
        var session_id: Int64
        var name: String
        var opened_at: String
        var closed_at: String?
        var present: Int
        var left: Int
        var excused: Int
        var absent: Int
        var arrived: Int
        var expected: Int
        var quorum_rule: String
        var quorum_required: Int
        var quorum_met: Bool
        var audit_intact: Bool
    }

    struct AttendanceRow: Codable {
        var delegate_id: String
        var name: String
        var unit: String?
        var seat: String?
        var status: String
        var first_seen: String?
        var left_at: String?
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
            var state: String
            var connected: Bool
            var frames: Int
            var dropped: Int
            var reconnects: Int
            var check_ins: Int
            var unknown_faces: Int
            var last_frame_at: String?
            var seconds_since_last_frame: Double?
        }
        var status: String
        var problems: [String]
        var session_id: Int64
        var gates: [Gate]
        var sse_clients: Int
    }

    // MARK: - Routes

    /// Adds every route, each group behind the role it needs (`AccessRole`): pages, documents and reads for viewers,
    /// changes for operators (`addOperatorRoutes`), token management and the privacy report for admins
    /// (`addAdminRoutes`). The caller must have put a `TokenAuthenticator` in front. A page opened with `?token=…`
    /// passes it on to its own links, its event stream and its refreshes (a browser's `EventSource` cannot set headers).
    public func addRoutes<Context: AuthRequestContext<APICaller>>(to router: Router<Context>) {
        let viewer = router.group().add(middleware: RequireRole<Context>(.viewer))
        viewer.get("/healthz") { _, _ in health() }
        viewer.get("/api/session") { _, _ in try sessionSummary() }
        viewer.get("/api/attendance") { _, _ in try attendance() }
        viewer.get("/api/events") { request, _ in events(gate: request.uri.queryParameters["gate"].map(String.init)) }
        viewer.get("/metrics") { _, _ in metrics() }
        viewer.get("/") { request, _ in try Page.html(dashboard(request, fragment: false)) }
        viewer.get("/dashboard/live") { request, _ in try Page.html(dashboard(request, fragment: true)) }
        viewer.get("/greeting") { request, _ in try Page.html(greeting(request)) }
        viewer.get("/report") { request, _ in try report(request) }
        addUsherRoutes(viewer: viewer, operators: router.group().add(middleware: RequireRole<Context>(.operator)))
        addOperatorRoutes(to: router.group().add(middleware: RequireRole<Context>(.operator)))
        addAdminRoutes(to: router.group().add(middleware: RequireRole<Context>(.admin)))
    }

    /// Health and the gates' states; `degraded` (HTTP 503) when any gate sees nothing, so a monitor's `curl -f` fails.
    func health() -> Response {
        let now = Date()
        let assessed = gateHealth(now: now)
        let problems = assessed.filter(\.isProblem).map { gate in
            "gate \(gate.name): \(gate.state.rawValue)" + (gate.secondsQuiet.map { String(format: ", no frame for %.0f s", $0) } ?? "")
        }
        let body = Health(status: problems.isEmpty ? "ok" : "degraded", problems: problems, session_id: sessionID, gates: assessed.map { g in
            let s = g.statistics
            return .init(name: g.name, state: g.state.rawValue, connected: s.connected, frames: s.framesProcessed, dropped: s.framesDropped,
                         reconnects: s.reconnects, check_ins: s.checkIns, unknown_faces: s.unknownFaces,
                         last_frame_at: s.lastFrameAt.map(presentation.time.iso8601),
                         seconds_since_last_frame: s.lastFrameAt.map { (now.timeIntervalSince($0) * 10).rounded() / 10 })
        }, sse_clients: broadcaster.subscriberCount)
        return Page.json(body, status: problems.isEmpty ? .ok : .serviceUnavailable)
    }

    func gateHealth(now: Date = Date()) -> [GateHealth] {
        gates.map { GateHealth.assess(name: $0.gate.name, statistics: $0.statistics, now: now, staleAfter: gateStaleSeconds) }
    }

    func sessionSummary() throws -> SessionSummary {
        let report = try store.report(sessionID: sessionID)
        let quorum = report.quorum, totals = report.totals, time = presentation.time
        return SessionSummary(
            session_id: report.session.id, name: report.session.name,
            opened_at: time.iso8601(report.session.openedAt), closed_at: report.session.closedAt.map(time.iso8601),
            present: totals.present, left: totals.left, excused: totals.excused, absent: totals.absent, arrived: totals.arrived,
            expected: totals.expected, quorum_rule: quorum.rule.description, quorum_required: quorum.required,
            quorum_met: quorum.isMet, audit_intact: report.audit.isIntact)
    }

    func attendance() throws -> AttendanceList {
        let report = try store.report(sessionID: sessionID)
        let time = presentation.time
        return AttendanceList(session_id: report.session.id, delegates: report.rows.map { row in
            AttendanceRow(delegate_id: row.delegateID, name: row.name, unit: row.unit, seat: row.seat, status: row.status.rawValue,
                          first_seen: row.firstSeen.map(time.iso8601), left_at: row.leftAt.map(time.iso8601), gate: row.gate,
                          method: row.method?.rawValue, distance: row.distance)
        })
    }

    /// Server-sent events: `checkin` for each new check-in, `seen` for a delegate already present confirmed again,
    /// `photo_check` for the final photo verdict on a check-in's track,
    /// both as they are committed (`gate` keeps one gate's), and a `: heartbeat` comment every `heartbeatInterval`.
    /// Ends on graceful shutdown, after `eventStreamLifetime` (the client reconnects), or when a write fails because
    /// the client left.
    func events(gate: String?) -> Response {
        let stream = broadcaster.subscribe()
        let deadline = ContinuousClock.now + eventStreamLifetime
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": connected\nretry: 2000\n\n"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for await message in stream.cancelOnGracefulShutdown() {
                switch message {
                case .checkIn(let event) where gate == nil || event.gate == gate:
                    let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "event: checkin\ndata: \(json)\n\n"))
                case .seen(let event) where gate == nil || event.gate == gate:
                    let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "event: seen\ndata: \(json)\n\n"))
                case .photoCheck(let event) where gate == nil || event.gate == gate:
                    let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "event: photo_check\ndata: \(json)\n\n"))
                case .usher:
                    try await writer.write(ByteBuffer(string: "event: usher\ndata: {}\n\n"))
                case .heartbeat:
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                default:
                    break
                }
                if ContinuousClock.now >= deadline { break }
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

    // MARK: - Pages

    /// The request's presentation: `?lang=vi|en` over the configured language.
    func presentation(for request: Request) throws -> Presentation {
        var presentation = self.presentation
        if let lang = request.uri.queryParameters["lang"] {
            do { presentation.language = try Language.parse(String(lang), origin: "lang") } catch {
                throw HTTPError(.badRequest, message: "\(error)")
            }
        }
        return presentation
    }

    func dashboard(_ request: Request, fragment: Bool) throws -> String {
        let query = Self.formValue("q", in: request.uri.query) ?? ""
        return Dashboard.render(report: try store.report(sessionID: sessionID), gates: gateHealth(), usher: usherDesk?.waiting ?? [],
                                suspectedPhotos: Set((usherDesk?.suspectedPhotos ?? [:]).keys),
                                presentation: try presentation(for: request), query: query,
                                token: request.uri.queryParameters["token"].map(String.init), fragment: fragment)
    }

    /// A value as an HTML form sends it (`+` for a space, then percent-escapes): the search box's `?q=`.
    static func formValue(_ name: String, in query: String?) -> String? {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    func greeting(_ request: Request) throws -> String {
        let names = gates.map(\.gate.name)
        let gate: String
        if let asked = request.uri.queryParameters["gate"].map(String.init) {
            guard names.isEmpty || names.contains(asked) else {
                throw HTTPError(.notFound, message: Texts.of(try presentation(for: request).language)
                    .format("error.server.unknown_gate", ["gate": asked, "gates": names.joined(separator: ", ")]))
            }
            gate = asked
        } else if names.count == 1 {
            gate = names[0]
        } else {
            throw HTTPError(.badRequest, message: "name the gate: /greeting?gate=NAME (gates: \(names.joined(separator: ", ")))")
        }
        let session = try store.session(id: sessionID)
        return Greeting.render(gate: gate, sessionName: session.name,
                               recent: broadcaster.recent(atGate: gate, within: .milliseconds(Int64(greetingSeconds * 1000))),
                               seconds: greetingSeconds, presentation: try presentation(for: request),
                               token: request.uri.queryParameters["token"].map(String.init))
    }

    /// `/report?format=html|xlsx|csv|json&document=record|sign-in|absentees&unit=…`: the documents, from the dashboard.
    func report(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let format = ReportFormat(rawValue: String(query["format"] ?? "html")) else {
            throw HTTPError(.badRequest, message: "format must be one of: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let document = ReportDocument(rawValue: String(query["document"] ?? "record")) else {
            throw HTTPError(.badRequest, message: "document must be one of: \(ReportDocument.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let unit: String?? = query["unit"].map { .some(String($0)) }
        let data = try format.render(try store.report(sessionID: sessionID), try presentation(for: request), document: document, unit: unit)
        return Page.download(data, format: format, name: "rollcall-session-\(sessionID)-\(document.rawValue)")
    }
}
