import GRDB
import RollCall

/// How many templates one pack made; `pack` is `nil` for templates stored before packs were recorded.
public struct TemplatePackCount: Sendable, Equatable {
    public var pack: TemplatePack?
    public var count: Int
}

/// The rule: a database holds templates of one pack, because distances between embeddings of two packs mean nothing.
/// Matching, the duplicate guard and every insert check it. Templates of unknown pack (stored before the migration
/// `v2 template pack`) never pass, since nothing can tell which pack made them: both bundled packs existed then and
/// both make 128-d vectors. They pass once an operator vouches for their pack (`assignPack`), or are erased.
extension RollCallStore {
    /// Templates per pack, most first.
    public func templatePacks() throws -> [TemplatePackCount] {
        try read { db in try Self.packCounts(db) }
    }

    /// Records `pack` as the maker of every template stored before packs were recorded. Nothing can check this: it
    /// is the operator's word (`rollcall delegates assign-pack`), for a database they know was enrolled with `pack`.
    ///
    /// - Returns: How many templates were assigned (0 when there were none without a pack).
    /// - Throws: `packMismatch` when the database already holds templates of another pack.
    @discardableResult
    public func assignPack(_ pack: TemplatePack) throws -> Int {
        let assigned = try write { db -> Int in
            if let other = try Self.packCounts(db).first(where: { $0.pack != nil && $0.pack != pack }) {
                throw StoreError.packMismatch(path, stored: other.pack!, count: other.count, requested: pack)
            }
            return try TemplateRecord.filter(TemplateRecord.Columns.packName == nil)
                .updateAll(db, TemplateRecord.Columns.packName.set(to: pack.name), TemplateRecord.Columns.packDigest.set(to: pack.digest))
        }
        logger.notice("templates without a pack assigned to one by the operator",
                      metadata: ["pack.name": "\(pack.name)", "pack.digest": "\(pack.digest)", "templates.assigned": "\(assigned)"])
        return assigned
    }

    /// Erases every template for good, keeping the roster (to enroll again, e.g. with another pack). Same erasure as
    /// `removeDelegate`: `secure_delete`, then the WAL is checkpointed and truncated.
    ///
    /// - Returns: How many templates were erased.
    @discardableResult
    public func eraseTemplates() throws -> Int {
        let erased = try write { db in try TemplateRecord.deleteAll(db) }
        try checkpoint()
        logger.notice("all templates erased", metadata: ["templates.erased": "\(erased)"])
        return erased
    }

    /// Throws unless every template in the database was made by `pack` (an empty database passes).
    ///
    /// Two index lookups, not a scan (it runs on every insert): rows sorted by (pack_name, pack_digest), NULLs first,
    /// hold one pack exactly when the first and the last are that pack.
    func requireOnlyTemplates(madeBy pack: TemplatePack, _ db: Database) throws {
        func isPack(atEnd order: String) throws -> Bool? {
            let sql = "SELECT pack_name, pack_digest FROM template ORDER BY pack_name \(order), pack_digest \(order) LIMIT 1"
            guard let row = try Row.fetchOne(db, sql: sql) else { return nil }
            return row["pack_name"] as String? == pack.name && row["pack_digest"] as String? == pack.digest
        }
        guard let first = try isPack(atEnd: "ASC") else { return }  // no template yet
        if first, try isPack(atEnd: "DESC") == true { return }
        // The error path may count.
        let counts = try Self.packCounts(db)
        if let other = counts.first(where: { $0.pack != nil && $0.pack != pack }) {
            throw StoreError.packMismatch(path, stored: other.pack!, count: other.count, requested: pack)
        }
        throw StoreError.unknownTemplatePack(path, count: counts.first { $0.pack == nil }?.count ?? 0, requested: pack)
    }

    static func packCounts(_ db: Database) throws -> [TemplatePackCount] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT pack_name, pack_digest, COUNT(*) AS n FROM template GROUP BY pack_name, pack_digest ORDER BY n DESC, pack_name
            """)
        return rows.map { row in
            let name: String? = row["pack_name"], digest: String? = row["pack_digest"]
            let pack = name.flatMap { name in digest.map { TemplatePack(name: name, digest: $0) } }
            return TemplatePackCount(pack: pack, count: row["n"])
        }
    }
}
