import Foundation
import Logging
import PostgresNIO

/// Where a PostgreSQL database is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (or `postgresql://`).
///
/// - The password may also come from `PGPASSWORD`, so it need not appear on a command line.
/// - `description` never contains the password: it is what logs and errors show.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// Parses `text`; the error names what is wrong, with the password masked.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgres(text) else { throw PostgresStoreError.badURL(Self.mask(text), reason: "it must start with postgres:// or postgresql://") }
        guard let components = URLComponents(string: text) else {
            throw PostgresStoreError.badURL(Self.mask(text), reason: "it is not a valid URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStoreError.badURL(Self.mask(text), reason: "it names no host (postgres://USER@HOST:PORT/DATABASE)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresStoreError.badURL(Self.mask(text), reason: "it names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStoreError.badURL(Self.mask(text), reason: "it names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw PostgresStoreError.badURL(Self.mask(text), reason: "port \(port) is out of range")
        }
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 } ?? environment["PGPASSWORD"]
        self.host = host
        self.port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
    }

    /// `postgres://USER@HOST:PORT/DATABASE`, without the password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// `text` with anything between `://USER:` and `@` replaced, for messages about a URL that did not parse.
    static func mask(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<rest.index(after: colon)]) + "***" + String(rest[at...])
    }
}

/// Databases on a server, made and dropped by name (tests give each case an empty database; operators may use it
/// to prepare one).
public enum PostgresDatabases {
    /// Creates database `name` on the server `url` points at (connecting to `url`'s own database to do it).
    public static func create(_ name: String, on url: PostgresURL, logger: Logger) throws {
        try run("CREATE DATABASE \(quoted(name))", on: url, logger: logger)
    }

    /// Drops database `name` if it exists, closing other sessions on it first.
    public static func drop(_ name: String, on url: PostgresURL, logger: Logger) throws {
        try run("DROP DATABASE IF EXISTS \(quoted(name)) WITH (FORCE)", on: url, logger: logger)
    }

    private static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    private static func run(_ sql: String, on url: PostgresURL, logger: Logger) throws {
        let connections = PostgresConnections(url: url, connectTimeout: .seconds(5), logger: logger)
        defer { connections.close() }
        _ = try connections.withConnection { connection in
            // Outside a transaction: CREATE and DROP DATABASE refuse to run inside one.
            try PostgresTransaction(connection: connection, logger: logger, location: url.description).execute(PostgresQuery(unsafeSQL: sql))
        }
    }
}
