import Foundation
import Testing

@testable import RollCall

struct RosterTests {
    private func parse(_ text: String, readable: Set<String> = []) throws -> Roster {
        try parse(Array(text.utf8), readable: readable)
    }

    private func parse(_ bytes: [UInt8], readable: Set<String> = [], encoding: Roster.Encoding = .automatic) throws -> Roster {
        try Roster.parse(bytes, source: "roster.csv", baseDirectory: "/rosters", encoding: encoding, isReadable: { readable.contains($0) })
    }

    private func issues(_ body: () throws -> Roster) -> [RosterError.Issue] {
        do {
            _ = try body()
            Issue.record("expected a RosterError")
            return []
        } catch let error as RosterError {
            return error.issues
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    @Test func parsesColumnsInAnyOrderAndResolvesPhotos() throws {
        let roster = try parse(
            "Name,ID,unit,seat,photo\nNguyễn Văn An,D-1,Hà Nội,A12,a/1.jpg; a/2.jpg\nTrần Thị Bình,D-2,,,\n",
            readable: ["/rosters/a/1.jpg", "/rosters/a/2.jpg"])
        #expect(roster.entries.count == 2)
        #expect(roster.entries[0].delegate == Delegate(id: "D-1", name: "Nguyễn Văn An", unit: "Hà Nội", seat: "A12", rosterOrder: 0))
        #expect(roster.entries[0].photos == ["/rosters/a/1.jpg", "/rosters/a/2.jpg"])
        #expect(roster.entries[1].delegate.unit == nil)
        #expect(roster.entries[1].line == 3)
        #expect(roster.photoCount == 2)
    }

    @Test func decomposedVietnameseNameIsStoredNFC() throws {
        // "Nguyễn Thị Ánh Tuyết" typed with combining marks (NFD).
        let decomposed = "Nguye\u{0302}\u{0303}n Thi\u{0323} A\u{0301}nh Tuye\u{0302}\u{0301}t"
        let roster = try parse("id,name\nD-9,\(decomposed)\n")
        let name = roster.entries[0].delegate.name
        #expect(Array(name.utf8) == Array("Nguy\u{1EC5}n Th\u{1ECB} \u{00C1}nh Tuy\u{1EBF}t".utf8))
        #expect(Array(name.utf8) != Array(decomposed.utf8))
    }

    @Test func quotedFieldsKeepCommasQuotesAndLineBreaks() throws {
        let roster = try parse("id,name,unit\nD-1,\"Lê, Văn \"\"Ba\"\"\",\"Đoàn\nTP.HCM\"\nD-2,Phạm Thu,X\r\n")
        #expect(roster.entries[0].delegate.name == "Lê, Văn \"Ba\"")
        #expect(roster.entries[0].delegate.unit == "Đoàn\nTP.HCM")
        #expect(roster.entries[1].line == 4)  // the quoted line break counts
    }

    @Test func byteOrderMarkAndBlankLinesAreIgnored() throws {
        let roster = try parse([0xEF, 0xBB, 0xBF] + Array("id,name\n\nD-1,An\n\n".utf8))
        #expect(roster.entries.map(\.delegate.id) == ["D-1"])
    }

    @Test func everyBadRowIsReportedWithItsLine() {
        let found = issues {
            try parse("""
                id,name,photo
                D-1,An,
                ,Bình,
                D-3,,
                D-1,Châu,
                D-5,Dũng,missing.jpg
                D-6,Em,ok.jpg

                """, readable: ["/rosters/ok.jpg"])
        }
        #expect(found == [
            .init(line: 3, .missingID),
            .init(line: 4, .missingName(id: "D-3")),
            .init(line: 5, .duplicateID(id: "D-1", firstLine: 2)),
            .init(line: 6, .photoMissing(id: "D-5", photo: "missing.jpg")),
        ])
        #expect(found.map(\.reason) == ["missing id", "delegate D-3: missing name", "delegate id D-1 appears twice (first on line 2)",
                                        "delegate D-5: photo missing.jpg is missing or unreadable"])
    }

    @Test func nonUTF8ByteNamesItsLine() {
        var bytes = Array("id,name\nD-1,Ánh\nD-2,".utf8)
        bytes += [0x4E, 0x67, 0xE1, 0x2C, 0x0A]  // a stray Latin-1 "á" then "," in an otherwise UTF-8 file
        bytes += Array("D-3,Chi\n".utf8)
        let found = issues { try parse(bytes, encoding: .automatic) }
        #expect(found.count == 1)
        #expect(found.first?.line == 3)
        #expect(found.first?.reason.contains("not valid UTF-8 (byte 0xE1") == true)
    }

    @Test func missingRequiredColumnIsRejected() {
        #expect(throws: RosterError.self) { try parse("id,fullname\nD-1,An\n") }
        #expect(throws: RosterError.self) { try parse("") }
    }

    @Test func unterminatedQuoteIsReported() {
        let found = issues { try parse("id,name\nD-1,\"An\nD-2,Bình\n") }
        #expect(found == [.init(line: 2, .unclosedQuote)])
    }

    @Test func errorDescriptionNamesFileAndLine() {
        do {
            _ = try parse("id,name\n,Bình\n")
        } catch {
            #expect("\(error)".contains("roster roster.csv: line 2: missing id"))
            #expect("\(error)".contains("nothing imported"))
        }
    }

    @Test func loadReportsUnreadableFile() {
        #expect(throws: RosterError.self) { try Roster.load(path: "/nonexistent/roster.csv") }
    }
}
