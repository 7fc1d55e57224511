/// What a person holding an API token may do. Each role includes the ones below it.
///
/// - `viewer`: the dashboard and every read-only route (session, attendance, live events, health, metrics).
/// - `operator`: also manual and assisted check-in, check-out, opening and closing sessions.
/// - `admin`: also token management and the privacy report over the API.
public enum AccessRole: String, Sendable, Codable, CaseIterable, Comparable {
    case viewer, `operator`, admin

    /// Whether this role may do what `needed` may.
    public func includes(_ needed: AccessRole) -> Bool { needed <= self }

    public static func < (a: AccessRole, b: AccessRole) -> Bool { a.rank < b.rank }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }
}
