import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import RollCall
import RollCallServer
import RollCallStore
import Testing

/// Per-person tokens and roles over the real router: 401 without a (live) token, 403 with too low a role, no data in
/// either, and every change recorded in the audit chain with the token's name.
struct AccessControlTests {
    @Test func everyRoute_withoutToken_gets401AndNoData() async throws {
        let fixture = try Fixture()
        _ = try fixture.store.addToken(name: "Chị Lan", role: .admin, actor: "test")
        try await fixture.app(host: "0.0.0.0").test(.router) { client in
            for (method, path) in Fixture.routes {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == .unauthorized, "\(method) \(path)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"rollcall\"", "\(path)")
                    let body = String(buffer: response.body)
                    #expect(!body.contains("Nguyễn") && !body.contains("D-1") && !body.contains("present"), "\(path): \(body)")
                }
            }
            try await client.execute(uri: "/api/session", method: .get, headers: [.authorization: "Bearer rct_not-a-token"]) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test func viewer_readsButCannotChangeAnything_403AndNoData() async throws {
        let fixture = try Fixture()
        let viewer = try fixture.store.addToken(name: "Màn hình sảnh", role: .viewer, actor: "test").secret
        try await fixture.app().test(.router) { client in
            for path in ["/api/session", "/api/attendance", "/healthz", "/metrics", "/", "/dashboard/live", "/greeting?gate=north",
                         "/report?document=sign-in", "/report?format=xlsx"] {
                try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(viewer)"]) {
                    #expect($0.status == .ok, "\(path)")
                }
            }
            try await client.execute(uri: "/api/session?token=\(viewer)", method: .get) { #expect($0.status == .ok) }
            for (method, path) in Fixture.routes where method == .post || path.hasPrefix("/api/tokens") || path == "/api/privacy" {
                try await client.execute(uri: path, method: method, headers: Fixture.json(viewer), body: Fixture.checkinBody) { response in
                    #expect(response.status == .forbidden, "\(method) \(path)")
                    let body = String(buffer: response.body)
                    #expect(body.contains("needs the") && !body.contains("Nguyễn") && !body.contains("rct_"), "\(path): \(body)")
                }
            }
        }
        // Nothing changed: no check-in, no session closed.
        #expect(try fixture.store.report().count(.present) == 0)
        #expect(try fixture.store.currentSession() != nil)
    }

    @Test func operator_checkIn_recordsTheTokensNameInTheAuditChain() async throws {
        let fixture = try Fixture()
        let secret = try fixture.store.addToken(name: "Nguyễn Thị Lan", role: .operator, actor: "test").secret
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/checkin", method: .post, headers: Fixture.json(secret), body: Fixture.checkinBody) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect(body["newly_present"] as? Bool == true && body["recorded_by"] as? String == "Nguyễn Thị Lan")
            }
            try await client.execute(uri: "/api/checkout", method: .post, headers: Fixture.json(secret),
                                     body: ByteBuffer(string: #"{"delegate_id":"D-2","reason":"ốm"}"#)) { #expect($0.status == .ok) }
            // Bad input: a clear error, nothing recorded.
            try await client.execute(uri: "/api/checkin", method: .post, headers: Fixture.json(secret),
                                     body: ByteBuffer(string: #"{"delegate_id":"D-9","reason":"x"}"#)) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("D-9"))
            }
            try await client.execute(uri: "/api/session/close", method: .post, headers: Fixture.json(secret)) { #expect($0.status == .ok) }
            // The quorum as a rule, as `--quorum` reads it; one that is not a rule is refused and opens nothing.
            try await client.execute(uri: "/api/session/open", method: .post, headers: Fixture.json(secret),
                                     body: ByteBuffer(string: #"{"name":"Phiên 2","quorum":"hai phần ba"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("hai phần ba"), "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/api/session/open", method: .post, headers: Fixture.json(secret),
                                     body: ByteBuffer(string: #"{"name":"Phiên 2","quorum":">1/2"}"#)) { response in
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["quorum_rule"] as? String == ">1/2", "\(String(buffer: response.body))")
            }
        }
        #expect(try fixture.store.currentSession()?.quorumRule == .moreThan(1, 2))
        let events = try fixture.store.manualEvents()
        #expect(events.map(\.operatorName) == ["Nguyễn Thị Lan", "Nguyễn Thị Lan"])
        let audit = try fixture.store.auditEvents().filter { $0.action.hasPrefix("session.") }
        #expect(audit.map(\.action) == ["session.close", "session.open"])
        #expect(audit.allSatisfy { $0.actor == "Nguyễn Thị Lan" })
        #expect(try fixture.store.verifyAudit().isIntact)
    }

    @Test func expiredAndRevokedTokens_get401_addedTokensWorkWithoutRestart() async throws {
        let fixture = try Fixture()
        let clock = TestTime()
        let admin = try fixture.store.addToken(name: "admin", role: .admin, actor: "test").secret
        let expiring = try fixture.store.addToken(name: "short", role: .operator, expiresAt: clock.now.addingTimeInterval(3600), actor: "test").secret
        try await fixture.app(now: { clock.now }).test(.router) { client in
            try await client.execute(uri: "/api/session", method: .get, headers: [.authorization: "Bearer \(expiring)"]) {
                #expect($0.status == .ok)
            }
            // Made while the server runs: accepted at the next request.
            let late = try fixture.store.addToken(name: "late", role: .operator, actor: "test").secret
            try await client.execute(uri: "/api/checkin", method: .post, headers: Fixture.json(late), body: Fixture.checkinBody) {
                #expect($0.status == .ok)
            }
            // Revoked over the API by the admin (an operator may not): refused at once.
            try await client.execute(uri: "/api/tokens/late/revoke", method: .post, headers: Fixture.json(late)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/tokens/late/revoke", method: .post, headers: Fixture.json(admin)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/session", method: .get, headers: [.authorization: "Bearer \(late)"]) {
                #expect($0.status == .unauthorized)
                #expect(!String(buffer: $0.body).contains("session_id"))
            }
            clock.now = clock.now.addingTimeInterval(3601)
            try await client.execute(uri: "/api/session", method: .get, headers: [.authorization: "Bearer \(expiring)"]) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/api/tokens", method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(body.contains("\"late\"") && !body.contains("rct_"), "the list never holds a secret: \(body)")
            }
        }
        #expect(try fixture.store.auditEvents().contains { $0.action == "token.revoke" && $0.actor == "admin" })
        // A Vietnamese name in the path, percent-encoded as clients send it.
        _ = try fixture.store.addToken(name: "Nguyễn Thị Lan", role: .viewer, actor: "test")
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/tokens/Nguy%E1%BB%85n%20Th%E1%BB%8B%20Lan/revoke", method: .post,
                                     headers: Fixture.json(admin)) { #expect($0.status == .ok, "\(String(buffer: $0.body))") }
        }
        #expect(try fixture.store.tokens().first { $0.name == "Nguyễn Thị Lan" }?.revokedAt != nil)
    }

    @Test func loopbackWithoutAnyToken_readsStayLocal_changesNeedAToken() async throws {
        let fixture = try Fixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/session", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/checkin", method: .post, headers: [.contentType: "application/json"], body: Fixture.checkinBody) {
                #expect($0.status == .unauthorized)
            }
        }
        // Once a token exists, the anonymous local reader is gone too.
        _ = try fixture.store.addToken(name: "admin", role: .admin, actor: "test")
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/session", method: .get) { #expect($0.status == .unauthorized) }
        }
        // And beyond loopback there is never an anonymous reader.
        let other = try Fixture()
        try await other.app(host: "0.0.0.0").test(.router) { client in
            try await client.execute(uri: "/api/session", method: .get) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func serveBeyondLoopback_withoutAnyToken_isRefused() throws {
        let fixture = try Fixture()
        let http = ServerConfiguration.HTTP(host: "0.0.0.0", port: 0, insecureHTTP: true)
        let error = #expect(throws: ServerError.self) { try Daemon.checkAccess(http: http, store: fixture.store) }
        #expect(error?.description.contains("rollcall tokens add") == true)
        try Daemon.checkAccess(http: .init(), store: fixture.store)
        _ = try fixture.store.addToken(name: "admin", role: .admin, actor: "test")
        try Daemon.checkAccess(http: http, store: fixture.store)
    }

    // MARK: - Helpers

    /// A store with two delegates on the roster (no templates) and a session open.
    struct Fixture {
        let directory: URL
        let store: RollCallStore
        let api: RollCallAPI

        static let routes: [(HTTPRequest.Method, String)] = [
            (.get, "/"), (.get, "/api/session"), (.get, "/api/attendance"), (.get, "/api/events"), (.get, "/metrics"),
            (.get, "/healthz"), (.get, "/dashboard/live"), (.get, "/greeting?gate=north"), (.get, "/report?document=sign-in"),
            (.get, "/report?format=xlsx"), (.post, "/api/checkin"), (.post, "/api/checkout"), (.post, "/api/session/open"),
            (.post, "/api/session/close"), (.get, "/api/tokens"), (.post, "/api/tokens/admin/revoke"), (.get, "/api/privacy"),
        ]
        static let checkinBody = ByteBuffer(string: #"{"delegate_id":"D-1","reason":"đầu đọc thẻ hỏng"}"#)

        static func json(_ secret: String) -> HTTPFields {
            [.authorization: "Bearer \(secret)", .contentType: "application/json"]
        }

        init() throws {
            directory = try ServerFixtures.temporaryDirectory()
            let people = [ServerFixtures.Person(id: "D-1", name: "Nguyễn Văn An", unit: "Hà Nội", photos: []),
                          ServerFixtures.Person(id: "D-2", name: "Trần Thị Bình", unit: "Huế", photos: [])]
            let (store, session) = try ServerFixtures.makeStore(in: directory, people: people)
            self.store = store
            api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry(),
                              eventStreamLifetime: .milliseconds(200))
        }

        func app(host: String = "127.0.0.1", now: @escaping @Sendable () -> Date = { Date() }) throws -> some ApplicationProtocol {
            try Daemon.buildApplication(http: .init(host: host, port: 0, insecureHTTP: true), api: api, logger: ServerFixtures.quietLogger,
                                        now: now)
        }
    }

    /// A settable "now" for token expiry.
    final class TestTime: @unchecked Sendable {
        private let lock = NSLock()
        private var date = Date()
        var now: Date {
            get { lock.withLock { date } }
            set { lock.withLock { date = newValue } }
        }
    }
}
