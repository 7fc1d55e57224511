import ArgumentParser
import Documents
import Foundation
import RollCall
import RollCallStore

extension ReportFormat: ExpressibleByArgument {}
extension ReportDocument: ExpressibleByArgument {}

extension RollCallCommand {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a session's roll call: CSV or JSON for tools, an .xlsx workbook or printable A4 HTML for people.",
            discussion: """
                Status: present / Có mặt (arrived, not checked out since), left / Đã về sớm (checked out after \
                arriving; no longer counted present), excused / Vắng có phép (checked out before arriving), absent / \
                Vắng. CSV and JSON keep these codes and write times as ISO 8601 with the site's offset; .xlsx and \
                HTML speak --lang and show dd/MM/yyyy HH:mm. The CSV holds data rows only (totals and quorum are in \
                the other formats) and starts with a byte-order mark so Excel reads Vietnamese names right \
                (--no-bom for tools that mind). HTML documents: record (the roll call by delegation), sign-in (an A4 \
                sign-in sheet per delegation, with a signature column), absentees (who is not here, per delegation). \
                The audit chain is verified first: when it is broken the report says so itself (a warning on the \
                documents, audit_chain=broken on every CSV row, audit.intact=false in JSON) and the command exits 3. \
                With --sign (and -o FILE) the file written and the audit chain head are signed with the site's Ed25519 \
                key into FILE.sig (never over a broken chain: then nothing is written, exit 3); an auditor checks both \
                on any machine with rollcall report verify FILE --public-key site.pub (rollcall keys site-key prints it).
                """,
            subcommands: [Verify.self]
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Option(help: "Session id (default: the open session, else the latest).")
        var session: Int64?

        @Option(help: "Output format: csv, json, html or xlsx.")
        var format: ReportFormat = .csv

        @Option(help: "HTML document: record, sign-in or absentees.")
        var document: ReportDocument = .record

        @Option(help: "HTML documents: this delegation only.")
        var unit: String?

        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
        var output: String?

        @Flag(name: .customLong("no-bom"), help: "CSV without the UTF-8 byte-order mark Excel needs.")
        var noBOM = false

        @Flag(help: "Sign the report and the audit chain head with the site's Ed25519 key into FILE.sig (needs -o FILE).")
        var sign = false

        @Option(help: "The site's signing key file for --sign (env ROLLCALL_SITE_KEY_FILE; default ~/.local/share/rollcall/site-signing.key; made on first use).")
        var siteKey: String = SiteSigningKey.defaultPath()

        func validate() throws {
            if noBOM && format != .csv { throw ValidationError("--no-bom applies to --format csv only") }
            if (document != .record || unit != nil) && format != .html {
                throw ValidationError("--document and --unit apply to --format html only")
            }
            if format == .xlsx && output == nil && isatty(STDOUT_FILENO) == 1 {
                throw ValidationError("an .xlsx workbook is binary: write it with -o FILE.xlsx (or redirect standard output)")
            }
            if sign && output == nil { throw ValidationError("--sign needs -o FILE: the signature goes to FILE.sig beside it") }
        }

        func run() async throws {
            // The chain is verified in the same read as the report, so the verdict (and a signature's chain head) is the
            // state the figures were read at.
            let report = try store.openStore(mustExist: true).report(sessionID: session)
            let presentation = language.presentation
            let context = ReportContext(report, presentation)
            let texts = language.texts
            if sign, let link = report.audit.brokenLink {
                // A signature must not vouch for a chain that is already broken; nothing is written.
                printError(texts.format("cli.report_not_signing", [
                    "audit": texts.format("cli.audit_broken", ["link": link, "problem": report.audit.problem ?? ""]),
                ]))
                throw ExitCode(3)
            }
            var data = try format.render(report, presentation, document: document, unit: unit.map { .some($0) })
            if format == .csv && !noBOM { data = Data([0xEF, 0xBB, 0xBF]) + data }
            if let output {
                // Signed over the exact bytes written (byte-order mark included).
                let signature = try sign ? signature(of: data, report: report, presentation: presentation) : nil
                do {
                    try data.write(to: URL(fileURLWithPath: output), options: .atomic)
                    if let signature {
                        let encoder = JSONEncoder()
                        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                        try (try encoder.encode(signature) + Data("\n".utf8)).write(to: URL(fileURLWithPath: output + ".sig"), options: .atomic)
                    }
                } catch {
                    throw ValidationError("cannot write \(output): \(error.localizedDescription)")
                }
                printError(texts.format("cli.report_summary", ["totals": context.countsLine(report.totals), "quorum": context.quorumLine])
                    + ". " + texts.format("report.written", ["file": output])
                    + (signature.map {
                        texts.format("cli.report_signed", ["file": output + ".sig", "fingerprint": $0.keyFingerprint, "head": $0.chainHead,
                                                           "links": "\($0.chainLength)"])
                    } ?? ""))
            } else {
                FileHandle.standardOutput.write(data)
            }
            if !report.audit.isIntact {
                printError(context.auditText)
                throw ExitCode(3)
            }
        }

        /// The site key's signature over `data`, the session and the chain head the report was read at.
        private func signature(of data: Data, report: AttendanceReport, presentation: Presentation) throws -> ReportSignature {
            let (key, created) = try SiteSigningKey.load(path: siteKey, create: true)
            if created { printError(language.texts.format("cli.site_key_made", ["file": siteKey])) }
            return try ReportSignature.sign(report: data, sessionID: report.session.id, chainHead: report.chainHead,
                                            chainLength: Int64(report.audit.checked), signedAt: presentation.time.iso8601(Date()), key: key)
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

        @OptionGroup var language: LanguageOptions

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
                printError(language.texts.format("cli.signature_invalid", ["file": file, "problem": problem]))
            } else {
                // `signed_at` is shown as it was signed (ISO 8601 with the signer's offset): it is part of what was signed.
                print(language.texts.format("cli.signature_valid", [
                    "file": file, "fingerprint": ReportSignature.fingerprint(key), "session": "\(signed.sessionID)",
                    "head": signed.chainHead, "links": "\(signed.chainLength)", "signed": signed.signedAt,
                ]))
            }
            if problem != nil { throw ExitCode(1) }
        }
    }
}
