import Foundation
import RollCallServer
import Testing
import Texts

/// The serve configuration: no key silently ignored, and an example a user can start from.
struct ConfigurationTests {
    private func load(_ yaml: String) throws -> ServerConfiguration {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("gates.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try ServerConfiguration.load(path: path)
    }

    private func failure(_ yaml: String) -> ServerError? {
        do { _ = try load(yaml); return nil } catch let error as ServerError { return error } catch { return nil }
    }

    @Test func unknownTopLevelKey_isNamedWithTheNearOne() throws {
        let error = try #require(failure("database: r.db\ngate:\n  - { name: a, source: x.avi }\n"))
        #expect(error.description.contains("unknown key `gate` at the top level (did you mean `gates`?)"), "\(error)")
        #expect(error.description.contains("the keys there are: database, key_file"), "\(error)")
        #expect(error.localized(.of(.vi)).contains("khoá «gate» không có ở cấp ngoài cùng (có phải ý là «gates»?)"), "\(error.localized(.of(.vi)))")
    }

    @Test func unknownNestedKeys_areNamedWhereTheyAre() throws {
        let http = try #require(failure("http: { host: 127.0.0.1, prot: 9090 }\ngates:\n  - { name: a, source: x.avi }\n"))
        #expect(http.description.contains("unknown key `prot` in http (did you mean `port`?)"), "\(http)")
        let gate = try #require(failure("gates:\n  - { name: a, source: x.avi }\n  - { name: b, source: y.avi, rotation: 90 }\n"))
        #expect(gate.description.contains("unknown key `rotation` in gates[1] (did you mean `rotate`?)"), "\(gate)")
        let pipeline = try #require(failure("pipeline: { confirmation: 2 }\ngates:\n  - { name: a, source: x.avi }\n"))
        #expect(pipeline.description.contains("`confirmation` in pipeline (did you mean `confirmations`?)"), "\(pipeline)")
        let far = try #require(failure("colour: blue\ngates:\n  - { name: a, source: x.avi }\n"))
        #expect(!far.description.contains("did you mean"), "\(far)")
    }

    /// The security keys are known to the check (`http.tls`, `insecure_http`), and checked inside `tls` too.
    @Test func httpsKeys_areKnown_andAMistypedOneInTLSIsNamed() throws {
        let configuration = try load("http: { host: 0.0.0.0, port: 8443, tls: { certificate: a.crt, key: a.key } }\ngates:\n  - { name: a, source: x.avi }\n")
        #expect(configuration.http.tls?.certificate.hasSuffix("/a.crt") == true && configuration.http.scheme == "https")
        #expect(try load("http: { host: 0.0.0.0, insecure_http: true }\ngates:\n  - { name: a, source: x.avi }\n").http.insecureHTTP)
        let tls = try #require(failure("http: { tls: { certificate: a.crt, keyfile: a.key } }\ngates:\n  - { name: a, source: x.avi }\n"))
        #expect(tls.description.contains("unknown key `keyfile` in http.tls (did you mean `key`?)"), "\(tls)")
        // A configuration from before per-person tokens: told what to do instead, not "unknown key".
        let token = try #require(failure("http: { token: s3cret-token-0123456789 }\ngates:\n  - { name: a, source: x.avi }\n"))
        #expect(token.description.contains("http.token is no longer read") && !token.description.contains("unknown key"), "\(token)")
    }

    @Test func languageTimeZoneAndGreeting_areRead() throws {
        let configuration = try load("lang: en\ntime_zone: Europe/Paris\ngreeting_seconds: 8\ngates:\n  - { name: a, source: x.avi }\n")
        #expect(configuration.lang == .en && configuration.greetingSeconds == 8)
        #expect(try configuration.siteTime().timeZone.identifier == "Europe/Paris")
        #expect(failure("lang: fr\ngates:\n  - { name: a, source: x.avi }\n")?.description.contains("unknown language 'fr'") == true)
        #expect(failure("time_zone: Mars/Base\ngates:\n  - { name: a, source: x.avi }\n")?.description.contains("Mars/Base") == true)
    }

    /// Both languages' examples load as they are, use only known keys, and say the same things.
    @Test func examplesLoadAndAgree() throws {
        var keys: [Set<String>] = []
        for language in Language.allCases {
            let text = ServerConfiguration.example(in: language)
            let configuration = try load(text)
            #expect(configuration.gates.count == 2)
            #expect(configuration.lang == language)
            keys.append(Set(text.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.drop { $0 == " " || $0 == "-" || $0 == "#" }.trimmingCharacters(in: .whitespaces)
                guard let colon = trimmed.firstIndex(of: ":"), !trimmed.contains(" ") || trimmed.firstIndex(of: " ")! > colon else { return nil }
                return String(trimmed[..<colon])
            }))
        }
        #expect(keys[0] == keys[1])
        for key in ["lang", "time_zone", "greeting_seconds", "gate_stale_seconds", "template_reload_seconds", "pipeline", "reconnect", "http"] {
            #expect(keys[0].contains(key), "the example shows \(key)")
        }
    }
}
