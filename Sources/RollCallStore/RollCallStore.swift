import Crypto
import Foundation
import GRDB
import Logging
import RollCall

/// The roll-call database on SQLite: one file in WAL mode shared by the daemon and the CLI (or an in-memory
/// database for tests), the embedded `RollCallStorage`.
///
/// - Migrates in `init`.
/// - Every write is one transaction; a writer waits up to `busyTimeout` for another process's write lock, then fails
///   with `StoreError.busy` naming the file.
/// - `PRAGMA secure_delete` is on, so deleted rows (removed templates) are overwritten, not just unlinked.
/// - Templates are sealed with a key kept outside the file; a key check value in `meta` rejects a wrong key at open.
public final class RollCallStore: Sendable {
    /// The database file (or what an in-memory database is called).
    public let path: String
    let writer: any DatabaseWriter
    let logger: Logger
    /// The template key, `nil` when it is missing (templates then cannot be read or written). It changes when
    /// another process rotates the key (`rotateTemplateKey`): see `key(matching:)`.
    private let keyState: TemplateKeyState
    let keySource: TemplateKeySource
    private var keyOrigin: String { keySource.origin }

    /// Opens (creating if needed) the database file at `path`: a `DatabasePool` in WAL mode.
    ///
    /// - Parameters:
    ///   - path: The SQLite file.
    ///   - keySource: Where the template key comes from; a key file is created only for a database without one yet.
    ///   - busyTimeout: How long a write waits for another process's lock, seconds.
    ///   - logger: Receives ids and counts only, never names or embeddings.
    /// - Throws: `StoreError` (`notSQLite`, `busy`, `cannotOpen`, `keyMismatch`, `keyFile`).
    public convenience init(path: String, keySource: TemplateKeySource, busyTimeout: TimeInterval = 5, logger: Logger) throws {
        try RollCallStore.checkHeader(path)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: RollCallStore.configuration(busyTimeout: busyTimeout))
        } catch {
            throw RollCallStore.mapError(error, path: path)
        }
        try self.init(writer: pool, location: path, keySource: keySource, logger: logger)
    }

    /// Uses the database `writer` is given (a `DatabasePool` on a file, or an in-memory `DatabaseQueue` for tests),
    /// migrating it first. Make it with `RollCallStore.configuration(busyTimeout:)`, so foreign keys and
    /// `secure_delete` are on.
    ///
    /// - Parameters:
    ///   - writer: The database.
    ///   - location: What messages call it (the file path).
    ///   - keySource: Where the template key comes from.
    ///   - logger: Receives ids and counts only, never names or embeddings.
    public init(writer: any DatabaseWriter, location: String, keySource: TemplateKeySource, logger: Logger) throws {
        let path = location
        self.path = path
        self.logger = logger
        self.keySource = keySource
        do {
            try Self.migrator.migrate(writer)
        } catch {
            throw Self.mapError(error, path: path)
        }
        self.writer = writer
        // Key: verify against the stored check value, or record it on first use.
        let stored = try Self.perform(path) { try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'template_key_check'") } }
        let key = try keySource.load(create: stored == nil)
        if let key {
            let check = TemplateSealer.checkValue(key)
            if let stored {
                guard stored == check else { throw StoreError.keyMismatch(keySource.origin) }
            } else {
                try Self.perform(path) {
                    try writer.write { db in
                        try db.execute(sql: "INSERT OR IGNORE INTO meta(key, value) VALUES ('template_key_check', ?)", arguments: [check])
                        let now = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'template_key_check'")
                        // Another process may have recorded a different key between our read and this write.
                        guard now == check else { throw StoreError.keyMismatch(keySource.origin) }
                    }
                }
            }
        }
        self.keyState = TemplateKeyState(key)
        logger.debug("store opened", metadata: ["db.path": "\(path)", "key.present": "\(key != nil)"])
    }

    /// An in-memory database (tests, tools): nothing is written to disk, and it is gone when the store is.
    public static func inMemory(keySource: TemplateKeySource, logger: Logger) throws -> RollCallStore {
        let queue = try DatabaseQueue(configuration: configuration(busyTimeout: 0))
        return try RollCallStore(writer: queue, location: "in-memory database", keySource: keySource, logger: logger)
    }

    /// The connection settings every store needs: foreign keys, `secure_delete`, and how long a write waits for
    /// another process's lock.
    public static func configuration(busyTimeout: TimeInterval) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    // MARK: - Access helpers

    /// Runs a write transaction, mapping SQLite errors to `StoreError`.
    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        try Self.perform(path) { try writer.write(updates) }
    }

    /// Runs a read, mapping SQLite errors to `StoreError`.
    func read<T>(_ value: (Database) throws -> T) throws -> T {
        try Self.perform(path) { try writer.read(value) }
    }

    /// The key in force now (re-read from the key source when another process rotated it), or the error saying it is
    /// missing.
    func requireKey() throws -> SymmetricKey {
        try key(matching: try read { db in try Self.meta("template_key_check", db) })
    }

    /// The key whose check value is `check` (the one in `meta` when the caller read its templates, in the same
    /// transaction). When it is not the key held, another process has rotated the key: the key source is read again,
    /// so a running daemon follows a rotation without a restart.
    func key(matching check: String?) throws -> SymmetricKey {
        guard let held = keyState.key else { throw StoreError.keyMissing(keyOrigin) }
        guard let check, check != TemplateSealer.checkValue(held) else { return held }
        guard let reread = try? keySource.load(create: false), TemplateSealer.checkValue(reread) == check else {
            throw StoreError.keyRotated(keyOrigin)
        }
        keyState.key = reread
        logger.notice("template key rotated by another process: new key read", metadata: ["db.path": "\(path)"])
        return reread
    }

    /// Records the key this process rotated to.
    func adoptKey(_ key: SymmetricKey) { keyState.key = key }

    static func perform<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw mapError(error, path: path) }
    }

    static func mapError(_ error: Error, path: String) -> Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.busy(path)
        case .SQLITE_NOTADB: return StoreError.notSQLite(path)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CORRUPT, .SQLITE_FULL:
            return StoreError.cannotOpen(path, reason: error.message ?? "\(error.resultCode)")
        default: return error
        }
    }

    /// Refuses a non-empty file that does not start with SQLite's header, before SQLite gets to it.
    private static func checkHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }  // absent: will be created
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if !header.isEmpty && header != Data("SQLite format 3\0".utf8) { throw StoreError.notSQLite(path) }
    }

    /// Reads a `meta` value.
    static func meta(_ key: String, _ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    /// Writes a `meta` value.
    static func setMeta(_ key: String, _ value: String, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: [key, value])
    }
}

/// The template key a store holds, swapped when the key is rotated. SymmetricKey is not Sendable in swift-crypto 3:
/// the bytes are kept and the key rebuilt per use.
private final class TemplateKeyState: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: Data?

    init(_ key: SymmetricKey?) { bytes = key.map { $0.withUnsafeBytes { Data($0) } } }

    var key: SymmetricKey? {
        get { lock.withLock { bytes.map { SymmetricKey(data: $0) } } }
        set { lock.withLock { bytes = newValue.map { $0.withUnsafeBytes { Data($0) } } } }
    }
}
