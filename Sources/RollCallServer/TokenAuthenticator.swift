import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import RollCall
import RollCallStore

/// The request context of every RollCall route: Hummingbird's, plus the authenticated caller.
public typealias APIRequestContext = BasicAuthRequestContext<APICaller>

/// Finds who is calling from the bearer token and puts them in `context.identity`; `RequireRole` then lets them in
/// or not. Tokens are looked up in the store at every request, so one added or revoked takes effect at the next
/// request, without a restart.
///
/// The token is accepted in `Authorization: Bearer …`, or as `?token=…`, because a browser's `EventSource` cannot
/// set headers (the dashboard passes it on from its own address).
public struct TokenAuthenticator<Context: AuthRequestContext<APICaller>>: AuthenticatorMiddleware {
    public typealias Identity = APICaller
    let store: RollCallStore
    /// Whether the server only listens on loopback (where, without any live token, reads stay open: `localViewer`).
    let loopbackOnly: Bool
    /// The time tokens' expiry is checked against (injected by tests).
    let now: @Sendable () -> Date

    public init(store: RollCallStore, loopbackOnly: Bool, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.loopbackOnly = loopbackOnly
        self.now = now
    }

    public func authenticate(request: Request, context: Context) async throws -> APICaller? {
        let presented = request.headers.bearer?.token ?? request.uri.queryParameters["token"].map(String.init)
        guard let presented else {
            guard loopbackOnly else { return nil }
            return try store.hasLiveTokens(at: now()) ? nil : .localViewer
        }
        switch try store.checkToken(presented, at: now()) {
        case .accepted(let token):
            return APICaller(name: token.name, role: token.role, tokenID: token.id)
        case .expired(let token), .revoked(let token):
            context.logger.warning("refused a token that is no longer live", metadata: [
                "token.id": "\(token.id)", "token.expired": "\(token.revokedAt == nil)", "http.path": "\(request.uri.path)",
            ])
            return nil
        case .unknown:
            context.logger.warning("refused an unknown token", metadata: ["http.path": "\(request.uri.path)"])
            return nil
        }
    }
}

/// Lets a request through when its caller holds `role` or a higher one: 401 when nobody is authenticated, 403 when
/// the role is too low, and no data in either.
///
/// Hummingbird-auth's `AuthorizationPolicyMiddleware` answers 401 without the `WWW-Authenticate` header a client
/// needs and with no word on the role wanted, hence this one.
public struct RequireRole<Context: AuthRequestContext<APICaller>>: RouterMiddleware {
    let role: AccessRole

    public init(_ role: AccessRole) { self.role = role }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The anonymous local reader (no token at all) is asked for a token rather than told its role is too low.
        guard let caller = context.identity, caller.tokenID != nil || caller.role.includes(role) else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"rollcall\""],
                            message: "a valid API token is required (Authorization: Bearer …)")
        }
        guard caller.role.includes(role) else {
            context.logger.warning("refused: role too low", metadata: [
                "token.id": "\(caller.tokenID.map(String.init) ?? "-")", "caller.role": "\(caller.role.rawValue)",
                "needed.role": "\(role.rawValue)", "http.path": "\(request.uri.path)",
            ])
            throw HTTPError(.forbidden, message: "this needs the \(role.rawValue) role; the token has \(caller.role.rawValue)")
        }
        return try await next(request, context)
    }
}
