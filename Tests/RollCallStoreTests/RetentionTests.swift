import Foundation
import GRDB
import Testing

@testable import RollCall
@testable import RollCallStore

/// `purge templates` and the privacy report: erased means gone from the file, the record and the chain stay.
struct RetentionTests {
    private let t0 = Date(timeIntervalSince1970: 1_767_225_600)

    @Test func purge_leavesNoSealedBytesInTheFile_keepsAttendanceAndChain() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2", "D-3"]))
        for (i, id) in ["D-1", "D-2", "D-3"].enumerated() {
            try store.addTemplate(delegateID: id, embedding: makeEmbedding(seed: UInt64(i)), pack: testPack, sourcePhoto: "\(id)-portrait.jpg")
        }
        let session = try store.openSession(name: "Đại hội", quorum: 0.5, actor: "cli:test").id
        try store.confirmPresence(session: session, delegateID: "D-1", gate: "north", distance: 0.2, at: Date())
        let sealed = try store.writer.read { db in try Data.fetchAll(db, sql: "SELECT sealed FROM template") }
        try store.checkpoint()
        // Given: every template's sealed bytes and photo names are in the file
        let before = rawBytes(store)
        let allThere = sealed.allSatisfy { before.contains(subsequence: Array($0)) }, photoThere = before.contains(subsequence: Array("D-2-portrait.jpg".utf8))
        #expect(allThere && photoThere)

        // When
        let summary = try store.purgeTemplates(actor: "cli:thu-ky", note: "0 face crops erased")

        // Then: no 16-byte piece of any sealed template is left in the database file or its WAL
        #expect(summary.templates == 3 && summary.delegates == 3)
        let after = rawBytes(store)
        let left = sealed.enumerated().flatMap { index, blob in
            stride(from: 0, to: blob.count - 16, by: 16).filter { after.contains(subsequence: Array(blob[$0..<($0 + 16)])) }
                .map { "template \(index) bytes \($0)..<\($0 + 16)" }
        }
        #expect(left.isEmpty, "sealed bytes left in the file: \(left)")
        let photoNameLeft = after.contains(subsequence: Array("portrait.jpg".utf8))
        #expect(!photoNameLeft)
        #expect(try store.templates().isEmpty)
        // The record stays, the purge is in the chain, and the chain holds.
        #expect(try store.report(sessionID: session).count(.present) == 1)
        #expect(try store.delegates().count == 3)
        let purge = try #require(try store.auditEvents().last)
        #expect(purge.action == "templates.purge" && purge.actor == "cli:thu-ky")
        #expect(purge.detail == "3 templates of 3 delegates erased (all); 0 face crops erased")
        #expect(try store.verifyAudit().isIntact)
    }

    @Test func purgeBefore_erasesOnlyOlderTemplates() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2"]))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack, at: t0)
        try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 2), pack: testPack, at: t0.addingTimeInterval(86_400 * 2))
        let summary = try store.purgeTemplates(before: t0.addingTimeInterval(86_400), actor: "cli:test")
        #expect(summary.templates == 1)
        #expect(try store.templates().map(\.delegateID) == ["D-2"])
        #expect(try store.auditEvents().last?.detail?.contains("enrolled before 2026-01-02T00:00:00+00:00") == true)
    }

    @Test func privacyReport_saysWhoSinceWhen() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2", "D-3"]))
        try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 1), pack: testPack, sourcePhoto: "a.jpg", at: t0)
        try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 2), pack: testPack, sourcePhoto: "b.jpg", at: t0.addingTimeInterval(60))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 3), pack: testPack, at: t0.addingTimeInterval(120))
        let session = try store.openSession(name: "S", quorum: 0.5).id
        try store.recordSighting(session: session, delegateID: "D-1", gate: "north", distance: 0.3, at: t0.addingTimeInterval(500))
        try store.recordSighting(session: session, delegateID: nil, gate: "north", distance: nil, at: t0.addingTimeInterval(400))

        let report = try store.privacyReport()
        #expect(report.holders.map(\.delegateID) == ["D-1", "D-2"])  // roster order; D-3 holds nothing
        #expect(report.holders[1].templates == 2 && report.holders[1].since == t0 && report.holders[1].latest == t0.addingTimeInterval(60))
        #expect(report.holders[1].sourcePhotos.sorted() == ["a.jpg", "b.jpg"])
        #expect(report.holders[0].sourcePhotos == ["-"])
        #expect(report.templates == 3 && report.rosterSize == 3)
        #expect(report.sightings == 1 && report.sightingsSince == t0.addingTimeInterval(500))

        _ = try store.purgeTemplates(actor: "cli:test")
        #expect(try store.privacyReport().holders.isEmpty)
    }
}
