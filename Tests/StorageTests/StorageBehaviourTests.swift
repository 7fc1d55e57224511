import Foundation
import RollCall
import RollCallStore
import Testing

/// What every `RollCallStorage` must do, run on SQLite (in memory) and on PostgreSQL (a real server).
struct StorageBehaviourTests {
    private let at = Date(timeIntervalSince1970: 1_780_000_000)

    private func opened(_ kind: StoreKind, delegates: Int = 10) throws -> (EmptyStore, SessionInfo) {
        let empty = try EmptyStore(kind)
        _ = try empty.store.importRoster(roster(delegates))
        let session = try empty.store.openSession(name: "Kỳ họp thứ nhất", quorum: try QuorumRule.parse("2/3"), at: at, actor: "test")
        return (empty, session)
    }

    private func sighting(_ session: SessionInfo, _ delegate: Int, gate: String = "cổng-1", after seconds: Double = 0) -> Sighting {
        Sighting(sessionID: session.id, delegateID: delegateID(delegate), gate: gate, distance: 0.31, seenAt: at.addingTimeInterval(seconds))
    }

    @Test(arguments: StoreKind.available)
    func rosterImportInsertsThenUpdates(kind: StoreKind) throws {
        // Given an empty store
        let empty = try EmptyStore(kind)
        // When the roster is imported twice
        let first = try empty.store.importRoster(roster(3))
        let second = try empty.store.importRoster(roster(4))
        // Then the second import updates the known ids and inserts the new one, in roster order
        #expect(first.inserted == 3 && first.updated == 0)
        #expect(second.inserted == 1 && second.updated == 3)
        #expect(try empty.store.delegates().map(\.id) == ["D-001", "D-002", "D-003", "D-004"])
        #expect(try empty.store.delegate(id: "D-002").name == "Đại biểu 2")
        #expect(throws: StoreError.unknownDelegate("D-999")) { try empty.store.delegate(id: "D-999") }
    }

    @Test(arguments: StoreKind.available)
    func firstConfirmedSightingWinsAcrossGates(kind: StoreKind) throws {
        let (empty, session) = try opened(kind)
        // When two gates confirm the same delegate, the second later
        let first = try empty.store.recordConfirmedSighting(sighting(session, 1, gate: "cổng-1", after: 5))
        let second = try empty.store.recordConfirmedSighting(sighting(session, 1, gate: "cổng-2", after: 9))
        // Then the first checked in and the second is a sighting only
        #expect(first.checkedIn && !second.checkedIn)
        #expect(first.quorum.present == 1 && second.quorum.present == 1 && first.quorum.expected == 10)
        let row = try #require(try empty.store.report(sessionID: session.id, at: at).rows.first { $0.delegateID == "D-001" })
        #expect(row.gate == "cổng-1" && row.status == .present)
        #expect(row.firstSeen == at.addingTimeInterval(5))
        #expect(try empty.store.sightingCount(sessionID: session.id) == 2)
        #expect(try empty.store.verifyAudit().isIntact)
    }

    @Test(arguments: StoreKind.available)
    func retriedWriteLandsOnce(kind: StoreKind) throws {
        let (empty, session) = try opened(kind)
        // Given a confirmed sighting and an unresolved one, each written twice with the id the gate made
        let confirmed = sighting(session, 2)
        let unknown = Sighting(sessionID: session.id, delegateID: nil, gate: "cổng-1", distance: nil, seenAt: at)
        let first = try empty.store.recordConfirmedSighting(confirmed)
        let retry = try empty.store.recordConfirmedSighting(confirmed)
        try empty.store.recordSighting(unknown)
        try empty.store.recordSighting(unknown)
        // Then each landed once, and the retry answers what the first write decided
        #expect(first.checkedIn && retry.checkedIn)
        #expect(try empty.store.sightingCount(sessionID: session.id) == 2)
        let verdict = try empty.store.verifyAudit()
        #expect(verdict.isIntact && verdict.checked == 2)  // session.open + one attendance
    }

    @Test(arguments: StoreKind.available)
    func concurrentConfirmersOfOneDelegateMakeOneCheckIn(kind: StoreKind) throws {
        let (empty, session) = try opened(kind)
        let handles = try (0..<8).map { _ in try empty.secondHandle() }
        let checkIns = Counter()
        // When eight gates (each its own connection) confirm the same delegate at the same moment
        try concurrently(8) { i in
            let outcome = try handles[i].recordConfirmedSighting(sighting(session, 3, gate: "cổng-\(i)"))
            if outcome.checkedIn { checkIns.increment() }
        }
        // Then exactly one checked them in; the others are sightings
        #expect(checkIns.value == 1)
        #expect(try empty.store.sightingCount(sessionID: session.id) == 8)
        #expect(try empty.store.quorum(sessionID: session.id).present == 1)
        #expect(try empty.store.verifyAudit().isIntact)
    }

    @Test(arguments: StoreKind.available)
    func chainVerifiesAfterConcurrentGates(kind: StoreKind) throws {
        let (empty, session) = try opened(kind, delegates: 40)
        let handles = try (0..<4).map { _ in try empty.secondHandle() }
        // When four gates confirm overlapping delegates at once while the secretariat checks people in and out
        try concurrently(5) { gate in
            if gate == 4 {
                for i in stride(from: 1, through: 40, by: 7) {
                    _ = try empty.store.checkin(delegateID: delegateID(i), reason: "bàn tiếp đón", operator: "thư ký", at: at)
                }
                try empty.store.chainAuditEvent(action: "test.mark", actor: "thư ký", detail: nil, at: at)
                return
            }
            for i in 1...40 where (i + gate) % 2 == 0 || i % 3 == 0 {
                _ = try handles[gate].recordConfirmedSighting(sighting(session, i, gate: "cổng-\(gate)", after: Double(i)))
            }
        }
        // Then the chain is one chain, and every delegate seen is present once
        let verdict = try empty.store.verifyAudit()
        #expect(verdict.isIntact, "\(verdict)")
        let report = try empty.store.report(sessionID: session.id, at: at)
        #expect(report.rows.filter { $0.status == .present }.count == 40)
        #expect(try empty.store.quorum(sessionID: session.id).present == 40)
    }

    @Test(arguments: StoreKind.available)
    func quorumCountsAgreeWithTheReport(kind: StoreKind) throws {
        let (empty, session) = try opened(kind, delegates: 6)
        // Given arrivals, a delegate who left, one who came back, one excused beforehand who came after all
        for i in 1...4 { _ = try empty.store.recordConfirmedSighting(sighting(session, i, after: Double(i))) }
        _ = try empty.store.checkout(delegateID: "D-002", reason: "về sớm", operator: nil, at: at.addingTimeInterval(60))
        _ = try empty.store.checkout(delegateID: "D-003", reason: "ra ngoài", operator: nil, at: at.addingTimeInterval(60))
        _ = try empty.store.checkin(delegateID: "D-003", reason: "quay lại", operator: nil, at: at.addingTimeInterval(90))
        _ = try empty.store.checkout(delegateID: "D-005", reason: "có phép", operator: nil, at: at)
        _ = try empty.store.recordConfirmedSighting(sighting(session, 5, after: 120))
        let excused = try empty.store.checkout(delegateID: "D-006", reason: "ốm", operator: nil, at: at)
        // Then the counted quorum is what the report's rows add up to
        let report = try empty.store.report(sessionID: session.id, at: at)
        let quorum = try empty.store.quorum(sessionID: session.id)
        #expect(quorum.present == report.rows.filter { $0.status == .present }.count)
        #expect(quorum.present == 4 && quorum.expected == 6)  // 1, 3, 4, 5
        #expect(report.rows.first { $0.delegateID == "D-002" }?.status == .left)
        #expect(excused.status == .excused)
        #expect(quorum.required == 4 && quorum.isMet)
    }

    @Test(arguments: StoreKind.available)
    func sessionsOneOpenAtATime(kind: StoreKind) throws {
        let (empty, session) = try opened(kind)
        #expect(throws: StoreError.sessionAlreadyOpen(session.id, name: session.name)) {
            try empty.store.openSession(name: "Phiên hai", quorum: try QuorumRule.parse("1/2"), at: at, actor: nil)
        }
        let closed = try empty.store.closeSession(at: at.addingTimeInterval(3600), actor: "test")
        #expect(closed.id == session.id && closed.closedAt == at.addingTimeInterval(3600))
        #expect(try empty.store.currentSession() == nil)
        #expect(throws: StoreError.sessionClosed(session.id)) { try empty.store.recordConfirmedSighting(sighting(session, 1)) }
        let next = try empty.store.openSession(name: "Phiên hai", quorum: try QuorumRule.parse(">1/2"), at: at, actor: nil)
        #expect(try empty.store.sessions().map(\.id) == [next.id, session.id])
        #expect(try empty.store.session(id: next.id).quorumRule == (try QuorumRule.parse(">1/2")))
    }

    @Test(arguments: StoreKind.available)
    func templatesAreSealedAndKeptToOnePack(kind: StoreKind) throws {
        let empty = try EmptyStore(kind)
        _ = try empty.store.importRoster(roster(2))
        let sface = TemplatePack(name: "sface", digest: String(repeating: "a", count: 64))
        let dlib = TemplatePack(name: "dlib", digest: String(repeating: "b", count: 64))
        let before = try empty.store.templateVersion()
        let vector: [Float] = (0..<128).map { Float($0) / 128 }
        let id = try empty.store.addTemplate(delegateID: "D-001", embedding: vector, pack: sface, quality: 0.9, sourcePhoto: "a.jpg",
                                             sourceSHA256: "abc", at: at)
        #expect(try empty.store.templates(madeBy: sface).map(\.embedding) == [vector])
        #expect(try empty.store.templateDigests() == ["D-001": ["abc": id]])
        #expect(try empty.store.templateVersion() != before)
        #expect(throws: StoreError.self) { try empty.store.templates(madeBy: dlib) }
        #expect(throws: StoreError.self) {
            try empty.store.addTemplate(delegateID: "D-002", embedding: vector, pack: dlib, quality: nil, sourcePhoto: nil, sourceSHA256: nil, at: at)
        }
        #expect(try empty.store.gallery(madeBy: sface).templateCount == 1)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
