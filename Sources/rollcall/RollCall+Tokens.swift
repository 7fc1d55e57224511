import ArgumentParser
import Foundation
import RollCall
import RollCallStore

extension AccessRole: ExpressibleByArgument {}

extension RollCallCommand {
    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make, list and revoke the HTTP API's per-person tokens (viewer, operator, admin).",
            discussion: """
                viewer: the dashboard and read-only API. operator: also manual check-in, check-out and session open/close \
                over the API. admin: also token management and the privacy report over the API. A token is printed once, \
                when it is made; the database keeps only its SHA-256. Everything a token changes is recorded in the \
                audit chain with its name. A running server sees tokens added or revoked at its next request.
                """,
            subcommands: [Add.self, List.self, Revoke.self]
        )
    }
}

extension RollCallCommand.Tokens {
    /// A token as the CLI prints it in JSON.
    struct Item: Encodable {
        var id: Int64, name: String, role: String, created_at: String, expires_at: String?, revoked_at: String?, live: Bool
        init(_ t: APITokenInfo) {
            id = t.id; name = t.name; role = t.role.rawValue
            created_at = AttendanceReport.iso8601(t.createdAt, timeZone: .current)
            expires_at = t.expiresAt.map { AttendanceReport.iso8601($0, timeZone: .current) }
            revoked_at = t.revokedAt.map { AttendanceReport.iso8601($0, timeZone: .current) }
            live = t.isLive(at: Date())
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a token for one person; prints the secret once.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The person's name, recorded in the audit chain with what they do.")
        var name: String

        @Option(help: "viewer, operator or admin.")
        var role: AccessRole

        @Option(help: "Expiry: a date (2026-05-03, midnight local time) or an ISO 8601 time; default: never.")
        var expires: DateArgument?

        @Flag(help: "Print JSON (the secret in `token`).")
        var json = false

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the token's name must not be empty.") }
            if let expires, expires.date <= Date() { throw ValidationError("--expires must be in the future.") }
        }

        func run() async throws {
            let made = try store.openStore().addToken(name: name, role: role, expiresAt: expires?.date, actor: store.actor)
            if json {
                struct Output: Encodable { var token: String, info: Item }
                return try printJSON(Output(token: made.secret, info: Item(made.info)))
            }
            print(made.secret)
            printError("token \(made.info.id) for \(made.info.name), role \(role.rawValue)"
                + (made.info.expiresAt.map { ", expires \(AttendanceReport.iso8601($0, timeZone: .current))" } ?? "")
                + ": hand it over now, it is not shown again")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every token (never the secrets), revoked ones too.")

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let items = try store.openStore(mustExist: true).tokens().map(Item.init)
            if json { return try printJSON(items) }
            for t in items {
                let state = t.revoked_at.map { "revoked \($0)" } ?? (t.live ? "live" : "expired")
                print([String(t.id), t.name, t.role, state, "made \(t.created_at)", t.expires_at.map { "expires \($0)" } ?? "no expiry"]
                    .joined(separator: "\t"))
            }
            print("\(items.filter(\.live).count) live token(s) of \(items.count)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a person's live token; a running server refuses it at once.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The person's name.")
        var name: String

        func run() async throws {
            let token = try store.openStore(mustExist: true).revokeToken(name: name, actor: store.actor)
            print("token \(token.id) of \(token.name) revoked")
        }
    }
}
