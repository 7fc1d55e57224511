import Foundation
import GRDB
import Testing

@testable import RollCall
@testable import RollCallStore

/// Which model pack made each template, and the rule that a database holds templates of one pack.
struct TemplatePackTests {
    let dlibPack = TemplatePack(name: "dlib", digest: String(repeating: "b2", count: 32))

    @Test func samePackRoundTrip() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2"]))
        let a = makeEmbedding(seed: 1)
        try store.addTemplate(delegateID: "D-1", embedding: a, pack: testPack)
        try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 2), pack: testPack)
        #expect(Matcher(gallery: try store.gallery(madeBy: testPack)).match(a).delegateID == "D-1")
        #expect(try store.templatePacks() == [TemplatePackCount(pack: testPack, count: 2)])
        #expect(try store.delegateDetails(id: "D-1").templates.map(\.pack) == [testPack])
    }

    @Test func templatesOfAnotherPackAreRefusedNamingBoth() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2"]))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        let error = #expect(throws: StoreError.self) { _ = try store.gallery(madeBy: dlibPack) }
        #expect(error?.code == .packMismatch)
        let text = error?.description ?? ""
        #expect(text.contains("made by pack sface (a1a1a1a1a1a1…)") && text.contains("this run uses pack dlib (b2b2b2b2b2b2…)"), "\(text)")
        #expect(text.contains("use --pack sface") && text.contains("erase-templates"), "\(text)")
        // Nor may another pack's template join them (the duplicate guard and the matcher would compare across packs).
        #expect(throws: StoreError.self) { try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 2), pack: dlibPack) }
        #expect(try store.templatePacks() == [TemplatePackCount(pack: testPack, count: 1)])
        // Erasing the templates (roster kept) lets the other pack enroll.
        #expect(try store.eraseTemplates() == 1)
        #expect(try store.delegates().count == 2)
        try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 2), pack: dlibPack)
        #expect(try store.gallery(madeBy: dlibPack).templateCount == 1)
    }

    @Test func changedModelUnderTheSameNameIsRefused() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1"]))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        let newer = TemplatePack(name: "sface", digest: String(repeating: "c3", count: 32))
        let error = #expect(throws: StoreError.self) { _ = try store.templates(madeBy: newer) }
        #expect(error?.code == .packMismatch)
        #expect(error?.description.contains("model changed since they were enrolled") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("--pack sface") == false)
    }

    @Test func databaseMixedBehindTheStoresBackIsRefused() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2"]))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 2), pack: testPack)
        try store.writer.write { db in
            try db.execute(sql: "UPDATE template SET pack_name = 'dlib', pack_digest = ? WHERE delegate_id = 'D-2'", arguments: [dlibPack.digest])
        }
        for pack in [testPack, dlibPack] {
            #expect(throws: StoreError.self) { _ = try store.gallery(madeBy: pack) }
        }
        // Name and digest go together.
        #expect(throws: DatabaseError.self) {
            try store.writer.write { db in try db.execute(sql: "UPDATE template SET pack_digest = NULL WHERE delegate_id = 'D-1'") }
        }
    }

    /// A database made by the schema before `v2 template pack`, with one template sealed the way it sealed them.
    func makeLegacyDatabase(_ dir: TemporaryDirectory, embedding: [Float]) throws -> String {
        let path = dir.file("rollcall.db")
        let pool = try DatabasePool(path: path)
        try RollCallStore.migrator.migrate(pool, upTo: "v1 create attendance and manual_event (hash-chained)")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('template_key_check', ?)", arguments: [TemplateSealer.checkValue(testKey)])
            try db.execute(sql: "INSERT INTO delegate(id, name, roster_order) VALUES ('D-1', 'Nguyễn Văn An', 0), ('D-2', 'Trần Thị Bình', 1)")
            try db.execute(sql: """
                INSERT INTO template(delegate_id, dimension, sealed, quality, source_photo, source_sha256, created_at)
                VALUES ('D-1', ?, ?, 0.9, 'an.jpg', 'ab', 1700000000000)
                """, arguments: [embedding.count, try TemplateSealer.seal(embedding, delegateID: "D-1", key: testKey)])
        }
        try pool.close()
        return path
    }

    @Test func templatesFromBeforeTheMigrationHaveNoPackAndAreRefusedUntilAssigned() throws {
        let dir = TemporaryDirectory()
        let embedding = makeEmbedding(seed: 5)
        _ = try makeLegacyDatabase(dir, embedding: embedding)
        let store = try makeStore(dir)  // migrates
        let applied = try store.writer.read { db in try RollCallStore.migrator.appliedMigrations(db) }
        #expect(applied.suffix(4) == [
            "v2 template pack", "v3 create audit_event (hash-chained) and api_token", "v4 session quorum rule", "v5 gate-made sighting ids",
        ])
        // The old template survives, with no pack: nothing recorded which one made it.
        #expect(try store.templatePacks() == [TemplatePackCount(pack: nil, count: 1)])
        #expect(try store.delegateDetails(id: "D-1").templates.map(\.pack) == [nil])
        #expect(try store.templates().map(\.embedding) == [embedding])
        // Not assumed to be sface's: matching and enrolling refuse it, saying what to do.
        let error = #expect(throws: StoreError.self) { _ = try store.gallery(madeBy: testPack) }
        #expect(error?.code == .unknownTemplatePack)
        #expect(error?.description.contains("1 template in") == true)
        #expect(error?.description.contains("rollcall delegates assign-pack --pack sface") == true, "\(error?.description ?? "")")
        #expect(throws: StoreError.self) { try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 6), pack: testPack) }
        // The operator vouches for the pack: the template becomes usable, and then only with that pack.
        #expect(try store.assignPack(testPack) == 1)
        #expect(Matcher(gallery: try store.gallery(madeBy: testPack)).match(embedding).delegateID == "D-1")
        #expect(throws: StoreError.self) { _ = try store.gallery(madeBy: dlibPack) }
        #expect(throws: StoreError.self) { try store.assignPack(dlibPack) }
        try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 6), pack: testPack)
        #expect(try store.templatePacks() == [TemplatePackCount(pack: testPack, count: 2)])
    }

    @Test func legacyTemplatesCanBeErasedInsteadAndTheRosterStays() throws {
        let dir = TemporaryDirectory()
        _ = try makeLegacyDatabase(dir, embedding: makeEmbedding(seed: 5))
        let store = try makeStore(dir)
        #expect(try store.eraseTemplates() == 1)
        #expect(try store.delegates().map(\.id) == ["D-1", "D-2"])
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 7), pack: dlibPack)
        #expect(try store.gallery(madeBy: dlibPack).templateCount == 1)
    }
}
