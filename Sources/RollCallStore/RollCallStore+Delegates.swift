import Crypto
import Foundation
import GRDB
import RollCall

/// A delegate with their templates' metadata (never the embeddings).
public struct DelegateDetails: Sendable, Equatable {
    /// What one stored template is, without its content.
    public struct TemplateInfo: Sendable, Equatable, Codable {
        public var id: Int64
        public var dimension: Int
        public var quality: Double?
        public var sourcePhoto: String?
        public var sourceSHA256: String?
        public var createdAt: Date
        /// The pack that made it; `nil` for a template stored before packs were recorded.
        public var pack: TemplatePack?
    }
    public var delegate: Delegate
    public var templates: [TemplateInfo]
}

extension RollCallStore {
    // MARK: - Roster

    /// Applies a checked roster in one transaction: new ids are inserted, known ids updated (never duplicated).
    /// Delegates missing from the file are kept; remove them explicitly.
    public func importRoster(_ roster: Roster) throws -> RosterImportSummary {
        let (inserted, updated) = try write { db -> (Int, Int) in
            var inserted = 0, updated = 0
            for entry in roster.entries {
                let d = entry.delegate
                let record = DelegateRecord(id: d.id, name: d.name, unit: d.unit, seat: d.seat, rosterOrder: d.rosterOrder)
                if try DelegateRecord.exists(db, key: d.id) {
                    try record.update(db)
                    updated += 1
                } else {
                    try record.insert(db)
                    inserted += 1
                }
            }
            return (inserted, updated)
        }
        logger.info("roster imported", metadata: ["roster.inserted": "\(inserted)", "roster.updated": "\(updated)"])
        return RosterImportSummary(inserted: inserted, updated: updated, photos: roster.photoCount, photosByDelegate: roster.photosByDelegate)
    }

    // MARK: - Delegates

    /// Every delegate, in roster order.
    public func delegates() throws -> [Delegate] {
        try read { db in
            try DelegateRecord.order(DelegateRecord.Columns.rosterOrder, DelegateRecord.Columns.id).fetchAll(db).map(\.delegate)
        }
    }

    /// One delegate; throws `unknownDelegate` if the id is not on the roster.
    public func delegate(id: String) throws -> Delegate {
        let id = id.nfc
        guard let record = try read({ db in try DelegateRecord.fetchOne(db, key: id) }) else { throw StoreError.unknownDelegate(id) }
        return record.delegate
    }

    /// A delegate and their templates' metadata.
    public func delegateDetails(id: String) throws -> DelegateDetails {
        let id = id.nfc
        return try read { db in
            guard let record = try DelegateRecord.fetchOne(db, key: id) else { throw StoreError.unknownDelegate(id) }
            let templates = try TemplateRecord.filter(TemplateRecord.Columns.delegateID == id).order(TemplateRecord.Columns.id).fetchAll(db)
            return DelegateDetails(delegate: record.delegate, templates: templates.map {
                .init(id: $0.id!, dimension: $0.dimension, quality: $0.quality, sourcePhoto: $0.sourcePhoto,
                      sourceSHA256: $0.sourceSHA256, createdAt: Date(milliseconds: $0.createdAt), pack: $0.pack)
            })
        }
    }

    /// The template made from each photo, by delegate and the photo's SHA-256: what enrollment checks so that enrolling
    /// the same photo again (a re-run of `enroll --roster`) adds nothing.
    public func templateDigests() throws -> [String: [String: Int64]] {
        try read { db in
            var digests: [String: [String: Int64]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, delegate_id, source_sha256 FROM template WHERE source_sha256 IS NOT NULL ORDER BY id") {
                let delegate: String = row["delegate_id"], digest: String = row["source_sha256"]
                if digests[delegate]?[digest] == nil { digests[delegate, default: [:]][digest] = row["id"] }
            }
            return digests
        }
    }

    /// Number of templates per delegate id.
    public func templateCounts() throws -> [String: Int] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT delegate_id, COUNT(*) AS n FROM template GROUP BY delegate_id")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["delegate_id"] as String, $0["n"] as Int) })
        }
    }

    /// Removes a delegate and erases their templates for good: the rows are deleted (cascade) with `secure_delete` on,
    /// and the WAL is checkpointed and truncated so the sealed bytes do not linger there either. Attendance and manual
    /// events stay (they are the audit trail).
    ///
    /// - Returns: How many templates were erased.
    @discardableResult
    public func removeDelegate(id: String) throws -> Int {
        let id = id.nfc
        let erased = try write { db -> Int in
            guard try DelegateRecord.exists(db, key: id) else { throw StoreError.unknownDelegate(id) }
            let count = try TemplateRecord.filter(TemplateRecord.Columns.delegateID == id).deleteAll(db)
            try DelegateRecord.deleteOne(db, key: id)
            return count
        }
        try checkpoint()
        logger.info("delegate removed", metadata: ["delegate.id": "\(id)", "templates.erased": "\(erased)"])
        return erased
    }

    /// Copies the WAL into the database file and truncates it.
    public func checkpoint() throws {
        try Self.perform(path) {
            try writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        }
    }

    // MARK: - Templates

    /// Seals and stores one template, with the pack that made it.
    ///
    /// - Parameters:
    ///   - delegateID: The delegate (must exist).
    ///   - embedding: The embedding (any length).
    ///   - pack: The pack that made it; the database must hold no template of another pack (or of an unknown one).
    ///   - quality: An optional quality score from the gates.
    ///   - sourcePhoto: The photo's name (not the image).
    ///   - sourceSHA256: The photo's SHA-256, hex.
    ///   - at: Creation time.
    /// - Returns: The template id.
    /// - Throws: `packMismatch` or `unknownTemplatePack` when the database holds templates of another pack.
    @discardableResult
    public func addTemplate(
        delegateID: String, embedding: [Float], pack: TemplatePack, quality: Double? = nil, sourcePhoto: String? = nil,
        sourceSHA256: String? = nil, at date: Date = Date()
    ) throws -> Int64 {
        let key = try requireKey()
        let delegateID = delegateID.nfc
        guard !embedding.isEmpty, embedding.allSatisfy(\.isFinite) else {
            throw StoreError.badArgument("delegate \(delegateID): template must be a non-empty finite vector")
        }
        let sealed = try TemplateSealer.seal(embedding, delegateID: delegateID, key: key)
        let id = try write { db -> Int64 in
            // A rotation committed since the key was read would leave this blob sealed with a destroyed key.
            guard try Self.meta("template_key_check", db) == TemplateSealer.checkValue(key) else { throw StoreError.keyRotated(keySource.origin) }
            guard try DelegateRecord.exists(db, key: delegateID) else { throw StoreError.unknownDelegate(delegateID) }
            // In the write transaction, so two enrollments with different packs cannot mix a database.
            try requireOnlyTemplates(madeBy: pack, db)
            var record = TemplateRecord(id: nil, delegateID: delegateID, dimension: embedding.count, sealed: sealed, quality: quality,
                                        sourcePhoto: sourcePhoto, sourceSHA256: sourceSHA256, createdAt: date.millisecondsSince1970,
                                        packName: pack.name, packDigest: pack.digest)
            try record.insert(db)
            return record.id!
        }
        logger.debug("template added", metadata: ["delegate.id": "\(delegateID)", "template.id": "\(id)"])
        return id
    }

    /// Every template, opened with the key, when all were made by `pack` (what a matcher or the duplicate guard
    /// may compare with that pack's embeddings).
    ///
    /// - Throws: `packMismatch` or `unknownTemplatePack` when any template was not made by `pack`; `keyMissing`
    ///   without the key; `corruptTemplate` if a blob does not open.
    public func templates(madeBy pack: TemplatePack) throws -> [(delegateID: String, embedding: [Float])] {
        let (records, check) = try read { db in
            try requireOnlyTemplates(madeBy: pack, db)
            return (try TemplateRecord.order(TemplateRecord.Columns.id).fetchAll(db), try Self.meta("template_key_check", db))
        }
        return try open(records, key: try key(matching: check))
    }

    /// Every template whatever its pack, for tests of the sealing itself.
    func templates() throws -> [(delegateID: String, embedding: [Float])] {
        let (records, check) = try read { db in
            (try TemplateRecord.order(TemplateRecord.Columns.id).fetchAll(db), try Self.meta("template_key_check", db))
        }
        return try open(records, key: try key(matching: check))
    }

    /// Opens sealed templates with the key they were sealed with (read in the same transaction): delegate id and
    /// embedding.
    private func open(_ records: [TemplateRecord], key: SymmetricKey) throws -> [(delegateID: String, embedding: [Float])] {
        try records.map { record in
            do {
                return (record.delegateID, try TemplateSealer.open(record.sealed, delegateID: record.delegateID, key: key))
            } catch {
                throw StoreError.corruptTemplate(record.id!, delegateID: record.delegateID)
            }
        }
    }

    /// The matcher's gallery over every template, all of which must have been made by `pack` (see
    /// `templates(madeBy:)`), a delegate's several templates combined by `fusion`. An empty store gives an empty
    /// gallery of `defaultDimension`.
    public func gallery(madeBy pack: TemplatePack, defaultDimension: Int = 128,
                        fusion: TemplateFusion = .best) throws -> Gallery {
        let all = try templates(madeBy: pack)
        return try Gallery(dimension: all.first?.embedding.count ?? defaultDimension, templates: all, fusion: fusion)
    }

    /// A cheap fingerprint of the template table that changes whenever any process adds or removes a template, so a
    /// long-running daemon can tell when to rebuild its gallery without reading (and opening) every template.
    ///
    /// It is the row count plus the table's AUTOINCREMENT high-water mark (`sqlite_sequence`): every insert raises the
    /// mark, which never goes down, even when the newest row is deleted (unlike `max(id)`); every delete lowers the
    /// count. So any commit that adds, removes or replaces templates (re-enrollment, `delegates remove`,
    /// `erase-templates`) changes the pair. Template rows are never updated in place, except `assignPack` filling in
    /// a missing pack, which only concerns templates no daemon could have loaded. Each call is its own read
    /// transaction, which in WAL mode sees the last commit of every process. `PRAGMA data_version` would not do: it
    /// is per connection (the pool reads on several), and it changes on every commit to any table, including the
    /// daemon's own attendance rows.
    public func templateVersion() throws -> TemplateVersion {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM template) AS n,
                       COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'template'), 0) AS seq
                """)!
            return TemplateVersion(count: row["n"], lastID: row["seq"])
        }
    }

    /// Erases one template for good.
    public func removeTemplate(id: Int64) throws {
        let deleted = try write { db in try TemplateRecord.deleteOne(db, key: id) }
        guard deleted else { throw StoreError.badArgument("no template with id \(id)") }
        try checkpoint()
    }
}

extension DelegateRecord {
    var delegate: Delegate { Delegate(id: id, name: name, unit: unit, seat: seat, rosterOrder: rosterOrder) }
}
