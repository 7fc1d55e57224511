import Foundation
import GRDB
import Testing

@testable import RollCall
@testable import RollCallStore

struct DatabaseTests {
    @Test func usesWALAndNamedMigrations() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        let (mode, secureDelete, applied) = try store.writer.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode")!, try Int.fetchOne(db, sql: "PRAGMA secure_delete")!,
             try RollCallStore.migrator.appliedMigrations(db))
        }
        #expect(mode == "wal")
        #expect(secureDelete == 1)
        #expect(applied.first == "v1 create meta" && applied == RollCallStore.migrator.migrations)
        #expect(applied.suffix(2) == ["v4 session quorum rule", "v5 gate-made sighting ids"])
    }

    @Test func secondWriterWaitsThenSaysTheDatabaseIsBusy() throws {
        let dir = TemporaryDirectory()
        let holder = try makeStore(dir)
        let waiter = try makeStore(dir, busyTimeout: 0.3)
        let locked = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? holder.writer.write { db in
                try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('lock', 'held')")
                locked.signal()
                release.wait()
            }
        }
        thread.start()
        locked.wait()
        let start = Date()
        #expect(throws: StoreError.busy(waiter.path)) { _ = try waiter.openSession(name: "S", quorum: 0.5) }
        #expect(Date().timeIntervalSince(start) >= 0.25)
        // Readers are not blocked by the writer (WAL).
        #expect(try waiter.sessions().isEmpty)
        release.signal()
        #expect("\(StoreError.busy("x.db"))".hasPrefix("database is busy: another rollcall process holds the write lock on x.db"))
    }

    @Test func fileThatIsNotSQLiteIsNamed() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("roster.csv")
        try Data("id,name\nD-1,An\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.notSQLite(path)) { _ = try makeStore(dir, name: "roster.csv") }
        #expect("\(StoreError.notSQLite(path))" == "\(path) is not a rollcall database: the file is not SQLite")
    }

    @Test func directoryAsDatabaseIsAClearError() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("db"), withIntermediateDirectories: true)
        #expect(throws: StoreError.self) { _ = try makeStore(dir, name: "db") }
    }
}
