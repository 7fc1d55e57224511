import ArgumentParser
import Documents
import Foundation
import RollCall
import RollCallStore
import Texts

extension RollCallCommand {
    struct Session: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open, close and list meeting sessions (at most one is open).",
            subcommands: [Open.self, Close.self, List.self]
        )
    }
}

extension RollCallCommand.Session {
    /// A session as the CLI prints it in JSON.
    struct Item: Encodable {
        var id: Int64, name: String, quorum_rule: String, opened_at: String, closed_at: String?
        init(_ s: SessionInfo, time: SiteTime) {
            id = s.id; name = s.name; quorum_rule = s.quorumRule.description
            opened_at = time.iso8601(s.openedAt)
            closed_at = s.closedAt.map(time.iso8601)
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a session; attendance is recorded into it.",
            discussion: """
                The quorum is an exact fraction of the delegates on the roster: --quorum 2/3 means at least two thirds \
                (26 of 39), --quorum '>1/2' more than half (21 of 40). 0.5 and 50% mean at least one half.
                """
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Argument(help: "The session's name.")
        var name: String

        @Option(help: "Quorum: 2/3 (at least two thirds), '>1/2' (more than half), 0.5 or 50% (at least half).")
        var quorum: String = "1/2"

        func validate() throws {
            do { _ = try QuorumRule.parse(quorum) } catch let error as QuorumRuleError {
                throw ValidationError(error.errorDescription ?? error.description)
            }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the session name must not be empty.") }
        }

        func run() async throws {
            let rule = try QuorumRule.parse(quorum)
            let session = try store.openStore().openSession(name: name, quorum: rule, actor: store.actor)
            print(language.texts.format("cli.session_opened", ["id": "\(session.id)", "name": session.name, "rule": rule.text(language.texts)]))
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close the open session and print its quorum.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        func run() async throws {
            let store = try store.openStore(mustExist: true)
            let session = try store.closeSession(actor: self.store.actor)
            let report = try store.report(sessionID: session.id)
            let line = ReportContext(report, language.presentation).quorumLine
            print(language.texts.format("cli.session_closed", ["id": "\(session.id)", "quorum": line]))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sessions, newest first.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let sessions = try store.openStore(mustExist: true).sessions()
            let time = language.presentation.time
            if json { return try printJSON(sessions.map { Item($0, time: time) }) }
            let texts = language.texts
            for s in sessions {
                print([String(s.id), texts[s.closedAt == nil ? "cli.session_open" : "cli.session_ended"], time.display(s.openedAt),
                       s.quorumRule.description, s.name].joined(separator: "\t"))
            }
        }
    }
}
