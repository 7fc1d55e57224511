import Foundation
import Texts

/// Errors the daemon reports to an operator: one line naming the thing and the reason.
///
/// `description` is English (logs, tests); errors with a catalogue text render `errorDescription` (what the CLI
/// prints) in the interface language.
public struct ServerError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    private enum Code: Sendable, Equatable { case badConfiguration, noOpenSession, sessionClosed, source, listen }
    private let code: Code
    public let description: String
    private var textKey: String?
    private var arguments: [String: String] = [:]

    private init(code: Code, description: String, textKey: String? = nil, arguments: [String: String] = [:]) {
        self.code = code; self.description = description; self.textKey = textKey; self.arguments = arguments
    }

    /// The message in `texts`' language (English `description` when the error has no catalogue text).
    public func localized(_ texts: Texts) -> String { textKey.map { texts.format($0, arguments) } ?? description }
    public var errorDescription: String? { localized(.interface) }

    public static func badConfiguration(_ text: String) -> Self { Self(code: .badConfiguration, description: text) }
    public static let noOpenSession = Self(
        code: .noOpenSession,
        description: "no session is open: open one with `rollcall session open NAME`, or pass --session ID",
        textKey: "error.server.no_open_session")
    public static func sessionClosed(_ id: Int64) -> Self {
        Self(code: .sessionClosed, description: "session \(id) is closed; attendance can no longer be recorded into it",
             textKey: "error.server.session_closed", arguments: ["id": "\(id)"])
    }
    public static func source(_ gate: String, _ reason: String) -> Self {
        Self(code: .source, description: "gate \(gate): \(reason)")
    }

    /// A configuration key nobody reads, with the known key it most resembles.
    public static func unknownKey(file: String, key: String, path: String, near: String?, known: [String]) -> Self {
        func text(_ texts: Texts) -> [String: String] {
            ["file": file, "key": key,
             "where": path.isEmpty ? texts["error.server.where_top"] : texts.format("error.server.where_in", ["path": path]),
             "suggestion": near.map { texts.format("error.server.unknown_key_suggestion", ["near": $0]) } ?? "",
             "known": known.joined(separator: ", ")]
        }
        return Self(code: .badConfiguration, description: Texts.of(.en).format("error.server.unknown_key", text(.of(.en))),
                    textKey: "error.server.unknown_key", arguments: text(.interface))
    }

    /// The HTTP listener could not bind `host:port`; `errno` says why (in use, no permission, no such address).
    public static func listen(host: String, port: Int, errno code: Int32?, reason: String) -> Self {
        let key: String
        switch code {
        case EADDRINUSE: key = "error.server.port_in_use"
        case EACCES: key = "error.server.port_denied"
        case EADDRNOTAVAIL: key = "error.server.address_unavailable"
        default: key = "error.server.listen_failed"
        }
        let arguments = ["address": "\(host):\(port)", "port": "\(port)", "host": host, "reason": reason]
        return Self(code: .listen, description: Texts.of(.en).format(key, arguments), textKey: key, arguments: arguments)
    }
}
