import RollCall

/// Who made an HTTP request, as the token they presented says: what a route handler reads from its request context
/// (`context.identity`, or `try context.requireIdentity()`) to check a role or to record who did something.
///
/// ```swift
/// let caller = try context.requireIdentity()
/// try api.store.checkin(delegateID: id, reason: reason, operator: caller.name)   // the token's name goes in the chain
/// ```
public struct APICaller: Sendable, Equatable {
    /// The token holder's name (`rollcall tokens add NAME`), or `local` for an anonymous viewer on loopback.
    public var name: String
    public var role: AccessRole
    /// The token's id in the database; `nil` for the anonymous local viewer.
    public var tokenID: Int64?

    public init(name: String, role: AccessRole, tokenID: Int64?) {
        self.name = name
        self.role = role
        self.tokenID = tokenID
    }

    /// A server bound to loopback with no live token in the database serves read-only routes to local clients, as
    /// before tokens existed; anything that changes state still needs a token.
    public static let localViewer = APICaller(name: "local", role: .viewer, tokenID: nil)
}
