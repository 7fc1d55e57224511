import Foundation

/// Why a PostgreSQL store cannot be used: one line naming the server (never the password) and the reason.
public struct PostgresStoreError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    private enum Code: Sendable, Equatable { case badURL, unreachable, authentication, noDatabase, server, unsupported }
    private let code: Code
    public let description: String
    public var errorDescription: String? { description }

    public static func badURL(_ masked: String, reason: String) -> Self {
        Self(code: .badURL, description: "database URL \(masked): \(reason)")
    }
    public static func unreachable(_ url: PostgresURL, reason: String) -> Self {
        Self(code: .unreachable, description: "cannot reach PostgreSQL at \(url.host):\(url.port) (\(url)): \(reason)")
    }
    public static func authentication(_ url: PostgresURL, reason: String) -> Self {
        Self(code: .authentication, description: "PostgreSQL at \(url.host):\(url.port) refused user \(url.user): \(reason)")
    }
    public static func noDatabase(_ url: PostgresURL) -> Self {
        Self(code: .noDatabase, description: "PostgreSQL at \(url.host):\(url.port) has no database \(url.database): create it first (createdb \(url.database))")
    }
    public static func server(_ location: String, state: String, message: String) -> Self {
        Self(code: .server, description: "\(location): PostgreSQL error \(state): \(message)")
    }
    public static func unsupported(_ what: String, location: String) -> Self {
        Self(code: .unsupported, description: "\(what) is not available on PostgreSQL yet (\(location)); use a SQLite file for it")
    }
}
