import ArgumentParser
import Foundation
import RollCall
import RollCallStore

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
        var id: Int64, name: String, quorum: Double, opened_at: String, closed_at: String?
        init(_ s: SessionInfo) {
            id = s.id; name = s.name; quorum = s.quorum
            opened_at = AttendanceReport.iso8601(s.openedAt, timeZone: .current)
            closed_at = s.closedAt.map { AttendanceReport.iso8601($0, timeZone: .current) }
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a session; attendance is recorded into it.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The session's name.")
        var name: String

        @Option(help: "Fraction of the roster that must be present for a quorum, in 0...1.")
        var quorum = 0.5

        func validate() throws {
            guard (0...1).contains(quorum) else { throw ValidationError("--quorum must lie in 0...1, got \(quorum).") }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the session name must not be empty.") }
        }

        func run() async throws {
            let session = try store.openStore().openSession(name: name, quorum: quorum, actor: store.actor)
            print("session \(session.id) opened (quorum \(String(format: "%.1f", quorum * 100))%)")
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close the open session and print its quorum.")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let store = try store.openStore(mustExist: true)
            let session = try store.closeSession(actor: self.store.actor)
            print("session \(session.id) closed. \(try store.quorum(sessionID: session.id).line)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sessions, newest first.")

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let items = try store.openStore(mustExist: true).sessions().map(Item.init)
            if json { return try printJSON(items) }
            for s in items {
                print("\(s.id)\t\(s.closed_at == nil ? "open" : "closed")\t\(s.opened_at)\t\(s.name)")
            }
        }
    }
}
