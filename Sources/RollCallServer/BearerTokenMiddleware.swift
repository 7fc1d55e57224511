import Hummingbird

/// Refuses every request that does not carry the configured bearer token: 401 and no data.
///
/// The token is accepted in `Authorization: Bearer …`, or as `?token=…`, because a browser's `EventSource` cannot
/// set headers (the dashboard passes it on from its own address).
public struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    private let token: [UInt8]

    public init(token: String) {
        precondition(!token.isEmpty, "token must not be empty")
        self.token = Array(token.utf8)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var offered: Substring?
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            offered = header.dropFirst(7)
        } else if let query = request.uri.queryParameters["token"] {
            offered = query
        }
        guard let offered, Self.constantTimeEquals(Array(offered.utf8), token) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer realm=\"rollcall\""
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "401 unauthorized: bearer token required\n")))
        }
        return try await next(request, context)
    }

    /// Compares without returning early, so response time does not reveal how much of a guess was right.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
