import Foundation
import Prometheus
import RollCall
import RollCallServer
import RollCallStore
import Testing

/// HTTPS on a real socket, checked by curl as a client on the network would: the certificate `rollcall tls
/// self-signed` makes is trusted only when given (`--cacert`), for the names it was made for, and tokens still apply.
struct TLSTests {
    @Test func https_withTheCertificateGiven_servesAndChecksNamesAndTokens() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let people = [ServerFixtures.Person(id: "D-1", name: "Nguyễn Văn An", unit: "Hà Nội", photos: [])]
        let (store, session) = try ServerFixtures.makeStore(in: directory, people: people)
        let token = try store.addToken(name: "Lan", role: .viewer, actor: "test").secret
        let tls = try Self.writePair(hosts: ["localhost", "127.0.0.1"], in: directory, named: "rollcall")
        let stranger = try Self.writePair(hosts: ["localhost"], in: directory, named: "other")
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry())

        try await LiveServer.run(http: .init(host: "127.0.0.1", port: 0, tls: tls), api: api) { port in
            let url = "https://localhost:\(port)/api/session"
            let ok = try await Self.curl(["--cacert", tls.certificate, "-H", "Authorization: Bearer \(token)", url])
            #expect(ok.exit == 0 && ok.status == 200, "\(ok)")
            #expect(ok.body.contains("\"session_id\":\(session.id)"))
            // By IP address too: it is in the certificate's names.
            let byAddress = try await Self.curl(["--cacert", tls.certificate, "-H", "Authorization: Bearer \(token)",
                                           "https://127.0.0.1:\(port)/api/session"])
            #expect(byAddress.status == 200, "\(byAddress)")
            // TLS does not replace the token.
            let anonymous = try await Self.curl(["--cacert", tls.certificate, url])
            #expect(anonymous.status == 401 && !anonymous.body.contains("session_id"), "\(anonymous)")
            // Not trusted without the certificate, nor with another one: curl refuses before sending anything (60).
            #expect(try await Self.curl([url]).exit == 60)
            #expect(try await Self.curl(["--cacert", stranger.certificate, url]).exit == 60)
            // A name the certificate was not made for.
            let wrongName = try await Self.curl(["--cacert", tls.certificate, "--resolve", "rollcall.example:\(port):127.0.0.1",
                                           "https://rollcall.example:\(port)/api/session"])
            #expect(wrongName.exit == 60, "\(wrongName)")
            // Plain HTTP on the TLS port gets nothing.
            let plain = try await Self.curl(["-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(port)/api/session"])
            #expect(plain.exit != 0 && !plain.body.contains("session_id"), "\(plain)")
        }
    }

    @Test func unreadableCertificateOrKey_isAConfigurationErrorNamingTheFile() throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory, people: [.init(id: "D-1", name: "An", unit: "", photos: [])])
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry())
        let tls = try Self.writePair(hosts: ["localhost"], in: directory, named: "rollcall")
        let notPEM = directory.appendingPathComponent("notes.txt").path
        try "not a certificate\n".write(toFile: notPEM, atomically: true, encoding: .utf8)
        for bad in [ServerConfiguration.HTTP.TLS(certificate: notPEM, key: tls.key), .init(certificate: tls.certificate, key: notPEM)] {
            let error = #expect(throws: ServerError.self) {
                _ = try Daemon.buildApplication(http: .init(tls: bad), api: api, logger: ServerFixtures.quietLogger)
            }
            #expect(error?.description.contains(notPEM) == true, "\(String(describing: error))")
        }
    }

    // MARK: - Helpers

    /// Writes a self-signed certificate and key as `rollcall tls self-signed` does.
    static func writePair(hosts: [String], in directory: URL, named name: String) throws -> ServerConfiguration.HTTP.TLS {
        let pair = try SelfSignedCertificate(hosts: hosts, days: 30)
        let certificate = directory.appendingPathComponent("\(name).crt").path, key = directory.appendingPathComponent("\(name).key").path
        try pair.certificatePEM.write(toFile: certificate, atomically: true, encoding: .utf8)
        try SecretFile.create(key, text: pair.privateKeyPEM, what: "TLS key")
        return .init(certificate: certificate, key: key)
    }

    struct Curl: CustomStringConvertible {
        var exit: Int32
        var status: Int
        var body: String
        var description: String { "curl exit \(exit), HTTP \(status): \(body.prefix(300))" }
    }

    /// Runs curl (Debian's, with OpenSSL) on its own thread (waiting on a cooperative one could starve the server
    /// under test of the threads it answers on) and returns its exit code, the HTTP status and the body.
    static func curl(_ arguments: [String]) async throws -> Curl {
        try await LiveServer.onThread { try runCurl(arguments) }
    }

    private static func runCurl(_ arguments: [String]) throws -> Curl {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "60", "-w", "\n%{http_code}"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let status = Int(text.split(separator: "\n").last ?? "") ?? 0
        return Curl(exit: process.terminationStatus, status: status, body: String(text.dropLast(String(status).count)))
    }
}
