import Foundation
import Hummingbird
import HummingbirdAuth
import RollCall
import RollCallStore
import Texts

/// The routes that change state, and the admin's. Each change and its audit record (the caller's token name in the
/// chain: `manual_event.operator` for check-ins and check-outs, an `audit_event` otherwise) commit in one transaction,
/// so a request that fails leaves neither.
extension RollCallAPI {
    // MARK: - Request and response bodies

    struct ManualEventRequest: Decodable {
        var delegate_id: String
        var reason: String
    }

    struct ManualEventResponse: ResponseEncodable {
        var session_id: Int64
        var event_id: Int64
        var newly_present: Bool
        var recorded_by: String
    }

    struct SessionOpenRequest: Decodable {
        var name: String
        /// The rule as the CLI's `--quorum` reads it (`"2/3"`, `">1/2"`, `"50%"`), or a number in 0...1 (at least
        /// that fraction, as before rules were exact); default: at least half.
        var quorum: QuorumRule

        enum CodingKeys: String, CodingKey { case name, quorum }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            if try !c.contains(.quorum) || c.decodeNil(forKey: .quorum) {
                quorum = .atLeast(1, 2)
            } else if let number = try? c.decode(Double.self, forKey: .quorum) {
                guard (0...1).contains(number) else { throw HTTPError(.badRequest, message: "quorum must lie in 0...1, got \(number)") }
                quorum = .legacy(number)
            } else {
                let text = try c.decode(String.self, forKey: .quorum)
                do { quorum = try QuorumRule.parse(text) } catch let error as QuorumRuleError {
                    throw HTTPError(.badRequest, message: error.description)
                }
            }
        }
    }

    struct SessionResponse: ResponseEncodable {
        var session_id: Int64
        var name: String
        /// The session's quorum rule, `2/3` or `>1/2`.
        var quorum_rule: String
        var recorded_by: String
        /// Set when this server's gates do not record into the session now open (they keep the one they started with).
        var gates_note: String?
    }

    struct TokenItem: ResponseEncodable, Codable {
        var id: Int64
        var name: String
        var role: String
        var created_at: String
        var expires_at: String?
        var revoked_at: String?

        init(_ token: APITokenInfo, time: SiteTime) {
            id = token.id; name = token.name; role = token.role.rawValue
            created_at = time.iso8601(token.createdAt)
            expires_at = token.expiresAt.map(time.iso8601)
            revoked_at = token.revokedAt.map(time.iso8601)
        }
    }

    struct TokenList: ResponseEncodable {
        var tokens: [TokenItem]
    }

    struct PrivacyResponse: ResponseEncodable {
        struct Holder: Codable {
            var delegate_id: String
            var templates: Int
            var since: String
        }
        var templates: Int
        var delegates_with_templates: Int
        var sightings: Int
        var holders: [Holder]
    }

    // MARK: - Operator

    /// Manual check-in and check-out, session open and close.
    func addOperatorRoutes<Context: AuthRequestContext<APICaller>>(to group: RouterGroup<Context>) {
        group.post("/api/checkin") { request, context in
            try await manualEvent(.checkin, request: request, context: context)
        }
        group.post("/api/checkout") { request, context in
            try await manualEvent(.checkout, request: request, context: context)
        }
        group.post("/api/session/open") { request, context -> SessionResponse in
            let caller = try context.requireIdentity()
            let body = try await request.decode(as: SessionOpenRequest.self, context: context)
            let session = try store.openSession(name: body.name, quorum: body.quorum, actor: caller.name)
            return SessionResponse(session_id: session.id, name: session.name, quorum_rule: session.quorumRule.description,
                                   recorded_by: caller.name, gates_note: gatesNote)
        }
        group.post("/api/session/close") { _, context -> SessionResponse in
            let caller = try context.requireIdentity()
            let session = try store.closeSession(actor: caller.name)
            return SessionResponse(session_id: session.id, name: session.name, quorum_rule: session.quorumRule.description,
                                   recorded_by: caller.name, gates_note: gatesNote)
        }
    }

    /// The daemon's gates record into the session they started with (`sessionID`); say so once it is no longer the
    /// open one, rather than let an operator believe the cameras follow.
    private var gatesNote: String? {
        guard !gates.isEmpty, (try? store.currentSession()?.id) != sessionID else { return nil }
        return "this server's gates record into session \(sessionID) until it is restarted"
    }

    private func manualEvent<Context: AuthRequestContext<APICaller>>(
        _ kind: ManualEventKind, request: Request, context: Context
    ) async throws -> ManualEventResponse {
        let caller = try context.requireIdentity()
        let body = try await request.decode(as: ManualEventRequest.self, context: context)
        let result = kind == .checkin
            ? try store.checkin(delegateID: body.delegate_id, reason: body.reason, operator: caller.name)
            : try store.checkout(delegateID: body.delegate_id, reason: body.reason, operator: caller.name)
        return ManualEventResponse(session_id: result.sessionID, event_id: result.eventID, newly_present: result.newlyPresent,
                                   recorded_by: caller.name)
    }

    // MARK: - Admin

    /// Token list and revocation, and the privacy report (counts and ids, no names).
    func addAdminRoutes<Context: AuthRequestContext<APICaller>>(to group: RouterGroup<Context>) {
        // Times as every machine output writes them: ISO 8601 with the site's offset.
        let time = presentation.time
        group.get("/api/tokens") { _, _ -> TokenList in
            TokenList(tokens: try store.tokens().map { TokenItem($0, time: time) })
        }
        group.post("/api/tokens/:name/revoke") { _, context -> TokenItem in
            let caller = try context.requireIdentity()
            let raw = try context.parameters.require("name")
            return TokenItem(try store.revokeToken(name: raw.removingPercentEncoding ?? raw, actor: caller.name), time: time)
        }
        group.get("/api/privacy") { _, _ -> PrivacyResponse in
            let report = try store.privacyReport()
            return PrivacyResponse(
                templates: report.templates, delegates_with_templates: report.holders.count, sightings: report.sightings,
                holders: report.holders.map { .init(delegate_id: $0.delegateID, templates: $0.templates,
                                                    since: time.iso8601($0.since)) })
        }
    }
}

/// A store error answers with the status it means, and its one-line description (which names ids, never a secret).
extension StoreError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch code {
        case .unknownDelegate, .unknownSession: .notFound
        case .noOpenSession, .sessionAlreadyOpen, .sessionClosed: .conflict
        case .badArgument: .badRequest
        case .busy: .serviceUnavailable
        default: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try HTTPError(status, message: status == .internalServerError ? "internal error (see the server's log)" : description)
            .response(from: request, context: context)
    }
}
