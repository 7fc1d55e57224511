import ArgumentParser
import Foundation
import RollCall
import RollCallStore

extension ReportFormat: ExpressibleByArgument {}

extension RollCallCommand {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a session's roll call in roster order: CSV, JSON or a printable HTML sign-in sheet.",
            discussion: """
                Status: present (first confirmed sighting or manual check-in), excused (checked out with a reason and \
                never arrived), absent. Times are ISO 8601 with the local offset. With --sign (and -o FILE) the report \
                and the audit chain head are signed with the site's Ed25519 key into FILE.sig; an auditor checks both \
                on any machine with rollcall report verify FILE --public-key site.pub (rollcall keys site-key prints it).
                """,
            subcommands: [Verify.self]
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Session id (default: the open session, else the latest).")
        var session: Int64?

        @Option(help: "Output format: csv, json or html.")
        var format: ReportFormat = .csv

        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
        var output: String?

        @Flag(help: "CSV for Microsoft Excel: start with a UTF-8 byte-order mark (without it Excel reads the legacy code page and garbles Vietnamese names).")
        var excel = false

        @Flag(help: "Sign the report and the audit chain head with the site's Ed25519 key into FILE.sig (needs -o FILE).")
        var sign = false

        @Option(help: "The site's signing key file for --sign (env ROLLCALL_SITE_KEY_FILE; default ~/.local/share/rollcall/site-signing.key; made on first use).")
        var siteKey: String = SiteSigningKey.defaultPath()

        func validate() throws {
            if excel && format != .csv { throw ValidationError("--excel applies to --format csv only") }
            if sign && output == nil { throw ValidationError("--sign needs -o FILE: the signature goes to FILE.sig beside it") }
        }

        func run() async throws {
            let database = try store.openStore(mustExist: true)
            let report = try database.report(sessionID: session)
            let text = (excel ? "\u{FEFF}" : "") + report.rendered(as: format)
            guard let output else { return print(text, terminator: "") }
            let bytes = Data(text.utf8)
            var signature: ReportSignature?
            if sign {
                // The chain is checked first: a signature must not vouch for a chain that is already broken.
                let verdict = try database.verifyAudit()
                guard verdict.isIntact, verdict.headHash == report.chainHead else {
                    throw ValidationError("not signing: \(verdict.isIntact ? "the chain moved while the report was made; try again" : verdict.summary)")
                }
                let (key, created) = try SiteSigningKey.load(path: siteKey, create: true)
                if created { printError("made a new site signing key in \(siteKey); give auditors its public key: rollcall keys site-key") }
                signature = try ReportSignature.sign(report: bytes, sessionID: report.session.id, chainHead: report.chainHead,
                                                     chainLength: Int64(verdict.checked),
                                                     signedAt: AttendanceReport.iso8601(Date(), timeZone: .current), key: key)
            }
            do {
                try bytes.write(to: URL(fileURLWithPath: output), options: .atomic)
                if let signature {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    try (try encoder.encode(signature) + Data("\n".utf8)).write(to: URL(fileURLWithPath: output + ".sig"), options: .atomic)
                }
            } catch {
                throw ValidationError("cannot write \(output): \(error.localizedDescription)")
            }
            printError("\(report.totalsLine). \(report.quorum.line). Written to \(output)"
                + (signature.map { "; signed into \(output).sig by key \($0.keyFingerprint) at chain head \($0.chainHead) (\($0.chainLength) links)" } ?? ""))
        }
    }
}

extension RollCallCommand.Report {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a signed report offline with the site's public key; exits 1 when it does not verify.",
            discussion: """
                Needs only the report FILE, its signature FILE.sig and the site's public key (no database): says which \
                session and audit chain head the site vouched for, and when. Compare the key's fingerprint with the one \
                the site gave you by another channel.
                """
        )

        @Argument(help: "The signed report file.")
        var file: String

        @Option(help: "The site's public key (PEM), from rollcall keys site-key.")
        var publicKey: String

        @Option(help: "The signature file (default: FILE.sig).")
        var signature: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let key = try SiteSigningKey.readPublic(path: publicKey)
            let signaturePath = signature ?? file + ".sig"
            guard let report = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read the report \(file)") }
            guard let signatureData = FileManager.default.contents(atPath: signaturePath) else {
                throw ValidationError("cannot read the signature \(signaturePath) (made by rollcall report --sign -o \(file))")
            }
            let signed: ReportSignature
            do { signed = try JSONDecoder().decode(ReportSignature.self, from: signatureData) } catch {
                throw ValidationError("\(signaturePath) is not a rollcall report signature: \(error)")
            }
            let problem = signed.problem(report: report, publicKey: key)
            if json {
                struct Output: Encodable {
                    var valid: Bool, problem: String?, session_id: Int64, chain_head: String, chain_length: Int64, signed_at: String
                    var key_fingerprint: String
                }
                try printJSON(Output(valid: problem == nil, problem: problem, session_id: signed.sessionID, chain_head: signed.chainHead,
                                     chain_length: signed.chainLength, signed_at: signed.signedAt,
                                     key_fingerprint: ReportSignature.fingerprint(key)))
            } else if let problem {
                printError("\(file): NOT VERIFIED: \(problem)")
            } else {
                print("\(file): signature valid (key \(ReportSignature.fingerprint(key))): session \(signed.sessionID), audit chain head "
                    + "\(signed.chainHead) at \(signed.chainLength) links, signed \(signed.signedAt)")
            }
            if problem != nil { throw ExitCode(1) }
        }
    }
}
