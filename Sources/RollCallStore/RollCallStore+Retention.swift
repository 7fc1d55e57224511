import Foundation
import GRDB
import RollCall

/// What the database holds of biometric data, per delegate: `rollcall privacy report`.
public struct PrivacyReport: Sendable, Equatable {
    /// One delegate's templates.
    public struct Holder: Sendable, Equatable {
        public var delegateID: String
        public var name: String
        public var templates: Int
        /// When the oldest and newest of them were enrolled.
        public var since: Date
        public var latest: Date
        /// The photos they were made from (file names only: no image is kept in the database).
        public var sourcePhotos: [String]
    }

    /// Delegates with at least one template, in roster order.
    public var holders: [Holder]
    /// Templates in all.
    public var templates: Int { holders.reduce(0) { $0 + $1.templates } }
    /// Recognitions logged at the gates (delegate id, distance, time; no image, no template), and their time span.
    public var sightings: Int
    public var sightingsSince: Date?
    /// Delegates on the roster (names and units: personal data, not biometric).
    public var rosterSize: Int
    public var generatedAt: Date
}

/// What `purgeTemplates` erased.
public struct PurgeSummary: Sendable, Equatable {
    public var templates: Int
    /// Delegates who had templates erased.
    public var delegates: Int
    /// Bytes the database file shrank by when it was rebuilt (VACUUM).
    public var bytesReclaimed: Int64
}

/// Retention: biometric data is kept for the congress and erased after it (Decree 13/2023/NĐ-CP treats it as
/// sensitive personal data, to be deleted when its purpose ends), while the attendance record and its audit chain stay.
extension RollCallStore {
    /// Erases templates enrolled before `before` (all of them when `nil`) for good, and chains a `templates.purge`
    /// audit event by `actor` in the same transaction.
    ///
    /// Gone means gone from the file: the rows are deleted with `secure_delete` on (SQLite overwrites the freed
    /// cells and pages with zeros), the WAL is checkpointed and truncated, and the database is rebuilt with VACUUM so
    /// no page and no free-list entry keeps the sealed bytes. Attendance, sightings and the chain are not touched.
    ///
    /// - Parameter note: more facts for the audit event (e.g. the face crops the caller erased from disk).
    public func purgeTemplates(before: Date? = nil, actor: String, note: String? = nil, at date: Date = Date()) throws -> PurgeSummary {
        let sizeBefore = fileSize()
        let (templates, delegates) = try write { db -> (Int, Int) in
            let filter = before.map { "WHERE created_at < \($0.millisecondsSince1970)" } ?? ""
            let delegates = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT delegate_id) FROM template \(filter)") ?? 0
            try db.execute(sql: "DELETE FROM template \(filter)")
            let templates = db.changesCount
            let scope = before.map { "enrolled before \(Self.iso($0))" } ?? "all"
            let detail = "\(templates) templates of \(delegates) delegates erased (\(scope))" + (note.map { "; \($0)" } ?? "")
            try Self.appendAuditEvent(action: "templates.purge", actor: actor, detail: detail, at: date, db)
            return (templates, delegates)
        }
        try checkpoint()
        try Self.perform(path) { try writer.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") } }
        try checkpoint()
        logger.notice("templates purged", metadata: ["templates.erased": "\(templates)", "delegates": "\(delegates)"])
        return PurgeSummary(templates: templates, delegates: delegates, bytesReclaimed: max(0, sizeBefore - fileSize()))
    }

    /// What biometric data the database holds, for whom, since when.
    public func privacyReport(at date: Date = Date()) throws -> PrivacyReport {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT d.id, d.name, COUNT(t.id) AS n, MIN(t.created_at) AS since, MAX(t.created_at) AS latest,
                       GROUP_CONCAT(COALESCE(t.source_photo, '-'), char(31)) AS photos
                FROM delegate d JOIN template t ON t.delegate_id = d.id
                GROUP BY d.id ORDER BY d.roster_order, d.id
                """)
            let holders = rows.map { row in
                PrivacyReport.Holder(
                    delegateID: row["id"], name: row["name"], templates: row["n"], since: Date(milliseconds: row["since"]),
                    latest: Date(milliseconds: row["latest"]),
                    sourcePhotos: (row["photos"] as String? ?? "").split(separator: "\u{1F}").map(String.init))
            }
            let sightings = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sighting WHERE delegate_id IS NOT NULL") ?? 0
            let since = try Int64.fetchOne(db, sql: "SELECT MIN(seen_at) FROM sighting WHERE delegate_id IS NOT NULL")
            return PrivacyReport(holders: holders, sightings: sightings, sightingsSince: since.map { Date(milliseconds: $0) },
                                 rosterSize: try DelegateRecord.fetchCount(db), generatedAt: date)
        }
    }

    private func fileSize() -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
