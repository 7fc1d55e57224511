import Foundation
import GRDB
import RollCall

extension RollCallStore {
    // MARK: - Sessions

    /// Opens a session; only one may be open at a time.
    ///
    /// - Parameters:
    ///   - name: The session's name.
    ///   - quorum: The rule the quorum is counted by (`QuorumRule.parse("2/3")`).
    ///   - date: Opening time.
    ///   - actor: Who opens it; when given, the opening is chained in the audit trail (`session.open`).
    public func openSession(name: String, quorum: QuorumRule, at date: Date = Date(), actor: String? = nil) throws -> SessionInfo {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines).nfc
        guard !name.isEmpty else { throw StoreError.badArgument("session name must not be empty") }
        let session = try write { db -> SessionRecord in
            if let open = try SessionRecord.filter(SessionRecord.Columns.closedAt == nil).fetchOne(db) {
                throw StoreError.sessionAlreadyOpen(open.id!, name: open.name)
            }
            var record = SessionRecord(id: nil, name: name, quorum: quorum.approximateValue, openedAt: date.millisecondsSince1970,
                                       closedAt: nil, quorumRule: quorum.description)
            try record.insert(db)
            if let actor {
                try Self.appendAuditEvent(action: "session.open", actor: actor, detail: "session \(record.id!), quorum \(quorum)", at: date, db)
            }
            return record
        }
        logger.info("session opened", metadata: ["session.id": "\(session.id!)", "session.quorum": "\(quorum)"])
        return session.info
    }

    /// Opens a session whose rule is "at least `quorum`" of the roster, a fraction in 0...1 read as the simplest
    /// exact fraction it stands for (0.5 is 1/2; see `QuorumRule.legacy`).
    public func openSession(name: String, quorum: Double, at date: Date = Date(), actor: String? = nil) throws -> SessionInfo {
        guard (0...1).contains(quorum) else { throw StoreError.badArgument("quorum must lie in 0...1, got \(quorum)") }
        return try openSession(name: name, quorum: QuorumRule.legacy(quorum), at: date, actor: actor)
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
        try recordSighting(Sighting(sessionID: session, delegateID: delegateID, gate: gate, distance: distance, seenAt: date))
    }

    /// Logs one recognition; a sighting whose id is already logged is ignored (a retried write lands once).
    public func recordSighting(_ sighting: Sighting) throws {
        try write { db in _ = try Self.insertSighting(sighting, db) }
    }

    /// Logs a confirmed sighting and checks the delegate in when it is their first in the session, in one
    /// transaction. A retry (the same `sighting.id`) writes nothing and answers what the first write answered.
    public func recordConfirmedSighting(_ sighting: Sighting) throws -> Confirmation {
        guard let delegateID = sighting.delegateID?.nfc else {
            throw StoreError.badArgument("confirmed sighting \(sighting.id) names no delegate")
        }
        let confirmation = try write { db -> Confirmation in
            try Self.requireOpenSession(sighting.sessionID, db)
            guard try DelegateRecord.exists(db, key: delegateID) else { throw StoreError.unknownDelegate(delegateID) }
            let uid = sighting.id.uuidString
            let checkedIn: Bool
            if try Self.insertSighting(sighting, db) {
                checkedIn = try Self.insertAttendanceIfFirst(
                    session: sighting.sessionID, delegateID: delegateID, method: .face, gate: sighting.gate,
                    distance: sighting.distance.map(Double.init), at: sighting.seenAt, sightingUID: uid, db)
            } else {
                checkedIn = try AttendanceRecord.filter(AttendanceRecord.Columns.sightingUID == uid).fetchCount(db) > 0
            }
            let session = try SessionRecord.fetchOne(db, key: sighting.sessionID)!
            return Confirmation(checkedIn: checkedIn, quorum: try Self.countQuorum(session, db))
        }
        if confirmation.checkedIn {
            logger.debug("delegate confirmed", metadata: ["delegate.id": "\(delegateID)", "session.id": "\(sighting.sessionID)"])
        }
        return confirmation
    }

    /// Inserts a sighting unless its id is logged already; `true` when it was new.
    private static func insertSighting(_ sighting: Sighting, _ db: Database) throws -> Bool {
        guard try SessionRecord.exists(db, key: sighting.sessionID) else { throw StoreError.unknownSession(sighting.sessionID) }
        let uid = sighting.id.uuidString
        if try SightingRecord.filter(Column("uid") == uid).fetchCount(db) > 0 { return false }
        var record = SightingRecord(id: nil, sessionID: sighting.sessionID, delegateID: sighting.delegateID?.nfc, gate: sighting.gate,
                                    distance: sighting.distance.map(Double.init), seenAt: sighting.seenAt.millisecondsSince1970, uid: uid)
        try record.insert(db)
        return true
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
            let standing = try Self.histories(session: session, delegateID: delegateID, db)[delegateID]?.standing
            return ManualEventResult(sessionID: session, eventID: event.id!, newlyPresent: newlyPresent,
                                     status: standing?.status ?? .absent, at: Date(milliseconds: event.at))
        }
        logger.info("manual event", metadata: ["delegate.id": "\(delegateID)", "event.kind": "\(kind.rawValue)", "session.id": "\(result.sessionID)"])
        return result
    }

    private static func requireOpenSession(_ id: Int64, _ db: Database) throws {
        guard let session = try SessionRecord.fetchOne(db, key: id) else { throw StoreError.unknownSession(id) }
        guard session.closedAt == nil else { throw StoreError.sessionClosed(id) }
    }

    private static func insertAttendanceIfFirst(
        session: Int64, delegateID: String, method: AttendanceMethod, gate: String?, distance: Double?, at date: Date,
        sightingUID: String? = nil, _ db: Database
    ) throws -> Bool {
        let exists = try AttendanceRecord
            .filter(AttendanceRecord.Columns.sessionID == session && AttendanceRecord.Columns.delegateID == delegateID).fetchCount(db) > 0
        if exists { return false }
        let (seq, previous) = try chainHead(db)
        var record = AttendanceRecord(id: nil, sessionID: session, delegateID: delegateID, method: method.rawValue, gate: gate,
                                      distance: distance, seenAt: date.millisecondsSince1970, seq: seq + 1, prevHash: previous, hash: "",
                                      sightingUID: sightingUID)
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

    /// Walks the chain (attendance, manual events and audit events) and names the first broken link.
    public func verifyAudit() throws -> AuditVerdict {
        try read { db in try Self.verifyAudit(db) }
    }

    /// The chain's verdict inside the caller's read, so a report and the verdict it carries see the same rows.
    static func verifyAudit(_ db: Database) throws -> AuditVerdict {
        let attendance = try AttendanceRecord.fetchAll(db).map {
            ChainLink(table: "attendance", rowID: $0.id!, sequence: $0.seq, fields: $0.chainFields, previousHash: $0.prevHash, hash: $0.hash)
        }
        let events = try ManualEventRecord.fetchAll(db).map {
            ChainLink(table: "manual_event", rowID: $0.id!, sequence: $0.seq, fields: $0.chainFields, previousHash: $0.prevHash, hash: $0.hash)
        }
        let (seq, hash) = try chainHead(db)
        return AuditChain.verify(attendance + events + (try auditEventLinks(db)), head: (seq, hash))
    }

    // MARK: - Reports

    /// The roll call of a session (default: the open one, else the latest), in roster order, with the audit chain
    /// verified in the same read so the report says itself when the chain is broken.
    public func report(sessionID: Int64? = nil, at date: Date = Date()) throws -> AttendanceReport {
        try read { db in
            let session = try Self.reportSession(sessionID, db)
            let rows = try Self.rows(session: session.id!, db)
            let (_, head) = try Self.chainHead(db)
            return AttendanceReport(session: session.info, rows: rows, generatedAt: date, chainHead: head, audit: try Self.verifyAudit(db))
        }
    }

    /// Present now against expected in a session (default: the open one, else the latest), counted in SQL: the
    /// daemon asks at every check-in, so no report is rebuilt and the chain is not verified.
    public func quorum(sessionID: Int64? = nil) throws -> Quorum {
        try read { db in try Self.countQuorum(try Self.reportSession(sessionID, db), db) }
    }

    /// The quorum of `session` from counts: delegates on the roster, and those whose arrival is recorded and not
    /// followed by a check-out (`PresenceHistory.standing`: the last event at or after the arrival decides).
    static func countQuorum(_ session: SessionRecord, _ db: Database) throws -> Quorum {
        let row = try Row.fetchOne(db, sql: StorageSQL.quorumCounts, arguments: [session.id!])!
        return Quorum(expected: row["expected"], present: row["present"], rule: session.info.quorumRule)
    }

    private static func reportSession(_ sessionID: Int64?, _ db: Database) throws -> SessionRecord {
        if let sessionID {
            guard let record = try SessionRecord.fetchOne(db, key: sessionID) else { throw StoreError.unknownSession(sessionID) }
            return record
        }
        let latest = try SessionRecord.filter(SessionRecord.Columns.closedAt == nil).fetchOne(db)
            ?? SessionRecord.order(SessionRecord.Columns.id.desc).fetchOne(db)
        guard let latest else { throw StoreError.noSessionYet }
        return latest
    }

    /// Every delegate's row in a session, roster order.
    private static func rows(session id: Int64, _ db: Database) throws -> [AttendanceReport.Row] {
        let attendance = Dictionary(
            try AttendanceRecord.filter(AttendanceRecord.Columns.sessionID == id).fetchAll(db).map { ($0.delegateID, $0) },
            uniquingKeysWith: { a, _ in a })
        let histories = try histories(session: id, delegateID: nil, db)
        return try DelegateRecord.order(DelegateRecord.Columns.rosterOrder, DelegateRecord.Columns.id).fetchAll(db).map { d in
            let a = attendance[d.id]
            let standing = (histories[d.id] ?? PresenceHistory(arrival: nil, events: [])).standing
            return AttendanceReport.Row(
                delegateID: d.id, name: d.name, unit: d.unit, seat: d.seat, status: standing.status,
                firstSeen: a.map { Date(milliseconds: $0.seenAt) }, leftAt: standing.leftAt, gate: a?.gate, distance: a?.distance,
                method: a.flatMap { AttendanceMethod(rawValue: $0.method) }, note: standing.note)
        }
    }

    /// The chained facts of every delegate (or one) in a session: arrival and manual events in recorded order.
    private static func histories(session id: Int64, delegateID: String?, _ db: Database) throws -> [String: PresenceHistory] {
        var attendance = AttendanceRecord.filter(AttendanceRecord.Columns.sessionID == id)
        var events = ManualEventRecord.filter(ManualEventRecord.Columns.sessionID == id)
        if let delegateID {
            attendance = attendance.filter(AttendanceRecord.Columns.delegateID == delegateID)
            events = events.filter(ManualEventRecord.Columns.delegateID == delegateID)
        }
        var histories: [String: PresenceHistory] = [:]
        for record in try attendance.fetchAll(db) {
            histories[record.delegateID] = PresenceHistory(arrival: Date(milliseconds: record.seenAt), events: [])
        }
        for event in try events.order(ManualEventRecord.Columns.at, ManualEventRecord.Columns.seq).fetchAll(db) {
            guard let kind = ManualEventKind(rawValue: event.kind) else { continue }
            histories[event.delegateID, default: PresenceHistory(arrival: nil, events: [])].events
                .append(.init(kind: kind, at: Date(milliseconds: event.at), reason: event.reason))
        }
        return histories
    }
}

extension SessionRecord {
    var info: SessionInfo {
        let rule = quorumRule.flatMap { try? QuorumRule.parse($0) } ?? QuorumRule.legacy(quorum)
        return SessionInfo(id: id!, name: name, quorumRule: rule, openedAt: Date(milliseconds: openedAt),
                           closedAt: closedAt.map { Date(milliseconds: $0) })
    }
}
