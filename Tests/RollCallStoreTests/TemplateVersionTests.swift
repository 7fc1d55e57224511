import Foundation
import Testing

@testable import RollCall
@testable import RollCallStore

/// `templateVersion()`, the token a running daemon polls to notice enrollments and removals by other processes.
struct TemplateVersionTests {
    @Test func everyAddAndRemoveChangesTheVersion_fromAnotherConnectionToo() throws {
        let dir = TemporaryDirectory()
        let store = try makeStore(dir)
        let desk = try makeStore(dir)   // another connection pool on the same file, as the CLI at the desk would be
        _ = try store.importRoster(makeRoster(["D-1", "D-2", "D-3"]))
        let empty = try store.templateVersion()
        #expect(empty == TemplateVersion(count: 0, lastID: 0))

        var seen = [empty]
        func expectNew(_ label: String) throws {
            let version = try store.templateVersion()
            #expect(!seen.contains(version), "\(label): \(version) seen before")
            seen.append(version)
        }
        try desk.addTemplate(delegateID: "D-1", embedding: makeEmbedding(seed: 1), pack: testPack)
        try expectNew("first enrollment")
        let newest = try desk.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 2), pack: testPack)
        try expectNew("second enrollment")
        // Re-enrolling replaces the newest template: the count comes back to what it was, the high-water mark moves on.
        try desk.removeTemplate(id: newest)
        try expectNew("removal of the newest template")
        try desk.addTemplate(delegateID: "D-2", embedding: makeEmbedding(seed: 3), pack: testPack)
        try expectNew("re-enrollment")
        try desk.removeDelegate(id: "D-1")
        try expectNew("delegate removed")
        try desk.eraseTemplates()
        try expectNew("all templates erased")
        #expect(try store.templateVersion().count == 0)

        // Reading changes nothing; neither do writes to other tables.
        let before = try store.templateVersion()
        _ = try store.templates(madeBy: testPack)
        _ = try desk.openSession(name: "Plenary", quorum: 0.5)
        #expect(try store.templateVersion() == before)
    }
}
