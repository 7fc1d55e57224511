import Crypto
import Foundation
import Logging
import RollCall
import RollCallPostgres
import RollCallStore
import Testing

/// The stores the behaviour suite runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { self == .sqlite ? "SQLite (in memory)" : "PostgreSQL" }

    /// SQLite always; PostgreSQL when a server is given (`ROLLCALL_TEST_POSTGRES`), or when `make test` requires one
    /// (then a missing server fails the PostgreSQL runs instead of skipping them).
    static var available: [StoreKind] {
        PostgresTestServer.url != nil || PostgresTestServer.isRequired ? [.sqlite, .postgres] : [.sqlite]
    }
}

/// The PostgreSQL server the tests use: `ROLLCALL_TEST_POSTGRES=postgres://USER:PASSWORD@HOST:PORT/DB`, which
/// `make test` sets after starting a throwaway server (`scripts/with-test-postgres.sh`).
enum PostgresTestServer {
    static var url: String? { ProcessInfo.processInfo.environment["ROLLCALL_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 } }
    /// Set by `make test`: PostgreSQL runs must not be skipped.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["ROLLCALL_REQUIRE_POSTGRES"] == "1" }

    static func requireURL() throws -> PostgresURL {
        guard let url else {
            throw FixtureError("ROLLCALL_TEST_POSTGRES is not set, but ROLLCALL_REQUIRE_POSTGRES=1 asks for the PostgreSQL runs: "
                + "run the tests through `make test` (or scripts/with-test-postgres.sh swift test)")
        }
        return try PostgresURL(url)
    }

    /// The server's URL with another database.
    static func url(database: String) throws -> PostgresURL {
        var url = try requireURL()
        url.database = database
        return url
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let quietLogger: Logger = {
    var logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// One key for every store a test opens, so two handles on one database agree.
let testKey = TemplateKeySource.key(SymmetricKey(size: .bits256))

/// An empty database of `kind`: SQLite in memory, or a new database on the test server (dropped by `close()`).
final class EmptyStore: @unchecked Sendable {
    let kind: StoreKind
    let store: any RollCallStorage
    let database: String?

    init(_ kind: StoreKind) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            store = try RollCallStore.inMemory(keySource: testKey, logger: quietLogger)
            database = nil
        case .postgres:
            let name = "rollcall_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            try PostgresDatabases.create(name, on: try PostgresTestServer.requireURL(), logger: quietLogger)
            database = name
            store = try PostgresRollCallStore(url: try PostgresTestServer.url(database: name), keySource: testKey, logger: quietLogger)
        }
    }

    /// Another handle on the same database (another process, another gate machine). SQLite in memory has one
    /// handle only, so it answers the same store.
    func secondHandle() throws -> any RollCallStorage {
        guard let database else { return store }
        return try PostgresRollCallStore(url: try PostgresTestServer.url(database: database), keySource: testKey, logger: quietLogger)
    }

    deinit {
        if let database, let url = try? PostgresTestServer.requireURL() {
            try? PostgresDatabases.drop(database, on: url, logger: quietLogger)
        }
    }
}

/// A roster of `count` delegates D-001….
func roster(_ count: Int) -> Roster {
    Roster(source: "test", entries: (1...count).map { i in
        Roster.Entry(delegate: Delegate(id: delegateID(i), name: "Đại biểu \(i)", unit: "Tổ \(i % 5)", rosterOrder: i), photos: [], line: i + 1)
    })
}

func delegateID(_ i: Int) -> String { "D-" + String(format: "%03d", i) }

/// Runs `body(i)` for `i` in `0..<count` on `count` threads at once, and rethrows the first error.
func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    let errors = ErrorBox()
    let group = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    for i in 0..<count {
        group.enter()
        Thread.detachNewThread {
            start.wait()
            do { try body(i) } catch { errors.record(error) }
            group.leave()
        }
    }
    for _ in 0..<count { start.signal() }
    group.wait()
    if let first = errors.first { throw first }
}

final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []
    func record(_ error: any Error) { lock.withLock { errors.append(error) } }
    var first: (any Error)? { lock.withLock { errors.first } }
}
