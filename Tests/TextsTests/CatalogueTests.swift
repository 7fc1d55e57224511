import Foundation
import Testing

@testable import Texts

/// Both catalogues say the same things: same keys, same kinds of entry, same placeholders.
struct CatalogueTests {
    @Test func everyKeyIsInEveryLanguage() {
        let vi = Texts.of(.vi).entries, en = Texts.of(.en).entries
        #expect(Set(vi.keys).subtracting(en.keys).sorted() == [], "only in vi.json")
        #expect(Set(en.keys).subtracting(vi.keys).sorted() == [], "only in en.json")
        #expect(vi.count > 100)
    }

    @Test func placeholdersMatchAcrossLanguages() {
        let vi = Texts.of(.vi).entries, en = Texts.of(.en).entries
        func names(_ entry: Texts.Entry?) -> Set<String> {
            switch entry {
            case .text(let text): Texts.placeholders(in: text)
            case .plural(let one, let other): Texts.placeholders(in: one).union(Texts.placeholders(in: other)).subtracting(["count"])
            case .list, nil: []
            }
        }
        for key in vi.keys.sorted() {
            var a = names(vi[key]), b = names(en[key])
            // A plural's {count} may be spelt out in one language's "one" form ("1 delegate").
            if case .plural = en[key] { a.remove("count") }
            if case .plural = vi[key] { b.remove("count") }
            #expect(a == b, "\(key): vi \(a.sorted()) en \(b.sorted())")
        }
    }

    @Test func listsStayListsAndStatusesReadAsTheSecretariatSaysThem() {
        let vi = Texts.of(.vi)
        #expect(vi["status.present"] == "Có mặt")
        #expect(vi["status.absent"] == "Vắng")
        #expect(vi["status.excused"] == "Vắng có phép")
        #expect(vi["status.left"] == "Đã về sớm")
        for key in Texts.of(.en).entries.keys where key.hasPrefix("roster.columns.") {
            guard case .list = vi.entries[key] else { Issue.record("\(key) is not a list in vi.json"); continue }
        }
    }

    @Test func formatFillsPlaceholdersAndPicksThePluralForm() {
        let en = Texts.of(.en)
        #expect(en.format("cli.delegates_listed", ["without": "0"], count: 1) == "1 delegate, 0 without templates")
        #expect(en.format("cli.delegates_listed", ["without": "2"], count: 3) == "3 delegates, 2 without templates")
        #expect(Texts.of(.vi).format("cli.delegates_listed", ["without": "0"], count: 1) == "1 đại biểu, 0 chưa có mẫu khuôn mặt")
        #expect(en["no.such.key"] == "⟦no.such.key⟧")
    }

    @Test func treeNestsTextsForTemplates() throws {
        let tree = Texts.of(.vi).tree()
        let status = try #require(tree["status"] as? [String: Any])
        #expect(status["left"] as? String == "Đã về sớm")
    }

    @Test func languageResolvesOptionThenEnvironmentThenVietnamese() throws {
        #expect(try Language.resolve(nil, environment: [:]) == .vi)
        #expect(try Language.resolve(nil, environment: ["ROLLCALL_LANG": "en_GB.UTF-8"]) == .en)
        #expect(try Language.resolve("vi", environment: ["ROLLCALL_LANG": "en"]) == .vi)
        #expect(throws: TextsError.self) { try Language.resolve("fr", environment: [:]) }
    }
}
