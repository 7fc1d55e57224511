/// Errors the daemon reports to an operator: one line naming the thing and the reason.
public struct ServerError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable { case badConfiguration, noOpenSession, sessionClosed, source }
    private let code: Code
    public let description: String

    public static func badConfiguration(_ text: String) -> Self { Self(code: .badConfiguration, description: text) }
    public static let noOpenSession = Self(
        code: .noOpenSession,
        description: "no session is open: open one with `rollcall session open NAME`, or pass --session ID")
    public static func sessionClosed(_ id: Int64) -> Self {
        Self(code: .sessionClosed, description: "session \(id) is closed; attendance can no longer be recorded into it")
    }
    public static func source(_ gate: String, _ reason: String) -> Self {
        Self(code: .source, description: "gate \(gate): \(reason)")
    }
}
