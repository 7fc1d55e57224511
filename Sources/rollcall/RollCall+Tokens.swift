import ArgumentParser
import Foundation
import RollCall
import RollCallStore
import Texts

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
    /// A token as the CLI prints it in JSON (times ISO 8601 with the site's offset).
    struct Item: Encodable {
        var id: Int64, name: String, role: String, created_at: String, expires_at: String?, revoked_at: String?, live: Bool
        init(_ t: APITokenInfo, time: SiteTime) {
            id = t.id; name = t.name; role = t.role.rawValue
            created_at = time.iso8601(t.createdAt)
            expires_at = t.expiresAt.map(time.iso8601)
            revoked_at = t.revokedAt.map(time.iso8601)
            live = t.isLive(at: Date())
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a token for one person; prints the secret once.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Argument(help: "The person's name, recorded in the audit chain with what they do.")
        var name: String

        @Option(help: "viewer, operator or admin.")
        var role: AccessRole

        @Option(help: "Expiry: a date (2026-05-03, midnight on the site's clock) or an ISO 8601 time; default: never.")
        var expires: DateArgument?

        @Flag(help: "Print JSON (the secret in `token`).")
        var json = false

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the token's name must not be empty.") }
            if let expires, expires.date(in: language.presentation.time) <= Date() { throw ValidationError("--expires must be in the future.") }
        }

        func run() async throws {
            let time = language.presentation.time, texts = language.texts
            let made = try store.openSQLiteStore(verb: "tokens add").addToken(name: name, role: role, expiresAt: expires?.date(in: time), actor: store.actor)
            if json {
                struct Output: Encodable { var token: String, info: Item }
                return try printJSON(Output(token: made.secret, info: Item(made.info, time: time)))
            }
            print(made.secret)
            printError(texts.format("cli.token_made", [
                "id": "\(made.info.id)", "name": made.info.name, "role": role.rawValue,
                "expires": made.info.expiresAt.map { texts.format("cli.token_expires", ["time": time.display($0)]) } ?? "",
            ]))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every token (never the secrets), revoked ones too.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let tokens = try store.openSQLiteStore(mustExist: true, verb: "tokens list").tokens()
            let time = language.presentation.time, texts = language.texts
            if json { return try printJSON(tokens.map { Item($0, time: time) }) }
            let now = Date()
            for t in tokens {
                let state = t.revokedAt.map { texts.format("cli.token_revoked", ["time": time.display($0)]) }
                    ?? texts[t.isLive(at: now) ? "cli.token_live" : "cli.token_expired"]
                print([String(t.id), t.name, t.role.rawValue, state, texts.format("cli.token_created", ["time": time.display(t.createdAt)]),
                       t.expiresAt.map { texts.format("cli.token_until", ["time": time.display($0)]) }
                           ?? texts["cli.token_no_expiry"]]
                    .joined(separator: "\t"))
            }
            print(texts.format("cli.tokens_listed", ["live": "\(tokens.filter { $0.isLive(at: now) }.count)"], count: tokens.count))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a person's live token; a running server refuses it at once.")

        @OptionGroup var store: StoreOptions

        @OptionGroup var language: LanguageOptions

        @Argument(help: "The person's name.")
        var name: String

        func run() async throws {
            let token = try store.openSQLiteStore(mustExist: true, verb: "tokens revoke").revokeToken(name: name, actor: store.actor)
            print(language.texts.format("cli.token_revoked_now", ["id": "\(token.id)", "name": token.name]))
        }
    }
}
