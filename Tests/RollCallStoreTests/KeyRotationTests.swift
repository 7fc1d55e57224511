import Crypto
import Foundation
import GRDB
import Testing

@testable import RollCall
@testable import RollCallStore

/// `keys rotate`: every template re-sealed in one transaction, another process follows, the old key file destroyed.
struct KeyRotationTests {
    @Test func rotation_resealsEverything_andAnotherOpenStoreFollows() throws {
        let dir = TemporaryDirectory()
        let keyFile = dir.file("template.key")
        let desk = try makeStore(dir, key: .file(keyFile))
        _ = try desk.importRoster(makeRoster(["D-1", "D-2", "D-3"]))
        let embeddings = (0..<3).map { makeEmbedding(seed: UInt64($0)) }
        for (i, id) in ["D-1", "D-2"].enumerated() { try desk.addTemplate(delegateID: id, embedding: embeddings[i], pack: testPack) }
        let daemon = try makeStore(dir, key: .file(keyFile))  // a running serve on the same database and key file
        #expect(try daemon.templates().count == 2)
        let oldKeyText = try String(contentsOfFile: keyFile, encoding: .utf8)
        let oldSealed = try desk.writer.read { db in try Data.fetchAll(db, sql: "SELECT sealed FROM template ORDER BY id") }

        // When
        let summary = try desk.rotateTemplateKey(actor: "cli:thu-ky")

        // Then: new key in the same file (mode kept), every blob replaced, same embeddings
        #expect(summary.resealed == 2)
        let newKeyText = try String(contentsOfFile: keyFile, encoding: .utf8)
        #expect(newKeyText != oldKeyText && Data(base64Encoded: newKeyText.trimmingCharacters(in: .whitespacesAndNewlines))?.count == 32)
        var info = stat()
        stat(keyFile, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(!FileManager.default.fileExists(atPath: keyFile + ".new"))
        let newSealed = try desk.writer.read { db in try Data.fetchAll(db, sql: "SELECT sealed FROM template ORDER BY id") }
        #expect(zip(oldSealed, newSealed).allSatisfy { $0 != $1 })
        let old = SymmetricKey(data: Data(base64Encoded: oldKeyText.trimmingCharacters(in: .whitespacesAndNewlines))!)
        #expect(throws: (any Error).self) { _ = try TemplateSealer.open(newSealed[0], delegateID: "D-1", key: old) }
        #expect(try desk.templates().map(\.embedding) == Array(embeddings.prefix(2)))
        // The daemon, opened before, reads the new key without a restart: it opens templates enrolled after the rotation.
        try desk.addTemplate(delegateID: "D-3", embedding: embeddings[2], pack: testPack)
        #expect(try daemon.templates().map(\.embedding) == embeddings)
        try daemon.addTemplate(delegateID: "D-3", embedding: embeddings[0], pack: testPack)
        #expect(try desk.templates().count == 4)
        // A fresh process opens with the rotated file; the old key is refused.
        #expect(try makeStore(dir, key: .file(keyFile)).templates().count == 4)
        #expect(throws: StoreError.self) { _ = try makeStore(dir, key: .key(old)) }
        // Recorded in the chain.
        #expect(try desk.auditEvents().last.map { [$0.action, $0.actor] } == ["keys.rotate", "cli:thu-ky"])
        #expect(try desk.verifyAudit().isIntact)
    }

    @Test func rotation_whenTheOtherProcessCannotReadTheNewKey_saysSo() throws {
        let dir = TemporaryDirectory()
        let keyFile = dir.file("template.key")
        let desk = try makeStore(dir, key: .file(keyFile))
        _ = try desk.importRoster(makeRoster(["D-1"]))
        try desk.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        let text = try String(contentsOfFile: keyFile, encoding: .utf8)
        let daemon = try makeStore(dir, key: .base64(text))  // key given in ROLLCALL_KEY: nothing to re-read
        try desk.rotateTemplateKey(actor: "cli:test")
        let error = #expect(throws: StoreError.self) { _ = try daemon.templates() }
        #expect(error?.code == .keyRotated)
        // And writes sealed with the destroyed key are refused, not stored.
        #expect(throws: StoreError.self) { try daemon.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 2), pack: testPack) }
        #expect(try desk.templates().count == 1)
    }

    @Test func rotation_ofAKeyNotInAFile_isRefused_andChangesNothing() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)  // key given directly
        _ = try store.importRoster(makeRoster(["D-1"]))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        let error = #expect(throws: StoreError.self) { try store.rotateTemplateKey(actor: "cli:test") }
        #expect(error?.description.contains("use --key-file") == true)
        #expect(try store.templates().count == 1 && store.auditEvents().isEmpty)
    }

    @Test func rotation_interruptedAfterItsCommit_isFinishedNextTime() throws {
        let dir = TemporaryDirectory()
        let keyFile = dir.file("template.key")
        let store = try makeStore(dir, key: .file(keyFile))
        _ = try store.importRoster(makeRoster(["D-1"]))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        let oldText = try String(contentsOfFile: keyFile, encoding: .utf8)
        try store.rotateTemplateKey(actor: "cli:test")
        // Simulate the crash: the new key still in KEYFILE.new, the old one back in place.
        try FileManager.default.moveItem(atPath: keyFile, toPath: keyFile + ".new")
        try SecretFile.create(keyFile, text: oldText, what: "test")
        #expect(throws: StoreError.self) { _ = try makeStore(dir, key: .file(keyFile)) }
        #expect(try RollCallStore.finishInterruptedRotation(databasePath: dir.file("rollcall.db"), keyFile: keyFile))
        #expect(try makeStore(dir, key: .file(keyFile)).templates().count == 1)
        #expect(try !RollCallStore.finishInterruptedRotation(databasePath: dir.file("rollcall.db"), keyFile: keyFile))
    }
}
