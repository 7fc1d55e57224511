import Crypto
import Foundation
import Logging
import NIOCore
import PostgresNIO
import RollCall
import RollCallStore

/// The roll-call database on a PostgreSQL server, shared by several gate machines and the secretariat.
///
/// - Migrates in `init` (versioned steps, under a lock).
/// - Every write is one transaction; chained rows are appended under `pg_advisory_xact_lock`, held until the
///   transaction ends, so concurrent gates never fork the chain.
/// - Templates are sealed with the same key and the same sealing as the SQLite store; a key check value in `meta`
///   rejects a wrong key at open.
/// - `location` and every error show the URL without its password.
public final class PostgresRollCallStore: RollCallStorage, @unchecked Sendable {
    public let url: PostgresURL
    public var location: String { url.description }
    let connections: PostgresConnections
    let logger: Logger
    private let keyLock = NSLock()
    private var keyBytes: Data?
    private let keySource: TemplateKeySource

    /// Connects to `url`, migrates the schema and checks the template key.
    ///
    /// - Parameters:
    ///   - url: The database.
    ///   - keySource: Where the template key comes from; a key file is created only for a database without one yet.
    ///   - connectTimeout: How long to wait for the server.
    ///   - logger: Receives ids and counts only, never names, embeddings or the password.
    /// - Throws: `PostgresStoreError` naming the server and the reason (unreachable, authentication, no database).
    public init(url: PostgresURL, keySource: TemplateKeySource, connectTimeout: TimeAmount = .seconds(5), logger: Logger) throws {
        self.url = url
        self.logger = logger
        self.keySource = keySource
        self.connections = PostgresConnections(url: url, connectTimeout: connectTimeout, logger: logger)
        try Self.migrate(connections)
        let stored = try connections.transaction { tx in try Self.meta("template_key_check", tx) }
        let key = try keySource.load(create: stored == nil)
        if let key {
            let check = TemplateSealer.checkValue(key)
            if let stored {
                guard stored == check else { throw StoreError.keyMismatch(keySource.origin) }
            } else {
                try connections.transaction { tx in
                    try tx.execute("INSERT INTO meta (key, value) VALUES ('template_key_check', \(check)) ON CONFLICT (key) DO NOTHING")
                    // Another process may have recorded a different key between our read and this write.
                    guard try Self.meta("template_key_check", tx) == check else { throw StoreError.keyMismatch(keySource.origin) }
                }
            }
        }
        keyBytes = key.map { $0.withUnsafeBytes { Data($0) } }
        logger.debug("store opened", metadata: ["db.url": "\(url)", "key.present": "\(key != nil)"])
    }

    /// Opens `text` (a `postgres://` or `postgresql://` URL).
    public convenience init(urlString text: String, keySource: TemplateKeySource, logger: Logger) throws {
        try self.init(url: try PostgresURL(text), keySource: keySource, logger: logger)
    }

    deinit { connections.close() }

    // MARK: - Helpers

    func requireKey() throws -> SymmetricKey {
        guard let bytes = keyLock.withLock({ keyBytes }) else { throw StoreError.keyMissing(keySource.origin) }
        return SymmetricKey(data: bytes)
    }

    static func meta(_ key: String, _ tx: PostgresTransaction) throws -> String? {
        try tx.row("SELECT value FROM meta WHERE key = \(key)").map { try $0["value"].decode(String.self) }
    }

    static func setMeta(_ key: String, _ value: String, _ tx: PostgresTransaction) throws {
        try tx.execute("INSERT INTO meta (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    }
}

// MARK: - Roster

extension PostgresRollCallStore {
    public func importRoster(_ roster: Roster) throws -> RosterImportSummary {
        let (inserted, updated) = try connections.transaction { tx -> (Int, Int) in
            var inserted = 0, updated = 0
            for entry in roster.entries {
                let d = entry.delegate
                let row = try tx.row("""
                    INSERT INTO delegate (id, name, unit, seat, roster_order) VALUES (\(d.id.nfc), \(d.name), \(d.unit), \(d.seat), \(Int64(d.rosterOrder)))
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit = excluded.unit, seat = excluded.seat,
                        roster_order = excluded.roster_order
                    RETURNING (xmax = 0) AS inserted
                    """)
                if try row?["inserted"].decode(Bool.self) == true { inserted += 1 } else { updated += 1 }
            }
            return (inserted, updated)
        }
        logger.info("roster imported", metadata: ["roster.inserted": "\(inserted)", "roster.updated": "\(updated)"])
        return RosterImportSummary(inserted: inserted, updated: updated, photos: roster.photoCount, photosByDelegate: roster.photosByDelegate)
    }

    public func delegates() throws -> [Delegate] {
        try connections.transaction { tx in
            try tx.rows("SELECT id, name, unit, seat, roster_order FROM delegate ORDER BY roster_order, id").map(Self.delegateFrom)
        }
    }

    public func delegate(id: String) throws -> Delegate {
        let id = id.nfc
        guard let row = try connections.transaction({ tx in try tx.row("SELECT id, name, unit, seat, roster_order FROM delegate WHERE id = \(id)") })
        else { throw StoreError.unknownDelegate(id) }
        return try Self.delegateFrom(row)
    }

    static func delegateFrom(_ row: PostgresRandomAccessRow) throws -> Delegate {
        Delegate(id: try row["id"].decode(String.self), name: try row["name"].decode(String.self),
                 unit: try row["unit"].decode(String?.self), seat: try row["seat"].decode(String?.self),
                 rosterOrder: Int(try row["roster_order"].decode(Int64.self)))
    }
}

// MARK: - Sealed templates

extension PostgresRollCallStore {
    public func addTemplate(delegateID: String, embedding: [Float], pack: TemplatePack, quality: Double?, sourcePhoto: String?,
                            sourceSHA256: String?, at date: Date) throws -> Int64 {
        let key = try requireKey()
        let delegateID = delegateID.nfc
        guard !embedding.isEmpty, embedding.allSatisfy(\.isFinite) else {
            throw StoreError.badArgument("delegate \(delegateID): template must be a non-empty finite vector")
        }
        let sealed = try TemplateSealer.seal(embedding, delegateID: delegateID, key: key)
        let id = try connections.transaction { tx -> Int64 in
            guard try Self.meta("template_key_check", tx) == TemplateSealer.checkValue(key) else { throw StoreError.keyRotated(keySource.origin) }
            guard try tx.row("SELECT 1 FROM delegate WHERE id = \(delegateID)") != nil else { throw StoreError.unknownDelegate(delegateID) }
            // Serialised with other enrollments, so two packs cannot mix one database.
            try tx.execute("LOCK TABLE template IN SHARE ROW EXCLUSIVE MODE")
            try requireOnlyTemplates(madeBy: pack, tx)
            let row = try tx.row("""
                INSERT INTO template (delegate_id, dimension, sealed, quality, source_photo, source_sha256, created_at, pack_name, pack_digest)
                VALUES (\(delegateID), \(Int64(embedding.count)), \(sealed), \(quality), \(sourcePhoto), \(sourceSHA256),
                        \(date.millisecondsSince1970), \(pack.name), \(pack.digest))
                RETURNING id
                """)
            return try row!["id"].decode(Int64.self)
        }
        logger.debug("template added", metadata: ["delegate.id": "\(delegateID)", "template.id": "\(id)"])
        return id
    }

    public func templates(madeBy pack: TemplatePack) throws -> [(delegateID: String, embedding: [Float])] {
        let key = try requireKey()
        let rows = try connections.transaction { tx in
            try requireOnlyTemplates(madeBy: pack, tx)
            return try tx.rows("SELECT id, delegate_id, sealed FROM template ORDER BY id")
        }
        return try rows.map { row in
            let id = try row["id"].decode(Int64.self), delegateID = try row["delegate_id"].decode(String.self)
            do {
                return (delegateID, try TemplateSealer.open(try row["sealed"].decode(Data.self), delegateID: delegateID, key: key))
            } catch {
                throw StoreError.corruptTemplate(id, delegateID: delegateID)
            }
        }
    }

    public func templateDigests() throws -> [String: [String: Int64]] {
        try connections.transaction { tx in
            var digests: [String: [String: Int64]] = [:]
            for row in try tx.rows("SELECT id, delegate_id, source_sha256 FROM template WHERE source_sha256 IS NOT NULL ORDER BY id") {
                let delegate = try row["delegate_id"].decode(String.self), digest = try row["source_sha256"].decode(String.self)
                if digests[delegate]?[digest] == nil { digests[delegate, default: [:]][digest] = try row["id"].decode(Int64.self) }
            }
            return digests
        }
    }

    public func templateCounts() throws -> [String: Int] {
        try connections.transaction { tx in
            Dictionary(uniqueKeysWithValues: try tx.rows("SELECT delegate_id, COUNT(*) AS n FROM template GROUP BY delegate_id").map {
                (try $0["delegate_id"].decode(String.self), Int(try $0["n"].decode(Int64.self)))
            })
        }
    }

    public func templateVersion() throws -> TemplateVersion {
        try connections.transaction { tx in
            let row = try tx.row("""
                SELECT (SELECT COUNT(*) FROM template) AS n,
                       COALESCE(pg_sequence_last_value(pg_get_serial_sequence('template', 'id')::regclass), 0) AS last
                """)!
            return TemplateVersion(count: Int(try row["n"].decode(Int64.self)), lastID: try row["last"].decode(Int64.self))
        }
    }

    private func requireOnlyTemplates(madeBy pack: TemplatePack, _ tx: PostgresTransaction) throws {
        let rows = try tx.rows("""
            SELECT pack_name, pack_digest, COUNT(*) AS n FROM template GROUP BY pack_name, pack_digest ORDER BY n DESC, pack_name
            """)
        let counts: [(pack: TemplatePack?, count: Int)] = try rows.map { row in
            let name = try row["pack_name"].decode(String?.self), digest = try row["pack_digest"].decode(String?.self)
            return (name.flatMap { name in digest.map { TemplatePack(name: name, digest: $0) } }, Int(try row["n"].decode(Int64.self)))
        }
        if counts.allSatisfy({ $0.pack == pack }) { return }
        if let other = counts.first(where: { $0.pack != nil && $0.pack != pack }) {
            throw StoreError.packMismatch(location, stored: other.pack!, count: other.count, requested: pack)
        }
        throw StoreError.unknownTemplatePack(location, count: counts.first { $0.pack == nil }?.count ?? 0, requested: pack)
    }
}

extension Date {
    /// Milliseconds since 1970, as both stores keep times (exactly, so hashes are stable).
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
