import ArgumentParser
import Foundation
import RollCall
import RollCallStore

extension RollCallCommand {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the tamper-evidence chain; list who did what.",
            subcommands: [Verify.self, Log.self]
        )
    }
}

extension RollCallCommand.Audit {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain and name the first broken link; exits 1 when the chain is broken."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let verdict = try store.openStore(mustExist: true).verifyAudit()
            let texts = language.texts
            if json {
                struct Output: Encodable { var intact: Bool, checked: Int, broken_link: String?, problem: String?, head: String }
                try printJSON(Output(intact: verdict.isIntact, checked: verdict.checked, broken_link: verdict.brokenLink,
                                     problem: verdict.problem, head: verdict.headHash))
            } else if let link = verdict.brokenLink {
                printError(texts.format("cli.audit_broken", ["link": link, "problem": verdict.problem ?? ""]))
            } else {
                print(texts.format("cli.audit_intact", ["checked": "\(verdict.checked)", "head": verdict.headHash]))
            }
            if !verdict.isIntact { throw ExitCode(1) }
        }
    }
}

extension RollCallCommand.Audit {
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the chained records of who did what: manual check-ins and check-outs, sessions, tokens, keys, purges."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Flag(help: "Print JSON.")
        var json = false

        struct Item: Encodable {
            var seq: Int64?
            var at: String
            var actor: String
            var action: String
            var detail: String
        }

        func run() async throws {
            let database = try store.openSQLiteStore(mustExist: true, verb: "audit log")
            // JSON: ISO 8601 with the site's offset; the lines people read: the site's clock (dd/MM/yyyy HH:mm).
            let time = language.presentation.time
            let iso = json ? time.iso8601 : time.display
            let events = try database.auditEvents().map {
                (date: $0.at, item: Item(seq: $0.sequence, at: iso($0.at), actor: $0.actor, action: $0.action, detail: $0.detail ?? ""))
            }
            let manual = try database.manualEvents().map {
                (date: $0.at, item: Item(seq: nil, at: iso($0.at), actor: $0.operatorName ?? "-", action: "attendance.\($0.kind.rawValue)",
                                         detail: "delegate \($0.delegateID), session \($0.sessionID): \($0.reason)"))
            }
            let items = (events + manual).sorted { $0.date < $1.date }.map(\.item)
            if json { return try printJSON(items) }
            for item in items { print([item.at, item.actor, item.action, item.detail].joined(separator: "\t")) }
        }
    }
}
