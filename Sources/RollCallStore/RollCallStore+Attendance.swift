import Foundation
import GRDB
import RollCall

/// What a manual check-in or check-out did.
public struct ManualEventResult: Sendable, Equatable {
    /// The session it went into.
    public var sessionID: Int64
    /// The manual event's row id.
    public var eventID: Int64
    /// For a check-in: whether it made the delegate present (false if they already were).
    public var newlyPresent: Bool
}

extension RollCallStore {
    // MARK: - Sessions

    /// Opens a session; only one may be open at a time.
    ///
    /// - Parameters:
    ///   - name: The session's name.
    ///   - quorum: Fraction of the roster that must be present, 0...1.
    ///   - date: Opening time.
    ///   - actor: Who opens it; when given, the opening is chained in the audit trail (`session.open`).
    public func openSession(name: String, quorum: Double, at date: Date = Date(), actor: String? = nil) throws -> SessionInfo {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines).nfc
        guard !name.isEmpty else { throw StoreError.badArgument("session name must not be empty") }
        guard (0...1).contains(quorum) else { throw StoreError.badArgument("quorum must lie in 0...1, got \(quorum)") }
        let session = try write { db -> SessionRecord in
            if let open = try SessionRecord.filter(SessionRecord.Columns.closedAt == nil).fetchOne(db) {
                throw StoreError.sessionAlreadyOpen(open.id!, name: open.name)
            }
            var record = SessionRecord(id: nil, name: name, quorum: quorum, openedAt: date.millisecondsSince1970, closedAt: nil)
            try record.insert(db)
            if let actor {
                try Self.appendAuditEvent(action: "session.open", actor: actor, detail: "session \(record.id!), quorum \(quorum)", at: date, db)
            }
            return record
        }
        logger.info("session opened", metadata: ["session.id": "\(session.id!)"])
        return session.info
    }

    /// Closes the open session; when `actor` is given, the closing is chained in the audit trail (`session.close`).
    public func closeSession(at date: Date = Date(), actor: String? = nil) throws -> SessionInfo {
        let session = try write { db -> SessionRecord in
            guard var open = try SessionRecord.filter(SessionRecord.Columns.closedAt == nil).fetchOne(db) else {
                throw StoreError.noOpenSession
            }
            open.closedAt = max(date.millisecondsSince1970, open.openedAt)
            try open.update(db)
            if let actor { try Self.appendAuditEvent(action: "session.close", actor: actor, detail: "session \(open.id!)", at: date, db) }
            return open
        }
        logger.info("session closed", metadata: ["session.id": "\(session.id!)"])
        return session.info
    }

    /// Every session, newest first.
    public func sessions() throws -> [SessionInfo] {
        try read { db in try SessionRecord.order(SessionRecord.Columns.id.desc).fetchAll(db).map(\.info) }
    }

    /// The open session, if any.
    public func currentSession() throws -> SessionInfo? {
        try read { db in try SessionRecord.filter(SessionRecord.Columns.closedAt == nil).fetchOne(db)?.info }
    }

    /// One session.
    public func session(id: Int64) throws -> SessionInfo {
        guard let record = try read({ db in try SessionRecord.fetchOne(db, key: id) }) else { throw StoreError.unknownSession(id) }
        return record.info
    }

    // MARK: - Sightings and attendance

    /// Logs one recognition at a gate (accepted or not). Sightings are a log apart from attendance: they never change it.
    ///
    /// - Parameters:
    ///   - session: The session id.
    ///   - delegateID: The recognised delegate, `nil` for an unknown face.
    ///   - gate: The gate or camera name.
    ///   - distance: The match distance, if there was a candidate.
    ///   - date: When the face was seen.
    public func recordSighting(session: Int64, delegateID: String?, gate: String, distance: Float?, at date: Date) throws {
        try write { db in
            guard try SessionRecord.exists(db, key: session) else { throw StoreError.unknownSession(session) }
            var record = SightingRecord(id: nil, sessionID: session, delegateID: delegateID?.nfc, gate: gate,
                                        distance: distance.map(Double.init), seenAt: date.millisecondsSince1970)
            try record.insert(db)
        }
    }

    /// Marks a delegate present from a confirmed face sighting. The first confirmation wins: later ones never move the
    /// time, gate or distance.
    ///
    /// - Returns: `true` if the delegate was not yet present in the session.
    @discardableResult
    public func confirmPresence(session: Int64, delegateID: String, gate: String, distance: Float, at date: Date) throws -> Bool {
        let delegateID = delegateID.nfc
        let isNew = try write { db in
            try Self.requireOpenSession(session, db)
            guard try DelegateRecord.exists(db, key: delegateID) else { throw StoreError.unknownDelegate(delegateID) }
            return try Self.insertAttendanceIfFirst(session: session, delegateID: delegateID, method: .face, gate: gate,
                                                     distance: Double(distance), at: date, db)
        }
        if isNew { logger.debug("delegate confirmed", metadata: ["delegate.id": "\(delegateID)", "session.id": "\(session)"]) }
        return isNew
    }

    /// Secretariat check-in into the open session: logs the event with its reason and marks the delegate present
    /// (method `manual`) unless they already are.
    public func checkin(delegateID: String, reason: String, operator operatorName: String? = nil, at date: Date = Date()) throws -> ManualEventResult {
        try manualEvent(.checkin, delegateID: delegateID, reason: reason, operatorName: operatorName, at: date)
    }

    /// Secretariat check-out from the open session, with its reason. Before arrival it makes the delegate `excused`;
    /// after arrival it is logged and leaves the first arrival unchanged.
    public func checkout(delegateID: String, reason: String, operator operatorName: String? = nil, at date: Date = Date()) throws -> ManualEventResult {
        try manualEvent(.checkout, delegateID: delegateID, reason: reason, operatorName: operatorName, at: date)
    }

    private func manualEvent(_ kind: ManualEventKind, delegateID: String, reason: String, operatorName: String?, at date: Date) throws -> ManualEventResult {
        let delegateID = delegateID.nfc
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines).nfc
        guard !reason.isEmpty else { throw StoreError.badArgument("\(kind.rawValue) of \(delegateID): a reason is required") }
        let result = try write { db -> ManualEventResult in
            guard let session = try SessionRecord.filter(SessionRecord.Columns.closedAt == nil).fetchOne(db)?.id else {
                throw StoreError.noOpenSession
            }
            guard try DelegateRecord.exists(db, key: delegateID) else { throw StoreError.unknownDelegate(delegateID) }
            let (seq, previous) = try Self.chainHead(db)
            var event = ManualEventRecord(id: nil, sessionID: session, delegateID: delegateID, kind: kind.rawValue, reason: reason,
                                          operatorName: operatorName, at: date.millisecondsSince1970, seq: seq + 1, prevHash: previous, hash: "")
            event.hash = AuditChain.hash(table: "manual_event", sequence: event.seq, fields: event.chainFields, previousHash: previous)
            try event.insert(db)
            try Self.setChainHead(event.seq, event.hash, db)
            var newlyPresent = false
            if kind == .checkin {
                newlyPresent = try Self.insertAttendanceIfFirst(session: session, delegateID: delegateID, method: .manual, gate: nil,
                                                                distance: nil, at: date, db)
            }
            return ManualEventResult(sessionID: session, eventID: event.id!, newlyPresent: newlyPresent)
        }
        logger.info("manual event", metadata: ["delegate.id": "\(delegateID)", "event.kind": "\(kind.rawValue)", "session.id": "\(result.sessionID)"])
        return result
    }

    private static func requireOpenSession(_ id: Int64, _ db: Database) throws {
        guard let session = try SessionRecord.fetchOne(db, key: id) else { throw StoreError.unknownSession(id) }
        guard session.closedAt == nil else { throw StoreError.sessionClosed(id) }
    }

    private static func insertAttendanceIfFirst(
        session: Int64, delegateID: String, method: AttendanceMethod, gate: String?, distance: Double?, at date: Date, _ db: Database
    ) throws -> Bool {
        let exists = try AttendanceRecord
            .filter(AttendanceRecord.Columns.sessionID == session && AttendanceRecord.Columns.delegateID == delegateID).fetchCount(db) > 0
        if exists { return false }
        let (seq, previous) = try chainHead(db)
        var record = AttendanceRecord(id: nil, sessionID: session, delegateID: delegateID, method: method.rawValue, gate: gate,
                                      distance: distance, seenAt: date.millisecondsSince1970, seq: seq + 1, prevHash: previous, hash: "")
        record.hash = AuditChain.hash(table: "attendance", sequence: record.seq, fields: record.chainFields, previousHash: previous)
        try record.insert(db)
        try setChainHead(record.seq, record.hash, db)
        return true
    }

    // MARK: - Audit chain

    static func chainHead(_ db: Database) throws -> (Int64, String) {
        let seq = try meta("chain_head_seq", db).flatMap { Int64($0) } ?? 0
        return (seq, try meta("chain_head_hash", db) ?? AuditChain.genesis)
    }

    static func setChainHead(_ seq: Int64, _ hash: String, _ db: Database) throws {
        try setMeta("chain_head_seq", "\(seq)", db)
        try setMeta("chain_head_hash", hash, db)
    }

    /// Walks the attendance and manual-event chain and names the first broken link.
    public func verifyAudit() throws -> AuditVerdict {
        try read { db in
            let attendance = try AttendanceRecord.fetchAll(db).map {
                ChainLink(table: "attendance", rowID: $0.id!, sequence: $0.seq, fields: $0.chainFields, previousHash: $0.prevHash, hash: $0.hash)
            }
            let events = try ManualEventRecord.fetchAll(db).map {
                ChainLink(table: "manual_event", rowID: $0.id!, sequence: $0.seq, fields: $0.chainFields, previousHash: $0.prevHash, hash: $0.hash)
            }
            let (seq, hash) = try Self.chainHead(db)
            return AuditChain.verify(attendance + events + (try Self.auditEventLinks(db)), head: (seq, hash))
        }
    }

    // MARK: - Reports

    /// The roll call of a session (default: the open one, else the latest), in roster order.
    public func report(sessionID: Int64? = nil, at date: Date = Date()) throws -> AttendanceReport {
        try read { db in
            let sessionRecord: SessionRecord?
            if let sessionID {
                sessionRecord = try SessionRecord.fetchOne(db, key: sessionID)
                guard sessionRecord != nil else { throw StoreError.unknownSession(sessionID) }
            } else {
                sessionRecord = try SessionRecord.filter(SessionRecord.Columns.closedAt == nil).fetchOne(db)
                    ?? SessionRecord.order(SessionRecord.Columns.id.desc).fetchOne(db)
            }
            guard let session = sessionRecord else { throw StoreError.badArgument("no session yet (open one with: rollcall session open NAME)") }
            let id = session.id!
            let attendance = Dictionary(
                try AttendanceRecord.filter(AttendanceRecord.Columns.sessionID == id).fetchAll(db).map { ($0.delegateID, $0) },
                uniquingKeysWith: { a, _ in a })
            var lastEvent: [String: ManualEventRecord] = [:]
            for event in try ManualEventRecord.filter(ManualEventRecord.Columns.sessionID == id)
                .order(ManualEventRecord.Columns.at, Column("id")).fetchAll(db) {
                lastEvent[event.delegateID] = event
            }
            let checkouts = Set(try String.fetchAll(db, sql: "SELECT delegate_id FROM manual_event WHERE session_id = ? AND kind = 'checkout'", arguments: [id]))
            let rows = try DelegateRecord.order(DelegateRecord.Columns.rosterOrder, DelegateRecord.Columns.id).fetchAll(db).map { d in
                let a = attendance[d.id]
                let status = AttendanceStatus.derive(isPresent: a != nil, hasCheckout: checkouts.contains(d.id))
                return AttendanceReport.Row(
                    delegateID: d.id, name: d.name, unit: d.unit, seat: d.seat, status: status,
                    firstSeen: a.map { Date(milliseconds: $0.seenAt) }, gate: a?.gate, distance: a?.distance,
                    method: a.flatMap { AttendanceMethod(rawValue: $0.method) },
                    note: status == .absent ? nil : lastEvent[d.id]?.reason)
            }
            let (_, head) = try Self.chainHead(db)
            return AttendanceReport(session: session.info, rows: rows, generatedAt: date, chainHead: head)
        }
    }

    /// Present against expected in a session (default: the open one).
    public func quorum(sessionID: Int64? = nil) throws -> Quorum {
        try report(sessionID: sessionID).quorum
    }
}

extension SessionRecord {
    var info: SessionInfo {
        SessionInfo(id: id!, name: name, quorum: quorum, openedAt: Date(milliseconds: openedAt), closedAt: closedAt.map { Date(milliseconds: $0) })
    }
}
