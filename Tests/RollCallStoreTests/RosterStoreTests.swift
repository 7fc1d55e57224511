import Foundation
import GRDB
import Testing

@testable import RollCall
@testable import RollCallStore

struct RosterStoreTests {
    @Test func vietnameseNamesRoundTripByteExactAsNFC() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        let decomposed = "Nguye\u{0302}\u{0303}n Thi\u{0323} A\u{0301}nh Tuye\u{0302}\u{0301}t"
        let roster = try Roster.parse(Array("id,name,unit\nD-1,\(decomposed),Ha\u{0300} Nô\u{0323}i\n".utf8), source: "r.csv", baseDirectory: "/")
        _ = try store.importRoster(roster)
        // Read back through a new connection, and straight from SQLite.
        let reopened = try makeStore(dir)
        let delegate = try reopened.delegate(id: "D-1")
        #expect(Array(delegate.name.utf8) == Array("Nguyễn Thị Ánh Tuyết".precomposedStringWithCanonicalMapping.utf8))
        #expect(Array(delegate.name.utf8) == [0x4E, 0x67, 0x75, 0x79, 0xE1, 0xBB, 0x85, 0x6E, 0x20, 0x54, 0x68, 0xE1, 0xBB, 0x8B, 0x20,
                                              0xC3, 0x81, 0x6E, 0x68, 0x20, 0x54, 0x75, 0x79, 0xE1, 0xBA, 0xBF, 0x74])
        let stored = try reopened.writer.read { db in try Data.fetchOne(db, sql: "SELECT CAST(name AS BLOB) FROM delegate")! }
        #expect(Array(stored) == Array(delegate.name.utf8))
        #expect(delegate.unit == "Hà Nội")
    }

    @Test func reimportUpdatesAndNeverDuplicates() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        let first = try store.importRoster(makeRoster(["D-1", "D-2"]))
        #expect(first.inserted == 2 && first.updated == 0)
        let changed = try Roster.parse(Array("id,name,seat\nD-2,Trần Thị Bình,B7\nD-1,Nguyễn Văn An,A1\nD-3,Mới,\n".utf8),
                                       source: "r.csv", baseDirectory: "/")
        let second = try store.importRoster(changed)
        #expect(second.inserted == 1 && second.updated == 2)
        let delegates = try store.delegates()
        #expect(delegates.map(\.id) == ["D-2", "D-1", "D-3"])
        #expect(delegates[0].seat == "B7")
    }

    @Test func rejectedRosterChangesNothing() throws {
        let dir = TemporaryDirectory()
        let csv = dir.file("roster.csv")
        try Data("id,name,photo\nD-1,An,\nD-2,Bình,photos/nope.jpg\n".utf8).write(to: URL(fileURLWithPath: csv))
        let store = try makeStore(dir)
        #expect(throws: RosterError.self) { _ = try store.importRoster(try Roster.load(path: csv)) }
        #expect(try store.delegates().isEmpty)
    }

    @Test func photosAreResolvedRelativeToTheCSVAndReturned() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("photos"), withIntermediateDirectories: true)
        try Data([0xFF, 0xD8]).write(to: URL(fileURLWithPath: dir.file("photos/a.jpg")))
        try Data([0xFF, 0xD8]).write(to: URL(fileURLWithPath: dir.file("photos/b.jpg")))
        try Data("id,name,photo\nD-1,An,photos/a.jpg;photos/b.jpg\nD-2,Bình,\n".utf8).write(to: URL(fileURLWithPath: dir.file("r.csv")))
        let summary = try makeStore(dir).importRoster(try Roster.load(path: dir.file("r.csv")))
        #expect(summary.photos == 2)
        #expect(summary.photosByDelegate["D-1"]?.map { URL(fileURLWithPath: $0).lastPathComponent } == ["a.jpg", "b.jpg"])
        #expect(summary.photosByDelegate["D-2"] == [])
    }

    @Test func unreadablePhotoIsRejected() throws {
        let dir = TemporaryDirectory()
        let photo = dir.file("locked.jpg")
        try Data([0xFF]).write(to: URL(fileURLWithPath: photo))
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: photo)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: photo) }
        try Data("id,name,photo\nD-1,An,locked.jpg\nD-2,Bình,photos\n".utf8).write(to: URL(fileURLWithPath: dir.file("r.csv")))
        do {
            _ = try Roster.load(path: dir.file("r.csv"))
            Issue.record("expected a RosterError")
        } catch let error as RosterError {
            // root can read anything; then only the directory row fails.
            let lines = error.issues.map(\.line)
            #expect(lines == (getuid() == 0 ? [3] : [2, 3]))
        }
    }

    @Test func unknownDelegateIsAClearError() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        _ = try store.importRoster(makeRoster(["D-1"]))
        #expect(throws: StoreError.unknownDelegate("D-404")) { try store.delegate(id: "D-404") }
        #expect(throws: StoreError.unknownDelegate("D-404")) { try store.removeDelegate(id: "D-404") }
        #expect(throws: StoreError.unknownDelegate("D-404")) { try store.addTemplate(delegateID: "D-404", embedding: makeEmbedding(seed: 1), pack: testPack) }
        _ = try store.openSession(name: "S", quorum: 0.5)
        #expect(throws: StoreError.unknownDelegate("D-404")) { try store.checkin(delegateID: "D-404", reason: "x") }
        #expect("\(StoreError.unknownDelegate("D-404"))" == "no delegate with id D-404 on the roster")
    }
}
