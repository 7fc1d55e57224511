import Foundation
import GRDB
import RollCall

extension RollCallStore: RollCallStorage {
    /// The database file.
    public var location: String { path }

    public func sightingCount(sessionID: Int64) throws -> Int {
        try read { db in try SightingRecord.filter(Column("session_id") == sessionID).fetchCount(db) }
    }

    public func chainAuditEvent(action: String, actor: String, detail: String?, at date: Date) throws {
        _ = try recordAuditEvent(action: action, actor: actor, detail: detail, at: date)
    }
}

/// SQL that is the same text on every connection.
enum StorageSQL {
    /// Delegates on the roster (`expected`) and present now in session `?1` (`present`): arrived, and the last
    /// manual event at or after the arrival, if any, is a check-in (`PresenceHistory.standing`).
    static let quorumCounts = """
        SELECT (SELECT COUNT(*) FROM delegate) AS expected,
               (SELECT COUNT(*) FROM attendance a JOIN delegate d ON d.id = a.delegate_id
                 WHERE a.session_id = ?1
                   AND COALESCE((SELECT m.kind FROM manual_event m
                                  WHERE m.session_id = a.session_id AND m.delegate_id = a.delegate_id AND m.at >= a.seen_at
                                  ORDER BY m.at DESC, m.seq DESC LIMIT 1), 'checkin') = 'checkin') AS present
        """
}
