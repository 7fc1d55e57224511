import ArgumentParser
import Foundation
import RollCall
import RollCallServer
import RollCallStore
import Texts

extension RollCallCommand {
    struct TLS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tls",
            abstract: "Make certificates for serve's HTTPS.",
            subcommands: [SelfSigned.self]
        )
    }
}

extension RollCallCommand.TLS {
    struct SelfSigned: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "self-signed",
            abstract: "Make a self-signed certificate and key for a closed network (no certificate authority).",
            discussion: """
                Name it in serve's configuration (http.tls: { certificate: rollcall.crt, key: rollcall.key }) and give \
                the certificate (never the key) to every client, which then checks it: curl --cacert rollcall.crt \
                https://NAME:PORT/healthz, or the browser's certificate store. Repeat --host for every name or address \
                clients use to reach the server.
                """
        )

        @Option(help: "A host name or IP address clients use to reach the server (repeat for several).")
        var host: [String]

        @Option(help: "Certificate file to write (PEM; refused if it exists).")
        var certificate = "rollcall.crt"

        @Option(help: "Private key file to write (PEM, mode 0600; refused if it exists).")
        var key = "rollcall.key"

        @Option(help: "Days the certificate stays valid.")
        var days = 825

        @OptionGroup var language: LanguageOptions

        func validate() throws {
            guard !host.isEmpty, host.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
                throw ValidationError("--host must name a host or address clients use, without spaces.")
            }
            guard (1...3650).contains(days) else { throw ValidationError("--days must lie in 1...3650, got \(days).") }
            for file in [certificate, key] where FileManager.default.fileExists(atPath: file) {
                throw ValidationError("\(file) exists; not overwriting it (remove it, or pass another path).")
            }
        }

        func run() async throws {
            let made = try SelfSignedCertificate(hosts: host, days: days)
            guard try SecretFile.create(key, text: made.privateKeyPEM, what: "TLS private key") else {
                throw ValidationError("\(key) exists; not overwriting it.")
            }
            do {
                try Data(made.certificatePEM.utf8).write(to: URL(fileURLWithPath: certificate), options: .withoutOverwriting)
            } catch {
                throw ValidationError("cannot write \(certificate): \(error.localizedDescription)")
            }
            print(language.texts.format("cli.tls_made", [
                "certificate": certificate, "key": key, "hosts": host.joined(separator: ", "),
                "time": language.presentation.time.display(made.notValidAfter), "fingerprint": made.fingerprint,
            ]))
        }
    }
}

