import Foundation
import GRDB
import RollCall

/// One chained `audit_event` row as read back: who did what, when.
public struct AuditEventInfo: Sendable, Equatable, Codable {
    public var id: Int64
    /// Position in the audit chain (shared with attendance and manual events).
    public var sequence: Int64
    /// What was done: `session.open`, `session.close`, `token.add`, `token.revoke`, `keys.rotate`,
    /// `templates.purge`, …
    public var action: String
    /// Who did it: an API token's name, or `cli:` and the login name for a command run at the machine.
    public var actor: String
    /// Facts about it (ids, counts, dates; never a secret or a biometric value).
    public var detail: String?
    public var at: Date
}

/// One manual check-in or check-out as read back: who recorded it (`operatorName`: the API token's name, or the
/// login name at the CLI) and why.
public struct ManualEventInfo: Sendable, Equatable, Codable {
    public var id: Int64
    public var sessionID: Int64
    public var delegateID: String
    public var kind: ManualEventKind
    public var reason: String
    public var operatorName: String?
    public var at: Date
}

/// An `audit_event` row. Hash-chained.
struct AuditEventRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "audit_event"
    var id: Int64?
    var action: String
    var actor: String
    var detail: String?
    var at: Int64
    var seq: Int64
    var prevHash: String
    var hash: String

    enum CodingKeys: String, CodingKey {
        case id, action, actor, detail, at, seq, hash
        case prevHash = "prev_hash"
    }
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The chained content, in a frozen order.
    var chainFields: [String?] { [action, actor, detail, "\(at)"] }

    var info: AuditEventInfo {
        AuditEventInfo(id: id!, sequence: seq, action: action, actor: actor, detail: detail, at: Date(milliseconds: at))
    }
}

extension RollCallStore {
    /// Chains one audit event on its own (for changes made elsewhere, e.g. face crops erased from disk).
    @discardableResult
    public func recordAuditEvent(action: String, actor: String, detail: String? = nil, at date: Date = Date()) throws -> AuditEventInfo {
        try write { db in try Self.appendAuditEvent(action: action, actor: actor, detail: detail, at: date, db).info }
    }

    /// Every audit event, oldest first.
    public func auditEvents() throws -> [AuditEventInfo] {
        try read { db in try AuditEventRecord.order(Column("seq")).fetchAll(db).map(\.info) }
    }

    /// The manual check-ins and check-outs of a session (every session when `nil`), oldest first.
    public func manualEvents(sessionID: Int64? = nil) throws -> [ManualEventInfo] {
        try read { db in
            var request = ManualEventRecord.order(Column("seq"))
            if let sessionID { request = request.filter(ManualEventRecord.Columns.sessionID == sessionID) }
            return try request.fetchAll(db).map {
                ManualEventInfo(id: $0.id!, sessionID: $0.sessionID, delegateID: $0.delegateID, kind: ManualEventKind(rawValue: $0.kind) ?? .checkin,
                                reason: $0.reason, operatorName: $0.operatorName, at: Date(milliseconds: $0.at))
            }
        }
    }

    /// Appends an audit event to the chain inside the caller's write transaction, so the change and its record
    /// commit together or not at all.
    @discardableResult
    static func appendAuditEvent(action: String, actor: String, detail: String?, at date: Date, _ db: Database) throws -> AuditEventRecord {
        let actor = actor.trimmingCharacters(in: .whitespacesAndNewlines).nfc
        guard !actor.isEmpty else { throw StoreError.badArgument("\(action): the audit chain needs to know who did it") }
        let (seq, previous) = try chainHead(db)
        var event = AuditEventRecord(id: nil, action: action, actor: actor, detail: detail, at: date.millisecondsSince1970,
                                     seq: seq + 1, prevHash: previous, hash: "")
        event.hash = AuditChain.hash(table: "audit_event", sequence: event.seq, fields: event.chainFields, previousHash: previous)
        try event.insert(db)
        try setChainHead(event.seq, event.hash, db)
        return event
    }

    /// The chained audit events as links, for `verifyAudit`.
    static func auditEventLinks(_ db: Database) throws -> [ChainLink] {
        try AuditEventRecord.fetchAll(db).map {
            ChainLink(table: "audit_event", rowID: $0.id!, sequence: $0.seq, fields: $0.chainFields, previousHash: $0.prevHash, hash: $0.hash)
        }
    }
}
