import Foundation
import Testing

/// The security verbs through the built binary, as a secretariat and an auditor would run them: tokens, HTTPS
/// `serve` checked with curl, key rotation under a running daemon, signed reports, purge and the privacy report.
// Serialized: each test blocks a thread while its command lines run, and the cooperative pool has only two here.
@Suite(.serialized) struct SecurityCLITests {
    typealias Workspace = CLITests.Workspace
    static let photos = (ProcessInfo.processInfo.environment["ROLLCALL_MODELS"] ?? "") + "/test-photos"

    /// A workspace with its own site signing key, two delegates on the roster and a session open.
    private func workspace() async throws -> Workspace {
        var w = try Workspace()
        w.env["ROLLCALL_SITE_KEY_FILE"] = w.dir.appendingPathComponent("site-signing.key").path
        w.env["USER"] = "thu-ky"
        let csv = try w.file("roster.csv", "id,name,unit\nD1,Barack Obama,Illinois\nD2,Joe Biden,Delaware\n")
        #expect(try await w.launch("roster", "import", csv).status == 0)
        #expect(try await w.launch("session", "open", "Phiên khai mạc").status == 0)
        return w
    }

    @Test func tokens_secretPrintedOnceNeverListed_revokeAndBadInput() async throws {
        let w = try await workspace()
        let add = try await w.launch("tokens", "add", "Nguyễn Thị Lan", "--role", "operator")
        #expect(add.status == 0, "\(add.stderr)")
        let secret = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("rct_") && add.stderr.contains("it is not shown again"))
        let list = try await w.launch("tokens", "list", "--json")
        #expect(list.stdout.contains("Nguyễn Thị Lan") && list.stdout.contains("\"live\" : true") && !list.stdout.contains(secret))
        let twice = try await w.launch("tokens", "add", "Nguyễn Thị Lan", "--role", "admin")
        #expect(twice.status != 0 && twice.stderr.contains("already has a live operator token"))
        #expect(try await w.launch("tokens", "add", "x", "--role", "superuser").stderr.contains("superuser"))
        #expect(try await w.launch("tokens", "add", "x", "--role", "viewer", "--expires", "2001-01-01").stderr.contains("future"))
        // A bare date is midnight on the site's clock (Asia/Ho_Chi_Minh unless --time-zone says otherwise), as shown.
        let dated = try await w.launch("tokens", "add", "Màn hình", "--role", "viewer", "--expires", "2031-03-01", "--json")
        #expect(dated.stdout.contains(#""expires_at" : "2031-03-01T00:00:00+07:00""#), "\(dated.stdout)\(dated.stderr)")
        let paris = try await w.launch("tokens", "add", "Paris", "--role", "viewer", "--expires", "2031-03-01", "--time-zone", "Europe/Paris")
        #expect(paris.stderr.contains("expires 01/03/2031 00:00"), "\(paris.stderr)")
        #expect(try await w.launch("tokens", "revoke", "Nguyễn Thị Lan").status == 0)
        #expect(try await w.launch("tokens", "list").stdout.contains("revoked"))
        #expect(try await w.launch("tokens", "revoke", "nobody").stderr.contains("no live token for nobody"))
        #expect(try await w.launch("audit", "verify").stdout.contains("intact: 5 rows"))  // session.open, token.add × 3, token.revoke
    }

    /// The whole network path: `tls self-signed`, `serve` over HTTPS with per-person tokens, a token revoked and the
    /// template key rotated while it runs, a delegate enrolled after the rotation picked up by the running daemon.
    @Test func serveOverHTTPS_rolesRevocationAndKeyRotationWhileRunning() async throws {
        let w = try await workspace()
        // Every command line on its own thread (Workspace.launch; see BackgroundProcess.waitFor).
        @Sendable func run(_ arguments: String...) async throws -> CLITests.Run { try await w.launch(arguments) }
        #expect(try await run("enroll", "D1", Self.photos + "/obama.jpg").status == 0)
        let tls = try await run("tls", "self-signed", "--host", "localhost")
        #expect(tls.status == 0 && tls.stdout.contains("SHA-256 fingerprint"), "\(tls.stderr)")
        #expect(try await run("tls", "self-signed", "--host", "localhost").stderr.contains("not overwriting"))
        var info = stat()
        stat(w.dir.appendingPathComponent("rollcall.key").path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        let operatorToken = try await run("tokens", "add", "Lan", "--role", "operator").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let viewerToken = try await run("tokens", "add", "Màn hình", "--role", "viewer").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createDirectory(at: w.dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
        let config = try w.file("serve.yaml", """
            database: rollcall.db
            key_file: template.key
            http: { host: 127.0.0.1, port: 0, tls: { certificate: rollcall.crt, key: rollcall.key } }
            gates:
              - { name: north, source: empty }
            template_reload_seconds: 0.5

            """)
        let serve = try BackgroundProcess(binary: CLITests.binary, arguments: ["serve", "--config", config], workspace: w)
        defer { serve.stop() }
        // The bound port, from the start-up notice (port 0 picks a free one).
        let address = try #require(await serve.waitFor(timeout: 60) { $0.range(of: #"http\.address=https://127\.0\.0\.1:\d+/"#, options: .regularExpression) })
        let base = address.replacingOccurrences(of: "http.address=", with: "").replacingOccurrences(of: "127.0.0.1", with: "localhost")
        let cert = w.dir.appendingPathComponent("rollcall.crt").path
        @Sendable func curl(_ path: String, token: String?, body: String? = nil) async throws -> (Int32, Int, String) {
            var arguments = ["-s", "--max-time", "10", "-w", "\n%{http_code}", "--cacert", cert]
            if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
            if let body { arguments += ["-H", "Content-Type: application/json", "-d", body] }
            let command = arguments + [base + path.dropFirst()]
            let done = try await BackgroundProcess.onThread { try BackgroundProcess.run("/usr/bin/curl", command) }
            let status = Int(done.stdout.split(separator: "\n").last ?? "") ?? 0
            return (done.status, status, done.stdout)
        }
        let checkin = #"{"delegate_id":"D2","reason":"máy quét hỏng"}"#
        #expect(try await curl("/api/session", token: nil).1 == 401)
        #expect(try await curl("/api/session", token: viewerToken).1 == 200)
        #expect(try await curl("/api/checkin", token: viewerToken, body: checkin).1 == 403)
        let done = try await curl("/api/checkin", token: operatorToken, body: checkin)
        #expect(done.1 == 200 && done.2.contains("\"recorded_by\":\"Lan\""), "\(done)")
        // Not trusted without the certificate.
        #expect(try await BackgroundProcess.onThread { try BackgroundProcess.run("/usr/bin/curl", ["-s", "--max-time", "10", base + "healthz"]) }.status == 60)

        // Revoked at the desk while serving: refused at the next request.
        #expect(try await run("tokens", "revoke", "Lan").status == 0)
        #expect(try await curl("/api/checkout", token: operatorToken, body: checkin).1 == 401)

        // Key rotated while serving, then a delegate enrolled with the new key: the daemon opens it without a restart.
        let oldKey = try String(contentsOf: w.dir.appendingPathComponent("template.key"), encoding: .utf8)
        let rotate = try await run("keys", "rotate")
        #expect(rotate.status == 0 && rotate.stdout.contains("1 template(s) re-sealed"), "\(rotate.stderr)")
        #expect(try String(contentsOf: w.dir.appendingPathComponent("template.key"), encoding: .utf8) != oldKey)
        #expect(try await run("enroll", "D2", Self.photos + "/biden.jpg").status == 0)
        let reloaded = await serve.waitFor(timeout: 30) { $0.contains("templates reloaded: 2 delegates") ? "" : nil }
        #expect(reloaded != nil, "the daemon did not pick up the template enrolled after the rotation:\n\(serve.output.suffix(2000))")
        #expect(serve.output.contains("template key rotated by another process"))
        #expect(!serve.output.contains("cannot be opened"))
        serve.stop()

        #expect(try await run("identify", Self.photos + "/biden.jpg").stdout.contains("D2 Joe Biden"))
        let audit = try await run("audit", "verify", "--json")
        #expect(audit.status == 0 && audit.stdout.contains("\"intact\" : true"), "\(audit.stdout)")
        // Who did what, from the chain: the check-in by the operator's token, the rest at the desk.
        let log = try await run("audit", "log").stdout
        for line in ["\tLan\tattendance.checkin\tdelegate D2, session 1: máy quét hỏng", "\tcli:thu-ky\ttoken.revoke\t",
                     "\tcli:thu-ky\tkeys.rotate\t1 templates re-sealed"] {
            #expect(log.contains(line), "\(line) not in\n\(log)")
        }
    }

    @Test func signedReport_verifiesOffline_failsWhenTamperedOrWithAnotherKey() async throws {
        let w = try await workspace()
        #expect(try await w.launch("checkin", "D1", "--reason", "thẻ từ hỏng").status == 0)
        #expect(try await w.launch("report", "--sign").stderr.contains("--sign needs -o FILE"))
        let key = try await w.launch("keys", "site-key", "-o", "site.pub")
        #expect(key.status == 0 && key.stderr.contains("fingerprint"), "\(key.stderr)")
        let signed = try await w.launch("report", "--format", "csv", "-o", "roll-call.csv", "--sign")
        #expect(signed.status == 0 && signed.stderr.contains("signed into"), "\(signed.stderr)")

        // On another machine: only the report, its signature and the public key.
        let auditor = try Workspace()
        let copy = { (name: String) in
            try FileManager.default.copyItem(at: w.dir.appendingPathComponent(name), to: auditor.dir.appendingPathComponent(name))
        }
        try copy("roll-call.csv"); try copy("roll-call.csv.sig"); try copy("site.pub")
        let ok = try await auditor.launch("report", "verify", "roll-call.csv", "--public-key", "site.pub")
        #expect(ok.status == 0 && ok.stdout.contains("signature valid") && ok.stdout.contains("at 3 links"), "\(ok.stdout)\(ok.stderr)")

        // One delegate's status changed in the file, every other byte (the byte-order mark too) left as signed.
        let reportFile = auditor.dir.appendingPathComponent("roll-call.csv")
        let original = try Data(contentsOf: reportFile)
        let edited = Data(String(decoding: original, as: UTF8.self)
            .replacingOccurrences(of: "D2,Joe Biden,Delaware,,absent", with: "D2,Joe Biden,Delaware,,present").utf8)
        #expect(edited != original && edited.count == original.count + 1, "the edit must change the status")
        try edited.write(to: reportFile)
        let tampered = try await auditor.launch("report", "verify", "roll-call.csv", "--public-key", "site.pub")
        #expect(tampered.status == 1 && tampered.stderr.contains("NOT VERIFIED") && tampered.stderr.contains("altered"), "\(tampered.stderr)")
        try original.write(to: reportFile)

        // The signature file edited to vouch for another chain head.
        let sigPath = auditor.dir.appendingPathComponent("roll-call.csv.sig")
        let sig = try String(contentsOf: sigPath, encoding: .utf8)
        let head = try #require(sig.range(of: #""chain_head" : "[0-9a-f]{64}""#, options: .regularExpression))
        try sig.replacingCharacters(in: head, with: "\"chain_head\" : \"\(String(repeating: "0", count: 64))\"")
            .write(to: sigPath, atomically: true, encoding: .utf8)
        #expect(try await auditor.launch("report", "verify", "roll-call.csv", "--public-key", "site.pub").status == 1)
        try sig.write(to: sigPath, atomically: true, encoding: .utf8)

        // Another site's key.
        var other = try Workspace()
        other.env["ROLLCALL_SITE_KEY_FILE"] = other.dir.appendingPathComponent("other.key").path
        #expect(try await other.launch("keys", "site-key", "-o", auditor.dir.appendingPathComponent("other.pub").path).status == 0)
        let wrongKey = try await auditor.launch("report", "verify", "roll-call.csv", "--public-key", "other.pub")
        #expect(wrongKey.status == 1 && wrongKey.stderr.contains("does not verify with public key"), "\(wrongKey.stderr)")
        #expect(try await auditor.launch("report", "verify", "roll-call.csv", "--public-key", "site.pub").status == 0)

        // A site key others may read is refused, as the template key is.
        chmod(w.env["ROLLCALL_SITE_KEY_FILE"]!, 0o644)
        #expect(try await w.launch("report", "-o", "again.csv", "--sign").stderr.contains("readable by others"))
    }

    @Test func signedReport_refusedOverABrokenChain() async throws {
        let w = try await workspace()
        #expect(try await w.launch("checkin", "D1", "--reason", "x").status == 0)
        #expect(try await w.launch("checkin", "D2", "--reason", "y").status == 0)
        // Rewritten behind the program's back.
        let db = w.env["ROLLCALL_DB"]!
        let sql = try await BackgroundProcess.onThread { try BackgroundProcess.run("/usr/bin/python3", ["-c", "import sqlite3; c = sqlite3.connect('\(db)'); c.execute(\"UPDATE manual_event SET reason = 'z' WHERE delegate_id = 'D1'\"); c.commit()"]) }
        #expect(sql.status == 0, "\(sql.stdout)")
        let refused = try await w.launch("report", "-o", "r.csv", "--sign")
        #expect(refused.status != 0 && refused.stderr.contains("not signing: audit chain BROKEN"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: w.dir.appendingPathComponent("r.csv.sig").path))
    }

    @Test func purgeAndPrivacyReport_afterTheCongress() async throws {
        let w = try await workspace()
        #expect(try await w.launch("enroll", "D1", Self.photos + "/obama.jpg").status == 0)
        #expect(try await w.launch("checkin", "D2", "--reason", "x").status == 0)
        let faces = w.dir.appendingPathComponent("faces")
        try FileManager.default.createDirectory(at: faces, withIntermediateDirectories: true)
        let crop = faces.appendingPathComponent("session1-north-track4-D1.jpg")
        try Data(repeating: 0xAB, count: 2000).write(to: crop)
        try Data("keep".utf8).write(to: faces.appendingPathComponent("notes.txt"))

        let before = try await w.launch("privacy", "report", "--faces-dir", faces.path, "--json")
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("\"delegate_id\" : \"D1\"") && before.stdout.contains("\"source_photos\" : [\n        \"obama.jpg\""), "\(before.stdout)")
        #expect(before.stdout.contains("\"files\" : 1"))

        let purge = try await w.launch("purge", "templates", "--faces-dir", faces.path)
        #expect(purge.status == 0 && purge.stdout.contains("1 template(s) of 1 delegate(s) erased, 1 face crop(s) erased"), "\(purge.stdout)\(purge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: crop.path))
        #expect(FileManager.default.fileExists(atPath: faces.appendingPathComponent("notes.txt").path))
        let after = try await w.launch("privacy", "report")
        #expect(after.stdout.contains("templates (sealed face embeddings): 0 of 0 delegate(s)"), "\(after.stdout)")
        // The record and the chain stay, with the purge in it.
        #expect(try await w.launch("report", "--format", "csv").stdout.contains("D2,Joe Biden,Delaware,,present"))
        #expect(try await w.launch("audit", "verify").stdout.contains("intact: 4 rows"))  // session.open, check-in (2), purge
        #expect(try await w.launch("identify", Self.photos + "/obama2.jpg").status != 0)
        #expect(try await w.launch("purge", "templates", "--before", "yesterday").stderr.contains("yesterday"))
    }
}

/// A `rollcall serve` (or any program) running in the background, its standard error collected as it comes.
final class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var text = ""

    init(binary: URL, arguments: [String], workspace: CLITests.Workspace) throws {
        process.executableURL = binary
        process.arguments = arguments
        process.environment = workspace.env
        process.currentDirectoryURL = workspace.dir
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.text += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    var output: String { lock.withLock { text } }

    /// Waits until `match` finds something in the output so far, or `timeout` seconds pass. Sleeps with
    /// `Task.sleep`: a blocked thread of the cooperative pool (two on this machine) would stall every other test's
    /// async work meanwhile.
    func waitFor(timeout: Double, _ match: (String) -> Range<String.Index>?) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let now = output
            if let range = match(now) { return String(now[range]) }
            if !process.isRunning { return nil }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    func waitFor(timeout: Double, _ match: (String) -> String?) async -> String? {
        await waitFor(timeout: timeout) { text -> Range<String.Index>? in match(text).map { _ in text.startIndex..<text.startIndex } }
    }

    /// Runs blocking work (a whole command line) on a thread of its own, off the cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// SIGTERM (a graceful stop), then waits for the exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Runs a program to completion: exit status and standard output.
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
