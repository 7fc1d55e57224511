import Crypto
import Foundation
import RollCall
import RollCallPostgres
import RollCallStore
import Testing

/// Bad URLs and bad servers give one line naming the problem, never the password.
struct PostgresConnectionTests {
    @Test func malformedURLsAreNamed() throws {
        for (text, reason) in [
            ("postgres://user:secretpw@/db", "names no host"),
            ("postgres://host:5432/db", "names no user"),
            ("postgres://user:secretpw@host:5432/", "names no database"),
            ("postgres://user:secretpw@host:99999/db", "database URL postgres://user:***@host:99999/db"),
        ] {
            let error = #expect(throws: PostgresStoreError.self) { try PostgresURL(text, environment: [:]) }
            let message = "\(error.map { "\($0)" } ?? "")"
            #expect(message.contains(reason), "\(text): \(message)")
            #expect(!message.contains("secretpw"), "\(text): \(message)")
        }
    }

    @Test func urlDescriptionHidesThePassword() throws {
        let url = try PostgresURL("postgresql://gate:s3cr%40t@db.example:6543/congress", environment: [:])
        #expect(url.password == "s3cr@t" && url.port == 6543 && url.database == "congress" && url.user == "gate")
        #expect(url.description == "postgres://gate@db.example:6543/congress")
        #expect(try PostgresURL("postgres://gate@db/congress", environment: ["PGPASSWORD": "fromenv"]).password == "fromenv")
    }

    @Test func unreachableServerIsNamed() throws {
        // Port 1 on loopback: nothing listens there.
        let url = try PostgresURL("postgres://gate:secretpw@127.0.0.1:1/congress", environment: [:])
        let error = #expect(throws: PostgresStoreError.self) {
            try PostgresRollCallStore(url: url, keySource: testKey, connectTimeout: .seconds(2), logger: quietLogger)
        }
        let message = "\(error.map { "\($0)" } ?? "")"
        #expect(message.hasPrefix("cannot reach PostgreSQL at 127.0.0.1:1"), "\(message)")
        #expect(!message.contains("secretpw"))
    }

    @Test(.enabled(if: PostgresTestServer.url != nil || PostgresTestServer.isRequired,
                   "ROLLCALL_TEST_POSTGRES is not set: PostgreSQL tests skipped (make test starts a server)"))
    func wrongPasswordIsNamedWithoutIt() throws {
        var url = try PostgresTestServer.requireURL()
        url.password = "definitely-wrong-pw"
        let error = #expect(throws: PostgresStoreError.self) { try PostgresRollCallStore(url: url, keySource: testKey, logger: quietLogger) }
        let message = "\(error.map { "\($0)" } ?? "")"
        #expect(message.contains("refused user \(url.user)"), "\(message)")
        #expect(!message.contains("definitely-wrong-pw"))
    }

    @Test(.enabled(if: PostgresTestServer.url != nil || PostgresTestServer.isRequired,
                   "ROLLCALL_TEST_POSTGRES is not set: PostgreSQL tests skipped (make test starts a server)"))
    func missingDatabaseIsNamed() throws {
        let url = try PostgresTestServer.url(database: "no_such_rollcall_db")
        let error = #expect(throws: PostgresStoreError.self) { try PostgresRollCallStore(url: url, keySource: testKey, logger: quietLogger) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("has no database no_such_rollcall_db"))
    }

    @Test(.enabled(if: PostgresTestServer.url != nil || PostgresTestServer.isRequired,
                   "ROLLCALL_TEST_POSTGRES is not set: PostgreSQL tests skipped (make test starts a server)"))
    func reopeningMigratesNothingAndKeepsRecords() throws {
        // Given a database migrated and written by one process
        let empty = try EmptyStore(.postgres)
        _ = try empty.store.importRoster(roster(2))
        // When another process opens it
        let second = try empty.secondHandle()
        // Then it sees the records, and a wrong key is refused
        #expect(try second.delegates().count == 2)
        #expect(throws: StoreError.self) {
            try PostgresRollCallStore(url: try PostgresTestServer.url(database: empty.database!), keySource: .key(.init(size: .bits256)),
                                      logger: quietLogger)
        }
    }
}
