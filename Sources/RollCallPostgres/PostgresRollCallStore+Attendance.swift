import Foundation
import PostgresNIO
import RollCall
import RollCallStore

// MARK: - Sessions

extension PostgresRollCallStore {
    public func openSession(name: String, quorum: QuorumRule, at date: Date, actor: String?) throws -> SessionInfo {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines).nfc
        guard !name.isEmpty else { throw StoreError.badArgument("session name must not be empty") }
        let session = try connections.transaction { tx -> SessionInfo in
            // The partial unique index refuses a second open session, also one opened by another machine just now.
            let row = try tx.row("""
                INSERT INTO session (name, quorum, quorum_rule, opened_at) VALUES (\(name), \(quorum.approximateValue), \(quorum.description), \(date.millisecondsSince1970))
                ON CONFLICT DO NOTHING RETURNING id, name, quorum, quorum_rule, opened_at, closed_at
                """)
            guard let row else {
                let open = try tx.row("SELECT id, name FROM session WHERE closed_at IS NULL")
                throw StoreError.sessionAlreadyOpen(try open?["id"].decode(Int64.self) ?? 0, name: try open?["name"].decode(String.self) ?? "?")
            }
            let session = try Self.sessionFrom(row)
            if let actor {
                try Self.appendAuditEvent(action: "session.open", actor: actor, detail: "session \(session.id), quorum \(quorum)", at: date, tx)
            }
            return session
        }
        logger.info("session opened", metadata: ["session.id": "\(session.id)", "session.quorum": "\(quorum)"])
        return session
    }

    public func closeSession(at date: Date, actor: String?) throws -> SessionInfo {
        let session = try connections.transaction { tx -> SessionInfo in
            guard let row = try tx.row("""
                UPDATE session SET closed_at = GREATEST(\(date.millisecondsSince1970), opened_at) WHERE closed_at IS NULL
                RETURNING id, name, quorum, quorum_rule, opened_at, closed_at
                """) else { throw StoreError.noOpenSession }
            let session = try Self.sessionFrom(row)
            if let actor { try Self.appendAuditEvent(action: "session.close", actor: actor, detail: "session \(session.id)", at: date, tx) }
            return session
        }
        logger.info("session closed", metadata: ["session.id": "\(session.id)"])
        return session
    }

    public func sessions() throws -> [SessionInfo] {
        try connections.transaction { tx in
            try tx.rows("SELECT id, name, quorum, quorum_rule, opened_at, closed_at FROM session ORDER BY id DESC").map(Self.sessionFrom)
        }
    }

    public func currentSession() throws -> SessionInfo? {
        try connections.transaction { tx in
            try tx.row("SELECT id, name, quorum, quorum_rule, opened_at, closed_at FROM session WHERE closed_at IS NULL").map(Self.sessionFrom)
        }
    }

    public func session(id: Int64) throws -> SessionInfo {
        guard let session = try connections.transaction({ tx in
            try tx.row("SELECT id, name, quorum, quorum_rule, opened_at, closed_at FROM session WHERE id = \(id)").map(Self.sessionFrom)
        }) else { throw StoreError.unknownSession(id) }
        return session
    }

    static func sessionFrom(_ row: PostgresRandomAccessRow) throws -> SessionInfo {
        let fraction = try row["quorum"].decode(Double.self)
        let rule = try row["quorum_rule"].decode(String?.self).flatMap { try? QuorumRule.parse($0) } ?? QuorumRule.legacy(fraction)
        return SessionInfo(id: try row["id"].decode(Int64.self), name: try row["name"].decode(String.self), quorumRule: rule,
                           openedAt: Date(milliseconds: try row["opened_at"].decode(Int64.self)),
                           closedAt: try row["closed_at"].decode(Int64?.self).map { Date(milliseconds: $0) })
    }
}

// MARK: - Sightings and attendance

extension PostgresRollCallStore {
    public func recordSighting(_ sighting: Sighting) throws {
        try connections.transaction { tx in _ = try Self.insertSighting(sighting, tx) }
    }

    public func recordConfirmedSighting(_ sighting: Sighting) throws -> Confirmation {
        guard let delegateID = sighting.delegateID?.nfc else {
            throw StoreError.badArgument("confirmed sighting \(sighting.id) names no delegate")
        }
        let confirmation = try connections.transaction { tx -> Confirmation in
            let session = try Self.requireOpenSession(sighting.sessionID, tx)
            guard try tx.row("SELECT 1 FROM delegate WHERE id = \(delegateID)") != nil else { throw StoreError.unknownDelegate(delegateID) }
            let checkedIn: Bool
            if try Self.insertSighting(sighting, tx) {
                checkedIn = try Self.insertAttendanceIfFirst(
                    session: sighting.sessionID, delegateID: delegateID, method: .face, gate: sighting.gate,
                    distance: sighting.distance.map(Double.init), at: sighting.seenAt, sightingUID: sighting.id, tx)
            } else {
                // A retry: say again what the first write decided.
                checkedIn = try tx.row("SELECT 1 FROM attendance WHERE sighting_uid = \(sighting.id)") != nil
            }
            return Confirmation(checkedIn: checkedIn, quorum: try Self.countQuorum(session, tx))
        }
        if confirmation.checkedIn {
            logger.debug("delegate confirmed", metadata: ["delegate.id": "\(delegateID)", "session.id": "\(sighting.sessionID)"])
        }
        return confirmation
    }

    public func sightingCount(sessionID: Int64) throws -> Int {
        try connections.transaction { tx in
            Int(try tx.row("SELECT COUNT(*) AS n FROM sighting WHERE session_id = \(sessionID)")!["n"].decode(Int64.self))
        }
    }

    public func checkin(delegateID: String, reason: String, operator operatorName: String?, at date: Date) throws -> ManualEventResult {
        try manualEvent(.checkin, delegateID: delegateID, reason: reason, operatorName: operatorName, at: date)
    }

    public func checkout(delegateID: String, reason: String, operator operatorName: String?, at date: Date) throws -> ManualEventResult {
        try manualEvent(.checkout, delegateID: delegateID, reason: reason, operatorName: operatorName, at: date)
    }

    private func manualEvent(_ kind: ManualEventKind, delegateID: String, reason: String, operatorName: String?, at date: Date) throws -> ManualEventResult {
        let delegateID = delegateID.nfc
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines).nfc
        guard !reason.isEmpty else { throw StoreError.badArgument("\(kind.rawValue) of \(delegateID): a reason is required") }
        let result = try connections.transaction { tx -> ManualEventResult in
            guard let session = try tx.row("SELECT id FROM session WHERE closed_at IS NULL").map({ try $0["id"].decode(Int64.self) }) else {
                throw StoreError.noOpenSession
            }
            guard try tx.row("SELECT 1 FROM delegate WHERE id = \(delegateID)") != nil else { throw StoreError.unknownDelegate(delegateID) }
            try tx.execute("SELECT pg_advisory_xact_lock(\(Self.chainLock))")
            let (seq, previous) = try Self.chainHead(tx)
            let at = date.millisecondsSince1970
            let fields: [String?] = ["\(session)", delegateID, kind.rawValue, reason, operatorName, "\(at)"]
            let hash = AuditChain.hash(table: "manual_event", sequence: seq + 1, fields: fields, previousHash: previous)
            let row = try tx.row("""
                INSERT INTO manual_event (session_id, delegate_id, kind, reason, operator, at, seq, prev_hash, hash)
                VALUES (\(session), \(delegateID), \(kind.rawValue), \(reason), \(operatorName), \(at), \(seq + 1), \(previous), \(hash))
                RETURNING id
                """)!
            try Self.setChainHead(seq + 1, hash, tx)
            var newlyPresent = false
            if kind == .checkin {
                newlyPresent = try Self.insertAttendanceIfFirst(session: session, delegateID: delegateID, method: .manual, gate: nil,
                                                                distance: nil, at: date, sightingUID: nil, tx)
            }
            let standing = try Self.histories(session: session, delegateID: delegateID, tx)[delegateID]?.standing
            return ManualEventResult(sessionID: session, eventID: try row["id"].decode(Int64.self), newlyPresent: newlyPresent,
                                     status: standing?.status ?? .absent, at: Date(milliseconds: at))
        }
        logger.info("manual event", metadata: ["delegate.id": "\(delegateID)", "event.kind": "\(kind.rawValue)", "session.id": "\(result.sessionID)"])
        return result
    }

    /// Inserts a sighting unless its id is logged already; `true` when it was new.
    private static func insertSighting(_ sighting: Sighting, _ tx: PostgresTransaction) throws -> Bool {
        guard try tx.row("SELECT 1 FROM session WHERE id = \(sighting.sessionID)") != nil else { throw StoreError.unknownSession(sighting.sessionID) }
        let inserted = try tx.execute("""
            INSERT INTO sighting (uid, session_id, delegate_id, gate, distance, seen_at)
            VALUES (\(sighting.id), \(sighting.sessionID), \(sighting.delegateID?.nfc), \(sighting.gate), \(sighting.distance.map(Double.init)),
                    \(sighting.seenAt.millisecondsSince1970))
            ON CONFLICT (uid) DO NOTHING
            """)
        return inserted > 0
    }

    private static func requireOpenSession(_ id: Int64, _ tx: PostgresTransaction) throws -> SessionInfo {
        guard let session = try tx.row("SELECT id, name, quorum, quorum_rule, opened_at, closed_at FROM session WHERE id = \(id)").map(Self.sessionFrom)
        else { throw StoreError.unknownSession(id) }
        guard session.closedAt == nil else { throw StoreError.sessionClosed(id) }
        return session
    }

    /// The first arrival wins: checked without the lock (most confirmations are of delegates already in), then again
    /// under it, where the chain link is appended.
    private static func insertAttendanceIfFirst(
        session: Int64, delegateID: String, method: AttendanceMethod, gate: String?, distance: Double?, at date: Date,
        sightingUID: UUID?, _ tx: PostgresTransaction
    ) throws -> Bool {
        let existing: PostgresQuery = "SELECT 1 FROM attendance WHERE session_id = \(session) AND delegate_id = \(delegateID)"
        if try tx.row(existing) != nil { return false }
        try tx.execute("SELECT pg_advisory_xact_lock(\(chainLock))")
        if try tx.row(existing) != nil { return false }
        let (seq, previous) = try chainHead(tx)
        let seenAt = date.millisecondsSince1970
        let fields: [String?] = ["\(session)", delegateID, method.rawValue, gate, distance.map { "\($0)" }, "\(seenAt)"]
        let hash = AuditChain.hash(table: "attendance", sequence: seq + 1, fields: fields, previousHash: previous)
        try tx.execute("""
            INSERT INTO attendance (session_id, delegate_id, method, gate, distance, seen_at, seq, prev_hash, hash, sighting_uid)
            VALUES (\(session), \(delegateID), \(method.rawValue), \(gate), \(distance), \(seenAt), \(seq + 1), \(previous), \(hash), \(sightingUID))
            """)
        try setChainHead(seq + 1, hash, tx)
        return true
    }
}

// MARK: - Audit chain

extension PostgresRollCallStore {
    public func chainAuditEvent(action: String, actor: String, detail: String?, at date: Date) throws {
        try connections.transaction { tx in try Self.appendAuditEvent(action: action, actor: actor, detail: detail, at: date, tx) }
    }

    static func appendAuditEvent(action: String, actor: String, detail: String?, at date: Date, _ tx: PostgresTransaction) throws {
        let actor = actor.trimmingCharacters(in: .whitespacesAndNewlines).nfc
        guard !actor.isEmpty else { throw StoreError.badArgument("\(action): the audit chain needs to know who did it") }
        try tx.execute("SELECT pg_advisory_xact_lock(\(chainLock))")
        let (seq, previous) = try chainHead(tx)
        let at = date.millisecondsSince1970
        let hash = AuditChain.hash(table: "audit_event", sequence: seq + 1, fields: [action, actor, detail, "\(at)"], previousHash: previous)
        try tx.execute("""
            INSERT INTO audit_event (action, actor, detail, at, seq, prev_hash, hash)
            VALUES (\(action), \(actor), \(detail), \(at), \(seq + 1), \(previous), \(hash))
            """)
        try setChainHead(seq + 1, hash, tx)
    }

    /// The head of the chain; read only under `chainLock`.
    static func chainHead(_ tx: PostgresTransaction) throws -> (Int64, String) {
        let seq = try meta("chain_head_seq", tx).flatMap { Int64($0) } ?? 0
        return (seq, try meta("chain_head_hash", tx) ?? AuditChain.genesis)
    }

    static func setChainHead(_ seq: Int64, _ hash: String, _ tx: PostgresTransaction) throws {
        try setMeta("chain_head_seq", "\(seq)", tx)
        try setMeta("chain_head_hash", hash, tx)
    }

    public func verifyAudit() throws -> AuditVerdict {
        try connections.transaction { tx in
            try tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return try Self.verifyAudit(tx)
        }
    }

    static func verifyAudit(_ tx: PostgresTransaction) throws -> AuditVerdict {
        let attendance = try tx.rows("SELECT id, session_id, delegate_id, method, gate, distance, seen_at, seq, prev_hash, hash FROM attendance").map { r in
            ChainLink(table: "attendance", rowID: try r["id"].decode(Int64.self), sequence: try r["seq"].decode(Int64.self),
                      fields: ["\(try r["session_id"].decode(Int64.self))", try r["delegate_id"].decode(String.self), try r["method"].decode(String.self),
                               try r["gate"].decode(String?.self), try r["distance"].decode(Double?.self).map { "\($0)" },
                               "\(try r["seen_at"].decode(Int64.self))"],
                      previousHash: try r["prev_hash"].decode(String.self), hash: try r["hash"].decode(String.self))
        }
        let events = try tx.rows("SELECT id, session_id, delegate_id, kind, reason, operator, at, seq, prev_hash, hash FROM manual_event").map { r in
            ChainLink(table: "manual_event", rowID: try r["id"].decode(Int64.self), sequence: try r["seq"].decode(Int64.self),
                      fields: ["\(try r["session_id"].decode(Int64.self))", try r["delegate_id"].decode(String.self), try r["kind"].decode(String.self),
                               try r["reason"].decode(String.self), try r["operator"].decode(String?.self), "\(try r["at"].decode(Int64.self))"],
                      previousHash: try r["prev_hash"].decode(String.self), hash: try r["hash"].decode(String.self))
        }
        let audits = try tx.rows("SELECT id, action, actor, detail, at, seq, prev_hash, hash FROM audit_event").map { r in
            ChainLink(table: "audit_event", rowID: try r["id"].decode(Int64.self), sequence: try r["seq"].decode(Int64.self),
                      fields: [try r["action"].decode(String.self), try r["actor"].decode(String.self), try r["detail"].decode(String?.self),
                               "\(try r["at"].decode(Int64.self))"],
                      previousHash: try r["prev_hash"].decode(String.self), hash: try r["hash"].decode(String.self))
        }
        let (seq, hash) = try chainHead(tx)
        return AuditChain.verify(attendance + events + audits, head: (seq, hash))
    }
}

// MARK: - Counts and reports

extension PostgresRollCallStore {
    public func quorum(sessionID: Int64?) throws -> Quorum {
        try connections.transaction { tx in try Self.countQuorum(try Self.reportSession(sessionID, tx), tx) }
    }

    /// Delegates on the roster, and those whose arrival is recorded and not followed by a check-out
    /// (`PresenceHistory.standing`: the last event at or after the arrival decides), counted by the server.
    static func countQuorum(_ session: SessionInfo, _ tx: PostgresTransaction) throws -> Quorum {
        let row = try tx.row("""
            SELECT (SELECT COUNT(*) FROM delegate) AS expected,
                   (SELECT COUNT(*) FROM attendance a JOIN delegate d ON d.id = a.delegate_id
                     WHERE a.session_id = \(session.id)
                       AND COALESCE((SELECT m.kind FROM manual_event m
                                      WHERE m.session_id = a.session_id AND m.delegate_id = a.delegate_id AND m.at >= a.seen_at
                                      ORDER BY m.at DESC, m.seq DESC LIMIT 1), 'checkin') = 'checkin') AS present
            """)!
        return Quorum(expected: Int(try row["expected"].decode(Int64.self)), present: Int(try row["present"].decode(Int64.self)),
                      rule: session.quorumRule)
    }

    public func report(sessionID: Int64?, at date: Date) throws -> AttendanceReport {
        try connections.transaction { tx in
            // One snapshot for the rows and the verdict they carry.
            try tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            let session = try Self.reportSession(sessionID, tx)
            let rows = try Self.rows(session: session.id, tx)
            let (_, head) = try Self.chainHead(tx)
            return AttendanceReport(session: session, rows: rows, generatedAt: date, chainHead: head, audit: try Self.verifyAudit(tx))
        }
    }

    private static func reportSession(_ sessionID: Int64?, _ tx: PostgresTransaction) throws -> SessionInfo {
        let columns = "id, name, quorum, quorum_rule, opened_at, closed_at"
        if let sessionID {
            guard let row = try tx.row("SELECT \(unescaped: columns) FROM session WHERE id = \(sessionID)") else { throw StoreError.unknownSession(sessionID) }
            return try sessionFrom(row)
        }
        guard let row = try tx.row("SELECT \(unescaped: columns) FROM session WHERE closed_at IS NULL")
            ?? tx.row("SELECT \(unescaped: columns) FROM session ORDER BY id DESC LIMIT 1") else { throw StoreError.noSessionYet }
        return try sessionFrom(row)
    }

    private static func rows(session id: Int64, _ tx: PostgresTransaction) throws -> [AttendanceReport.Row] {
        var attendance: [String: PostgresRandomAccessRow] = [:]
        for row in try tx.rows("SELECT delegate_id, method, gate, distance, seen_at FROM attendance WHERE session_id = \(id)") {
            attendance[try row["delegate_id"].decode(String.self)] = row
        }
        let histories = try histories(session: id, delegateID: nil, tx)
        return try tx.rows("SELECT id, name, unit, seat, roster_order FROM delegate ORDER BY roster_order, id").map { row in
            let d = try delegateFrom(row)
            let a = attendance[d.id]
            let standing = (histories[d.id] ?? PresenceHistory(arrival: nil, events: [])).standing
            return AttendanceReport.Row(
                delegateID: d.id, name: d.name, unit: d.unit, seat: d.seat, status: standing.status,
                firstSeen: try a.map { Date(milliseconds: try $0["seen_at"].decode(Int64.self)) }, leftAt: standing.leftAt,
                gate: try a?["gate"].decode(String?.self), distance: try a?["distance"].decode(Double?.self),
                method: try a.flatMap { AttendanceMethod(rawValue: try $0["method"].decode(String.self)) }, note: standing.note)
        }
    }

    private static func histories(session id: Int64, delegateID: String?, _ tx: PostgresTransaction) throws -> [String: PresenceHistory] {
        var histories: [String: PresenceHistory] = [:]
        for row in try tx.rows("SELECT delegate_id, seen_at FROM attendance WHERE session_id = \(id) AND (\(delegateID)::text IS NULL OR delegate_id = \(delegateID))") {
            histories[try row["delegate_id"].decode(String.self)] = PresenceHistory(arrival: Date(milliseconds: try row["seen_at"].decode(Int64.self)), events: [])
        }
        for row in try tx.rows("""
            SELECT delegate_id, kind, reason, at FROM manual_event
            WHERE session_id = \(id) AND (\(delegateID)::text IS NULL OR delegate_id = \(delegateID)) ORDER BY at, seq
            """) {
            guard let kind = ManualEventKind(rawValue: try row["kind"].decode(String.self)) else { continue }
            histories[try row["delegate_id"].decode(String.self), default: PresenceHistory(arrival: nil, events: [])].events
                .append(.init(kind: kind, at: Date(milliseconds: try row["at"].decode(Int64.self)), reason: try row["reason"].decode(String.self)))
        }
        return histories
    }
}
