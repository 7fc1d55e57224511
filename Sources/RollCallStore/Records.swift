import Foundation
import GRDB
import RollCall

/// A `delegate` row.
struct DelegateRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "delegate"
    var id: String
    var name: String
    var unit: String?
    var seat: String?
    var rosterOrder: Int

    enum CodingKeys: String, CodingKey {
        case id, name, unit, seat
        case rosterOrder = "roster_order"
    }
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let rosterOrder = Column(CodingKeys.rosterOrder)
    }
}

/// A `template` row; the embedding is only reachable through `TemplateSealer` with the key.
struct TemplateRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "template"
    var id: Int64?
    var delegateID: String
    var dimension: Int
    var sealed: Data
    var quality: Double?
    var sourcePhoto: String?
    var sourceSHA256: String?
    var createdAt: Int64
    /// The pack that made it; both `nil` for a template stored before packs were recorded.
    var packName: String?
    var packDigest: String?

    enum CodingKeys: String, CodingKey {
        case id, dimension, sealed, quality
        case delegateID = "delegate_id"
        case sourcePhoto = "source_photo"
        case sourceSHA256 = "source_sha256"
        case createdAt = "created_at"
        case packName = "pack_name"
        case packDigest = "pack_digest"
    }
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let delegateID = Column(CodingKeys.delegateID)
        static let packName = Column(CodingKeys.packName)
        static let packDigest = Column(CodingKeys.packDigest)
    }
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var pack: TemplatePack? {
        guard let packName, let packDigest else { return nil }
        return TemplatePack(name: packName, digest: packDigest)
    }
}

/// A `session` row.
struct SessionRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "session"
    var id: Int64?
    var name: String
    /// The rule's approximation (legacy column, never used for counting).
    var quorum: Double
    var openedAt: Int64
    var closedAt: Int64?
    /// `QuorumRule.description`; `nil` for sessions opened before rules were exact.
    var quorumRule: String?

    enum CodingKeys: String, CodingKey {
        case id, name, quorum
        case openedAt = "opened_at"
        case closedAt = "closed_at"
        case quorumRule = "quorum_rule"
    }
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let closedAt = Column(CodingKeys.closedAt)
    }
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A `sighting` row: one recognition at a gate, accepted or not.
struct SightingRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "sighting"
    var id: Int64?
    var sessionID: Int64
    var delegateID: String?
    var gate: String
    var distance: Double?
    var seenAt: Int64
    /// The id the gate made (`Sighting.id`); `nil` for rows logged before gates made ids.
    var uid: String?

    enum CodingKeys: String, CodingKey {
        case id, gate, distance, uid
        case sessionID = "session_id"
        case delegateID = "delegate_id"
        case seenAt = "seen_at"
    }
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// An `attendance` row: the first confirmed presence of a delegate in a session. Hash-chained.
struct AttendanceRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "attendance"
    var id: Int64?
    var sessionID: Int64
    var delegateID: String
    var method: String
    var gate: String?
    var distance: Double?
    var seenAt: Int64
    var seq: Int64
    var prevHash: String
    var hash: String
    /// The confirmed sighting that made it (`Sighting.id`), if one did. Not chained.
    var sightingUID: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, method, gate, distance, seq, hash
        case sessionID = "session_id"
        case delegateID = "delegate_id"
        case seenAt = "seen_at"
        case prevHash = "prev_hash"
        case sightingUID = "sighting_uid"
    }
    enum Columns {
        static let sessionID = Column(CodingKeys.sessionID)
        static let delegateID = Column(CodingKeys.delegateID)
        static let sightingUID = Column(CodingKeys.sightingUID)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The chained content, in a frozen order.
    var chainFields: [String?] {
        ["\(sessionID)", delegateID, method, gate, distance.map { "\($0)" }, "\(seenAt)"]
    }
}

/// A `manual_event` row: a secretariat check-in or check-out with its reason. Hash-chained.
struct ManualEventRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "manual_event"
    var id: Int64?
    var sessionID: Int64
    var delegateID: String
    var kind: String
    var reason: String
    var operatorName: String?
    var at: Int64
    var seq: Int64
    var prevHash: String
    var hash: String

    enum CodingKeys: String, CodingKey {
        case id, kind, reason, at, seq, hash
        case sessionID = "session_id"
        case delegateID = "delegate_id"
        case operatorName = "operator"
        case prevHash = "prev_hash"
    }
    enum Columns {
        static let sessionID = Column(CodingKeys.sessionID)
        static let delegateID = Column(CodingKeys.delegateID)
        static let kind = Column(CodingKeys.kind)
        static let at = Column(CodingKeys.at)
        static let seq = Column(CodingKeys.seq)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The chained content, in a frozen order.
    var chainFields: [String?] {
        ["\(sessionID)", delegateID, kind, reason, operatorName, "\(at)"]
    }
}

extension Date {
    /// Milliseconds since 1970 (how the store keeps times, exactly, so hashes are stable).
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
