import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// Connections to one server, reused one caller at a time, with a transaction helper for the synchronous
/// `RollCallStorage` calls.
///
/// - Work runs on NIO's event loops and the caller waits for it, so a caller on any thread but an event loop's may
///   use it (the gates' threads, the CLI, route handlers).
/// - A connection the server dropped (restart, `pg_ctl stop`) is discarded, and the next caller connects anew.
final class PostgresConnections: @unchecked Sendable {
    let url: PostgresURL
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var nextID = 0

    init(url: PostgresURL, connectTimeout: TimeAmount, logger: Logger) {
        self.url = url
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable)
        configuration.options.connectTimeout = connectTimeout
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        for connection in idle { let _: EventLoopFuture<Void> = connection.close() }
    }

    /// Runs `body` in one transaction on a connection of its own; rolls back when `body` throws.
    func transaction<T>(_ body: (PostgresTransaction) throws -> T) throws -> T {
        try withConnection { connection in
            let transaction = PostgresTransaction(connection: connection, logger: logger, location: url.description)
            try transaction.execute("BEGIN")
            do {
                let value = try body(transaction)
                try transaction.execute("COMMIT")
                return value
            } catch {
                _ = try? transaction.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` on a connection no other caller uses meanwhile.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try take()
        defer { give(connection) }
        return try body(connection)
    }

    /// Closes every idle connection.
    func close() {
        let connections = lock.withLock { () -> [PostgresConnection] in
            defer { idle.removeAll() }
            return idle
        }
        for connection in connections {
            let closed: EventLoopFuture<Void> = connection.close()
            try? closed.wait()
        }
    }

    private func take() throws -> PostgresConnection {
        while let connection = lock.withLock({ idle.popLast() }) {
            if !connection.isClosed { return connection }
        }
        let id = lock.withLock { () -> Int in
            nextID += 1
            return nextID
        }
        do {
            return try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger
            ).wait()
        } catch {
            throw PostgresErrors.connecting(error, url: url)
        }
    }

    private func give(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        lock.withLock { idle.append(connection) }
    }
}

/// One transaction's statements.
struct PostgresTransaction {
    let connection: PostgresConnection
    let logger: Logger
    let location: String

    /// Rows of a query.
    func rows(_ query: PostgresQuery) throws -> [PostgresRandomAccessRow] {
        do {
            return try connection.query(query, logger: logger).wait().rows.map { $0.makeRandomAccess() }
        } catch {
            throw PostgresErrors.querying(error, location: location)
        }
    }

    /// The first row of a query, if any.
    func row(_ query: PostgresQuery) throws -> PostgresRandomAccessRow? { try rows(query).first }

    /// Runs a statement; returns how many rows it changed (INSERT, UPDATE, DELETE).
    @discardableResult
    func execute(_ query: PostgresQuery) throws -> Int {
        do {
            return try connection.query(query, logger: logger).wait().metadata.rows ?? 0
        } catch {
            throw PostgresErrors.querying(error, location: location)
        }
    }
}

/// PostgreSQL's and NIO's errors made into ones that name the server and the reason, never the password.
enum PostgresErrors {
    /// SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func connecting(_ error: any Error, url: PostgresURL) -> any Error {
        guard let psql = error as? PSQLError else { return PostgresStoreError.unreachable(url, reason: "\(error)") }
        if let info = psql.serverInfo {
            let state = info[.sqlState] ?? "?"
            let message = info[.message] ?? "server error"
            switch state {
            case "28P01", "28000": return PostgresStoreError.authentication(url, reason: message)
            case "3D000": return PostgresStoreError.noDatabase(url)
            default: return PostgresStoreError.server(url.description, state: state, message: message)
            }
        }
        switch psql.code {
        case .authMechanismRequiresPassword:
            return PostgresStoreError.authentication(url, reason: "the server asks for a password: put it in the URL or in PGPASSWORD")
        case .unsupportedAuthMechanism, .saslError:
            return PostgresStoreError.authentication(url, reason: "authentication failed (\(psql.code))")
        default:
            let reason = psql.underlying.map { "\($0)" } ?? "\(psql.code)"
            return PostgresStoreError.unreachable(url, reason: reason)
        }
    }

    static func querying(_ error: any Error, location: String) -> any Error {
        guard let psql = error as? PSQLError else { return error }
        if let info = psql.serverInfo {
            return PostgresStoreError.server(location, state: info[.sqlState] ?? "?", message: info[.message] ?? "server error")
        }
        let reason = psql.underlying.map { "\($0)" } ?? "\(psql.code)"
        return PostgresStoreError.server(location, state: "connection", message: "the connection failed: \(reason)")
    }
}
