import Crypto
import Foundation
import GRDB
import Testing

@testable import RollCall
@testable import RollCallStore

struct TemplateSecurityTests {
    @Test func templatesRoundTripThroughTheGallery() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2"]))
        let a = makeEmbedding(seed: 1), b = makeEmbedding(seed: 2), odd = makeEmbedding(seed: 3, dimension: 5)
        try store.addTemplate(delegateID: "D-1", embedding: a, pack: testPack, quality: 0.9, sourcePhoto: "a.jpg", sourceSHA256: "ab")
        try store.addTemplate(delegateID: "D-2", embedding: b, pack: testPack)
        let all = try store.templates()
        #expect(all.map(\.delegateID) == ["D-1", "D-2"])
        #expect(all[0].embedding == a && all[1].embedding == b)
        let match = Matcher(gallery: try store.gallery(madeBy: testPack)).match(a)
        #expect(match.delegateID == "D-1")
        // Any dimension seals and opens.
        try store.addTemplate(delegateID: "D-2", embedding: odd, pack: testPack)
        #expect(try store.templates().last?.embedding == odd)
        #expect(try store.delegateDetails(id: "D-1").templates.first?.sourcePhoto == "a.jpg")
    }

    @Test func rawDatabaseBytesHoldNoTemplate() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1"]))
        let embedding = makeEmbedding(seed: 11)
        try store.addTemplate(delegateID: "D-1", embedding: embedding, pack: testPack)
        let before = rawBytes(store)
        try store.checkpoint()
        for bytes in [before, rawBytes(store)] {
            for start in stride(from: 0, to: 128, by: 16) {
                #expect(!bytes.contains(subsequence: floatBytes(embedding[start..<(start + 4)])))
            }
            // Nor as big-endian, nor as text.
            #expect(!bytes.contains(subsequence: embedding[0..<4].flatMap { v in withUnsafeBytes(of: v.bitPattern.bigEndian) { Array($0) } }))
            #expect(!bytes.contains(subsequence: Array("\(embedding[0])".utf8)))
        }
    }

    @Test func wrongKeyIsAClearErrorBeforeAnyTemplate() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1"]))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        let other = SymmetricKey(data: Data(repeating: 9, count: 32))
        #expect(throws: StoreError.keyMismatch("the caller")) { _ = try makeStore(dir, key: .key(other)) }
        #expect("\(StoreError.keyMismatch("key file k"))".hasPrefix("template key does not match this database"))
    }

    @Test func copiedDatabaseWithoutKeyYieldsNoTemplate() throws {
        let dir = TemporaryDirectory()
        let keyFile = dir.file("keys/template.key")
        let store = try makeStore(dir, key: .file(keyFile))
        _ = try store.importRoster(makeRoster(["D-1"]))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        try store.checkpoint()
        // The key file was created on first use, private.
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Copy only the database elsewhere; the key stays behind.
        let copyDir = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: store.path, toPath: copyDir.file("rollcall.db"))
        let copy = try makeStore(copyDir, key: .file(copyDir.file("absent.key")))
        #expect(!FileManager.default.fileExists(atPath: copyDir.file("absent.key")))  // no new key for a keyed database
        #expect(try copy.delegates().count == 1)  // the roster is still readable
        #expect(throws: StoreError.self) { _ = try copy.templates() }
        do { _ = try copy.templates() } catch { #expect((error as? StoreError)?.code == .keyMissing) }
        // Tampering with a sealed blob is detected, not decoded into garbage.
        try store.writer.write { db in try db.execute(sql: "UPDATE template SET sealed = zeroblob(length(sealed))") }
        #expect(throws: StoreError.self) { _ = try store.templates() }
    }

    @Test func keyFileReadableByOthersIsRefused() throws {
        let dir = TemporaryDirectory()
        let keyFile = dir.file("template.key")
        try Data((SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString() + "\n").utf8)
            .write(to: URL(fileURLWithPath: keyFile))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile)
        #expect(throws: StoreError.self) { _ = try makeStore(dir, key: .file(keyFile)) }
    }

    @Test func environmentKeyIsUsed() throws {
        let dir = TemporaryDirectory()
        let base64 = testKey.withUnsafeBytes { Data($0) }.base64EncodedString()
        let source = TemplateKeySource.fromEnvironment(keyFile: dir.file("unused.key"), environment: ["ROLLCALL_KEY": base64])
        let store = try makeStore(dir, key: source)
        _ = try store.importRoster(makeRoster(["D-1"]))
        try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 4), pack: testPack)
        #expect(try makeStore(dir).templates().count == 1)  // same key given directly
        #expect(throws: StoreError.self) { _ = try makeStore(dir, key: .base64("not base64!")) }
        #expect(TemplateKeySource.defaultKeyFile(environment: ["HOME": "/home/u"]) == "/home/u/.local/share/rollcall/template.key")
    }

    @Test func removingADelegateErasesTemplateBytes() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1", "D-2"]))
        let id = try store.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        try store.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 2), pack: testPack)
        let sealed = try store.writer.read { db in try Data.fetchOne(db, sql: "SELECT sealed FROM template WHERE id = ?", arguments: [id])! }
        try store.checkpoint()
        #expect(rawBytes(store).contains(subsequence: Array(sealed.prefix(32))))
        #expect(try store.removeDelegate(id: "D-1") == 1)
        #expect(!rawBytes(store).contains(subsequence: Array(sealed.prefix(32))))
        #expect(try store.templates().map(\.delegateID) == ["D-2"])
        #expect(throws: StoreError.self) { try store.delegate(id: "D-1") }
    }
}
