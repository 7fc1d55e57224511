import Foundation
import GRDB
import Testing
import Texts

@testable import RollCall
@testable import RollCallStore

struct AttendanceTests {
    private let t0 = Date(timeIntervalSince1970: 1_767_225_600)

    private func storeWithSession(_ dir: TemporaryDirectory, ids: [String] = ["D-1", "D-2", "D-3"], quorum: Double = 0.5) throws -> (RollCallStore, Int64) {
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(ids))
        let session = try store.openSession(name: "Phiên khai mạc", quorum: quorum, at: t0)
        return (store, session.id)
    }

    @Test func firstSightingWins() throws {
        let dir = TemporaryDirectory()
        let (store, session) = try storeWithSession(dir)
        try store.recordSighting(session: session, delegateID: "D-1", gate: "A", distance: 0.31, at: t0.addingTimeInterval(10))
        #expect(try store.confirmPresence(session: session, delegateID: "D-1", gate: "A", distance: 0.31, at: t0.addingTimeInterval(10)))
        try store.recordSighting(session: session, delegateID: "D-1", gate: "B", distance: 0.12, at: t0.addingTimeInterval(99))
        #expect(try !store.confirmPresence(session: session, delegateID: "D-1", gate: "B", distance: 0.12, at: t0.addingTimeInterval(99)))
        try store.recordSighting(session: session, delegateID: nil, gate: "A", distance: nil, at: t0.addingTimeInterval(5))
        let row = try #require(try store.report(sessionID: session).rows.first { $0.delegateID == "D-1" })
        #expect(row.status == .present && row.gate == "A" && row.method == .face)
        #expect(row.firstSeen == t0.addingTimeInterval(10))
        #expect(abs((row.distance ?? 0) - 0.31) < 1e-6)
        let sightings = try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sighting")! }
        #expect(sightings == 3)
    }

    @Test func onlyOneSessionIsOpenAndClosedSessionsRefuseAttendance() throws {
        let dir = TemporaryDirectory()
        let (store, session) = try storeWithSession(dir)
        #expect(throws: StoreError.self) { _ = try store.openSession(name: "Second", quorum: 0.5) }
        _ = try store.closeSession(at: t0.addingTimeInterval(60))
        #expect(throws: StoreError.sessionClosed(session)) {
            try store.confirmPresence(session: session, delegateID: "D-1", gate: "A", distance: 0.2, at: t0)
        }
        #expect(throws: StoreError.noOpenSession) { _ = try store.checkin(delegateID: "D-1", reason: "late") }
        #expect(throws: StoreError.noOpenSession) { _ = try store.closeSession() }
        let second = try store.openSession(name: "Second", quorum: 0.5)
        #expect(try store.sessions().map(\.id) == [second.id, session])
        #expect(try store.currentSession()?.id == second.id)
        // The schema itself refuses a second open session.
        #expect(throws: DatabaseError.self) {
            try store.writer.write { db in try db.execute(sql: "INSERT INTO session(name, quorum, opened_at) VALUES ('x', 0.5, 0)") }
        }
    }

    @Test func manualCheckinCheckoutAndExcused() throws {
        let dir = TemporaryDirectory()
        let (store, session) = try storeWithSession(dir, ids: ["D-1", "D-2", "D-3", "D-4"], quorum: 0.5)
        #expect(try store.checkin(delegateID: "D-2", reason: "badge camera down", at: t0.addingTimeInterval(30)).newlyPresent)
        _ = try store.checkout(delegateID: "D-3", reason: "ốm, có giấy phép", at: t0.addingTimeInterval(40))
        try store.confirmPresence(session: session, delegateID: "D-1", gate: "A", distance: 0.2, at: t0.addingTimeInterval(50))
        _ = try store.checkout(delegateID: "D-1", reason: "left early", at: t0.addingTimeInterval(70))
        #expect(try !store.checkin(delegateID: "D-1", reason: "back", at: t0.addingTimeInterval(80)).newlyPresent)
        #expect(throws: StoreError.self) { _ = try store.checkin(delegateID: "D-4", reason: "   ") }
        let report = try store.report()
        #expect(report.rows.map(\.status) == [.present, .present, .excused, .absent])
        #expect(report.rows[1].method == .manual && report.rows[1].firstSeen == t0.addingTimeInterval(30))
        #expect(report.rows[0].method == .face && report.rows[0].firstSeen == t0.addingTimeInterval(50))
        #expect(report.rows[2].note == "ốm, có giấy phép")
        #expect(report.quorum == Quorum(expected: 4, present: 2, rule: .atLeast(1, 2)))
        #expect(report.quorum.isMet)
        #expect(try store.verifyAudit().isIntact)
    }

    @Test func reportFollowsRosterOrderAndRendersAllFormats() throws {
        let dir = TemporaryDirectory()
        let (store, session) = try storeWithSession(dir)
        try store.confirmPresence(session: session, delegateID: "D-3", gate: "Cổng chính", distance: 0.25, at: t0)
        let report = try store.report(sessionID: session, at: t0)
        #expect(report.rows.map(\.delegateID) == ["D-1", "D-2", "D-3"])
        let csv = report.csv(time: .vietnam)
        #expect(csv.contains("D-3,Lê Hoàng Châu,Đoàn 2,,present,2026-01-01T07:00:00+07:00,,Cổng chính,0.2500,face,,intact"))
        #expect(report.json(time: .vietnam).contains("\"quorum\""))
        #expect(report.chainHead == (try store.verifyAudit().headHash))
        #expect(throws: StoreError.unknownSession(99)) { _ = try store.report(sessionID: 99) }
    }

    @Test func checkoutAfterArrivalIsLeftAndNoLongerCountsTowardsTheQuorum() throws {
        // Given four delegates under "more than half", three of them in
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2", "D-3", "D-4"]))
        let session = try store.openSession(name: "Phiên chiều", quorum: .moreThan(1, 2), at: t0).id
        for (i, id) in ["D-1", "D-2", "D-3"].enumerated() {
            try store.confirmPresence(session: session, delegateID: id, gate: "A", distance: 0.2, at: t0.addingTimeInterval(Double(i)))
        }
        #expect(try store.quorum().isMet)
        // When D-2 leaves early
        let result = try store.checkout(delegateID: "D-2", reason: "về sớm, có việc gia đình", at: t0.addingTimeInterval(3600))
        // Then D-2 is left at that time, the arrival is kept, and 2 of 4 is not more than half
        #expect(result.status == .left)
        let report = try store.report()
        let row = try #require(report.rows.first { $0.delegateID == "D-2" })
        #expect(row.status == .left && row.leftAt == t0.addingTimeInterval(3600) && row.firstSeen == t0.addingTimeInterval(1))
        #expect(row.note == "về sớm, có việc gia đình")
        #expect(report.quorum == Quorum(expected: 4, present: 2, rule: .moreThan(1, 2)))
        #expect(!report.quorum.isMet)
        #expect(try !store.quorum().isMet)
        #expect(report.totals.arrived == 3)
        #expect(report.csv(time: .vietnam).contains(",left,2026-01-01T07:00:01+07:00,2026-01-01T08:00:00+07:00,"))
        // And checked in again, D-2 counts again
        let back = try store.checkin(delegateID: "D-2", reason: "đã trở lại", at: t0.addingTimeInterval(4000))
        #expect(!back.newlyPresent && back.status == .present)
        #expect(try store.quorum().present == 3)
        #expect(try store.verifyAudit().isIntact)
    }

    @Test func sessionKeepsItsExactRule() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster((1...39).map { "D-\($0)" }))
        let session = try store.openSession(name: "Đại hội", quorum: .atLeast(2, 3), at: t0)
        for i in 1...25 { try store.confirmPresence(session: session.id, delegateID: "D-\(i)", gate: "A", distance: 0.2, at: t0) }
        #expect(try store.session(id: session.id).quorumRule == .atLeast(2, 3))
        #expect(try store.quorum().required == 26)
        #expect(try !store.quorum().isMet)
        try store.confirmPresence(session: session.id, delegateID: "D-26", gate: "A", distance: 0.2, at: t0)
        #expect(try store.quorum().isMet)
    }

    @Test func sessionOpenedBeforeExactRulesReadsAsItsFraction() throws {
        // Given a session row as an older RollCall wrote it (no quorum_rule)
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        try store.writer.write { db in
            try db.execute(sql: "INSERT INTO session(name, quorum, opened_at) VALUES ('Cũ', ?, 0)", arguments: [2.0 / 3])
        }
        #expect(try store.currentSession()?.quorumRule == .atLeast(2, 3))
    }

    @Test func reportSaysWhenTheChainIsBroken() throws {
        let dir = TemporaryDirectory()
        let (store, session) = try storeWithSession(dir)
        try store.confirmPresence(session: session, delegateID: "D-1", gate: "A", distance: 0.2, at: t0)
        #expect(try store.report().audit.isIntact)
        try store.writer.write { db in try db.execute(sql: "UPDATE attendance SET gate = 'B'") }
        let report = try store.report()
        #expect(!report.audit.isIntact && report.audit.brokenLink == "attendance row 1")
        #expect(report.csv(time: .vietnam).contains(",broken\r\n"))
    }
}
