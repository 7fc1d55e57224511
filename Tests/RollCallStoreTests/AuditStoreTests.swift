import Foundation
import GRDB
import Testing

@testable import RollCall
@testable import RollCallStore

/// Tampering behind the program's back with raw SQL, each kind detected and named.
struct AuditStoreTests {
    private let t0 = Date(timeIntervalSince1970: 1_767_225_600)

    /// A store with five chained rows: attendance 1, manual_event 1, attendance 2, attendance 3, manual_event 2.
    private func chainedStore(_ dir: TemporaryDirectory) throws -> RollCallStore {
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2", "D-3", "D-4"]))
        let session = try store.openSession(name: "S", quorum: 0.5, at: t0).id
        try store.confirmPresence(session: session, delegateID: "D-1", gate: "A", distance: 0.2, at: t0.addingTimeInterval(1))
        _ = try store.checkout(delegateID: "D-4", reason: "excused", at: t0.addingTimeInterval(2))
        try store.confirmPresence(session: session, delegateID: "D-2", gate: "A", distance: 0.3, at: t0.addingTimeInterval(3))
        _ = try store.checkin(delegateID: "D-3", reason: "manual", at: t0.addingTimeInterval(4))
        #expect(try store.verifyAudit().isIntact)
        #expect(try store.verifyAudit().checked == 5)
        return store
    }

    @Test func editedRowIsNamed() throws {
        let dir = TemporaryDirectory()
        let store = try chainedStore(dir)
        try store.writer.write { db in try db.execute(sql: "UPDATE attendance SET seen_at = seen_at - 3600000 WHERE delegate_id = 'D-2'") }
        let verdict = try store.verifyAudit()
        #expect(verdict.brokenLink == "attendance row 2")
        #expect(verdict.summary.contains("edited"))
    }

    @Test func editedReasonIsNamed() throws {
        let dir = TemporaryDirectory()
        let store = try chainedStore(dir)
        try store.writer.write { db in try db.execute(sql: "UPDATE manual_event SET reason = 'forged' WHERE id = 1") }
        #expect(try store.verifyAudit().brokenLink == "manual_event row 1")
    }

    @Test func deletedRowIsNamed() throws {
        let dir = TemporaryDirectory()
        let store = try chainedStore(dir)
        try store.writer.write { db in try db.execute(sql: "DELETE FROM manual_event WHERE id = 1") }
        let verdict = try store.verifyAudit()
        #expect(verdict.brokenLink == "attendance row 2")
        #expect(verdict.problem?.contains("deleted") == true)
    }

    @Test func deletedLastRowIsDetected() throws {
        let dir = TemporaryDirectory()
        let store = try chainedStore(dir)
        try store.writer.write { db in try db.execute(sql: "DELETE FROM attendance WHERE delegate_id = 'D-3'") }
        #expect(try !store.verifyAudit().isIntact)
    }

    @Test func insertedRowIsNamed() throws {
        let dir = TemporaryDirectory()
        let store = try chainedStore(dir)
        // The forger even computes a valid hash for the next sequence number.
        try store.writer.write { db in
            let (seq, head) = try RollCallStore.chainHead(db)
            let fields: [String?] = ["1", "D-4", "face", "A", "0.1", "1767225605000"]
            let hash = AuditChain.hash(table: "attendance", sequence: seq + 1, fields: fields, previousHash: head)
            try db.execute(sql: """
                INSERT INTO attendance(session_id, delegate_id, method, gate, distance, seen_at, seq, prev_hash, hash)
                VALUES (1, 'D-4', 'face', 'A', 0.1, 1767225605000, ?, ?, ?)
                """, arguments: [seq + 1, head, hash])
        }
        let verdict = try store.verifyAudit()
        #expect(verdict.brokenLink == "attendance row 4")
        #expect(verdict.problem?.contains("inserted") == true)
    }

    @Test func insertedRowInTheMiddleIsNamed() throws {
        let dir = TemporaryDirectory()
        let store = try chainedStore(dir)
        try store.writer.write { db in
            try db.execute(sql: """
                INSERT INTO manual_event(session_id, delegate_id, kind, reason, at, seq, prev_hash, hash)
                VALUES (1, 'D-4', 'checkin', 'x', 0, 3, 'aa', 'bb')
                """)
        }
        #expect(try store.verifyAudit().brokenLink == "manual_event row 3")
    }
}
