import Foundation
import GRDB
import Testing

@testable import RollCall
@testable import RollCallStore

/// API tokens in the store: only a hash at rest, one live token per name, expiry and revocation, all chained.
struct TokenStoreTests {
    private let t0 = Date(timeIntervalSince1970: 1_767_225_600)

    @Test func secretIsNotKept_onlyItsHash() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        let made = try store.addToken(name: "Nguyễn Thị Lan", role: .operator, actor: "cli:test")
        #expect(made.secret.hasPrefix("rct_") && made.secret.count == 47)
        try store.checkpoint()
        let bytes = rawBytes(store)
        let secretThere = bytes.contains(subsequence: Array(made.secret.utf8))
        let partThere = bytes.contains(subsequence: Array(made.secret.dropFirst(4).prefix(20).utf8))
        let hashThere = bytes.contains(subsequence: Array(RollCallStore.sha256Hex(made.secret).utf8))
        #expect(!secretThere && !partThere && hashThere)
        #expect(try store.checkToken(made.secret) == .accepted(made.info))
        #expect(try store.checkToken(made.secret + "x") == .unknown)
        #expect(try store.checkToken("rct_" + String(repeating: "A", count: 43)) == .unknown)
    }

    @Test func expiryAndRevocation() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        let short = try store.addToken(name: "short", role: .viewer, expiresAt: t0.addingTimeInterval(60), actor: "cli:test", at: t0)
        #expect(try store.checkToken(short.secret, at: t0.addingTimeInterval(59)) == .accepted(short.info))
        guard case .expired = try store.checkToken(short.secret, at: t0.addingTimeInterval(60)) else { Issue.record("not expired"); return }
        #expect(try !store.hasLiveTokens(at: t0.addingTimeInterval(61)))
        // An expired token frees its name; a live one does not.
        let again = try store.addToken(name: "short", role: .admin, actor: "cli:test", at: t0.addingTimeInterval(120))
        let refused = #expect(throws: StoreError.self) { try store.addToken(name: "short", role: .viewer, actor: "cli:test") }
        #expect(refused?.description.contains("already has a live admin token") == true)
        try store.revokeToken(name: "short", actor: "Chị Lan", at: t0.addingTimeInterval(180))
        guard case .revoked = try store.checkToken(again.secret) else { Issue.record("not revoked"); return }
        #expect(throws: StoreError.self) { try store.revokeToken(name: "short", actor: "Chị Lan") }
        #expect(throws: StoreError.self) { try store.addToken(name: "past", role: .viewer, expiresAt: t0, actor: "x", at: t0) }
        #expect(throws: StoreError.self) { try store.addToken(name: "  ", role: .viewer, actor: "x") }

        let events = try store.auditEvents()
        #expect(events.map(\.action) == ["token.add", "token.add", "token.revoke"])
        #expect(events.last?.actor == "Chị Lan" && events.last?.detail == "token \(again.info.id) of short")
        #expect(try store.verifyAudit().isIntact && store.verifyAudit().checked == 3)
        // The chain catches an edited audit event, as it does attendance rows.
        try store.writer.write { db in try db.execute(sql: "UPDATE audit_event SET actor = 'someone else' WHERE action = 'token.revoke'") }
        #expect(try store.verifyAudit().brokenLink == "audit_event row 3")
    }

    @Test func roleIncludesTheOnesBelow() {
        #expect(AccessRole.admin.includes(.operator) && AccessRole.admin.includes(.viewer) && AccessRole.operator.includes(.viewer))
        #expect(!AccessRole.viewer.includes(.operator) && !AccessRole.operator.includes(.admin))
    }
}
