import Foundation
import Logging
import Testing

@testable import RollCall
@testable import RollCallStore

struct LoggingTests {
    @Test func logsCarryIdsNeverNamesOrEmbeddings() throws {
        let dir = TemporaryDirectory()
        let handler = CapturingLogHandler()
        let store = try makeStore(dir, logger: Logger(label: "test", factory: { _ in handler }))
        _ = try store.importRoster(makeRoster(["D-1", "D-2"]))
        let embedding = makeEmbedding(seed: 1)
        try store.addTemplate(delegateID: "D-1", embedding: embedding, pack: testPack)
        let session = try store.openSession(name: "S", quorum: 0.5).id
        try store.confirmPresence(session: session, delegateID: "D-1", gate: "A", distance: 0.2, at: Date())
        _ = try store.checkin(delegateID: "D-2", reason: "camera", at: Date())
        try store.removeDelegate(id: "D-1")
        let text = handler.entries.joined(separator: "\n")
        #expect(text.contains("D-1") && text.contains("D-2"))
        for name in ["Nguyễn", "Trần", "Bình", "\(embedding[0])"] { #expect(!text.contains(name)) }
    }
}
