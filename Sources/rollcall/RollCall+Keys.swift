import ArgumentParser
import Foundation
import RollCall
import RollCallStore
import Texts

extension RollCallCommand {
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rotate the template key; show the site's report-signing public key.",
            subcommands: [Rotate.self, SiteKey.self]
        )
    }
}

extension RollCallCommand.Keys {
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the template key: every template re-sealed in one transaction, the old key file destroyed.",
            discussion: """
                A new random key is written next to the key file, every template is opened with the old key and sealed \
                with the new one in one transaction (recorded in the audit chain), then the old key file is overwritten \
                and replaced. Running daemons on the same database and key file read the new key at their next \
                template access, without a restart. Backups of the old key file or of the disk still hold the old key: \
                destroy those too. A rotation interrupted after its commit is finished by running this again.
                """
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        func run() async throws {
            let texts = language.texts
            if case .file(let keyFile) = TemplateKeySource.fromEnvironment(keyFile: store.keyFile),
               FileManager.default.fileExists(atPath: store.databasePath),
               try RollCallStore.finishInterruptedRotation(databasePath: store.databasePath, keyFile: keyFile) {
                print(texts.format("cli.key_rotation_finished", ["file": keyFile]))
            }
            let summary = try store.openSQLiteStore(mustExist: true, verb: "keys rotate").rotateTemplateKey(actor: store.actor)
            print(texts.format("cli.key_rotated", ["count": "\(summary.resealed)", "file": summary.keyFile]))
        }
    }

    struct SiteKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "site-key",
            abstract: "Print the site's report-signing public key (making the key pair on first use), for auditors.",
            discussion: """
                The private key (Ed25519, PEM, mode 0600) signs reports: rollcall report --sign. Give auditors the public \
                key (this command's output, or -o FILE) and its fingerprint by another channel; they check a report with \
                rollcall report verify FILE --public-key FILE on any machine.
                """
        )

        @Option(help: "The site's signing key file (env ROLLCALL_SITE_KEY_FILE; default ~/.local/share/rollcall/site-signing.key).")
        var siteKey: String = SiteSigningKey.defaultPath()

        @Option(name: .shortAndLong, help: "Write the public key to this file instead of standard output.")
        var output: String?

        @OptionGroup var language: LanguageOptions

        func run() async throws {
            let texts = language.texts
            let (key, created) = try SiteSigningKey.load(path: siteKey, create: true)
            if created { printError(texts.format("cli.site_key_new", ["file": siteKey])) }
            let pem = SiteSigningKey.publicPEM(key.publicKey)
            if let output {
                try Data(pem.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                printError(texts.format("cli.public_key_written", ["file": output]))
            } else {
                print(pem, terminator: "")
            }
            printError(texts.format("cli.key_fingerprint", ["fingerprint": ReportSignature.fingerprint(key.publicKey)]))
        }
    }
}
