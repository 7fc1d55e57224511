import Testing

@testable import RollCall

struct AuditChainTests {
    /// A valid chain of `count` links alternating between the two tables.
    private func chain(_ count: Int) -> [ChainLink] {
        var links: [ChainLink] = []
        var previous = AuditChain.genesis
        for i in 1...count {
            let table = i % 2 == 0 ? "manual_event" : "attendance"
            let fields: [String?] = ["1", "D-\(i)", "face", nil, "0.25", "\(1_700_000_000_000 + i)"]
            let hash = AuditChain.hash(table: table, sequence: Int64(i), fields: fields, previousHash: previous)
            links.append(ChainLink(table: table, rowID: Int64(i), sequence: Int64(i), fields: fields, previousHash: previous, hash: hash))
            previous = hash
        }
        return links
    }

    private func head(_ links: [ChainLink]) -> (sequence: Int64, hash: String) { (links.last!.sequence, links.last!.hash) }

    @Test func intactChainVerifies() {
        let links = chain(5)
        let verdict = AuditChain.verify(links.reversed(), head: head(links))
        #expect(verdict.isIntact && verdict.checked == 5)
        #expect(AuditChain.verify([], head: (0, AuditChain.genesis)).isIntact)
    }

    @Test func editedRowIsNamed() {
        var links = chain(5)
        let h = head(links)
        links[2].fields[4] = "0.10"
        let verdict = AuditChain.verify(links, head: h)
        #expect(verdict.brokenLink == "attendance row 3")
        #expect(verdict.problem?.contains("edited") == true)
    }

    @Test func deletedRowIsNamed() {
        var links = chain(5)
        let h = head(links)
        links.remove(at: 1)
        let verdict = AuditChain.verify(links, head: h)
        #expect(verdict.brokenLink == "attendance row 3")
        #expect(verdict.problem?.contains("deleted") == true)
    }

    @Test func deletedLastRowIsDetectedByTheHead() {
        var links = chain(5)
        let h = head(links)
        links.removeLast()
        let verdict = AuditChain.verify(links, head: h)
        #expect(!verdict.isIntact && verdict.problem?.contains("last rows were deleted") == true)
    }

    @Test func insertedRowIsNamed() {
        let links = chain(3)
        // A forger appends a correctly hashed row but cannot move the head kept by the program.
        let fields: [String?] = ["1", "D-X", "manual", nil, nil, "1"]
        let forged = ChainLink(table: "attendance", rowID: 99, sequence: 4, fields: fields, previousHash: links[2].hash,
                               hash: AuditChain.hash(table: "attendance", sequence: 4, fields: fields, previousHash: links[2].hash))
        let verdict = AuditChain.verify(links + [forged], head: head(links))
        #expect(verdict.brokenLink == "attendance row 99")
        #expect(verdict.problem?.contains("inserted") == true)
        // Squeezed in with a reused sequence number.
        var squeezed = forged
        squeezed.sequence = 2
        #expect(AuditChain.verify(links + [squeezed], head: head(links)).brokenLink == "attendance row 99")
    }

    @Test func nilAndEmptyFieldsHashDifferently() {
        #expect(AuditChain.canonicalContent(table: "t", sequence: 1, fields: [nil]) != AuditChain.canonicalContent(table: "t", sequence: 1, fields: [""]))
        #expect(AuditChain.canonicalContent(table: "t", sequence: 1, fields: ["a", "b"]) != AuditChain.canonicalContent(table: "t", sequence: 1, fields: ["a\nb"]))
    }
}
