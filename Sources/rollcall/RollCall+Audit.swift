import ArgumentParser
import Foundation
import RollCallStore

extension RollCallCommand {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the tamper-evidence chain over attendance and manual events.",
            subcommands: [Verify.self]
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
