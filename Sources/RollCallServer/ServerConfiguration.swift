import Foundation
import LiveRecognition
import Texts
import Yams

/// Everything `rollcall serve` needs, read from one YAML file. `rollcall serve --example-config` prints a complete,
/// commented example (`Resources/examples/serve.<lang>.yaml`); a key RollCall does not know is an error naming it and
/// the known key it most resembles, never silently ignored.
///
/// ```yaml
/// database: rollcall.db
/// http:
///   host: 0.0.0.0                          # loopback (127.0.0.1) unless an operator opts out
///   port: 8443
///   tls: { certificate: rollcall.crt, key: rollcall.key }   # rollcall tls self-signed --host NAME makes a pair
/// gates:
///   - { name: north-door, source: /dev/video0 }
///   - { name: south-door, source: "rtsp://127.0.0.1:8554/cam", rotate: 90 }   # camera on its side: turn clockwise
/// template_reload_seconds: 5                 # pick up enrollments and removals made while serving; 0: never
/// lang: vi                                   # pages and messages: vi (default) or en
/// ```
///
/// Any other host than loopback needs `tls`, or `insecure_http: true` said in so many words. Who may do what is not
/// configured here: API tokens live in the database (`rollcall tokens add NAME --role R`).
public struct ServerConfiguration: Sendable, Codable, Equatable {
    /// The HTTP listener.
    public struct HTTP: Sendable, Codable, Equatable {
        /// A certificate chain and its private key, PEM files: with them the server speaks HTTPS only.
        public struct TLS: Sendable, Codable, Equatable {
            /// The certificate chain, leaf first.
            public var certificate: String
            /// The private key (keep it mode 0600).
            public var key: String

            enum CodingKeys: String, CodingKey, CaseIterable { case certificate, key }

            public init(certificate: String, key: String) {
                self.certificate = certificate
                self.key = key
            }
        }

        /// Address to bind; loopback unless an operator opts out (and then `tls` or `insecure_http` is required).
        public var host = "127.0.0.1"
        /// Port to bind; 0 picks a free one.
        public var port = 8080
        /// HTTPS; `nil`: plain HTTP, allowed on loopback only unless `insecureHTTP`.
        public var tls: TLS?
        /// Serve plain HTTP on a non-loopback address anyway (tokens and names then cross the network in clear).
        public var insecureHTTP = false

        public init(host: String = "127.0.0.1", port: Int = 8080, tls: TLS? = nil, insecureHTTP: Bool = false) {
            self.host = host
            self.port = port
            self.tls = tls
            self.insecureHTTP = insecureHTTP
        }

        /// `token` is no key of this type any more, but is kept known so that a configuration still carrying one is
        /// refused with what to do instead (below), not as an unknown key.
        enum CodingKeys: String, CodingKey, CaseIterable {
            case host, port, tls, token
            case insecureHTTP = "insecure_http"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            host = try c.decodeIfPresent(String.self, forKey: .host) ?? "127.0.0.1"
            port = try c.decodeIfPresent(Int.self, forKey: .port) ?? 8080
            tls = try c.decodeIfPresent(TLS.self, forKey: .tls)
            insecureHTTP = try c.decodeIfPresent(Bool.self, forKey: .insecureHTTP) ?? false
            if c.contains(.token) {
                throw ServerError.badConfiguration(
                    "http.token is no longer read: tokens are per person and kept hashed in the database; remove it and "
                        + "make one with `rollcall tokens add NAME --role viewer|operator|admin`")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(host, forKey: .host)
            try c.encode(port, forKey: .port)
            try c.encodeIfPresent(tls, forKey: .tls)
            try c.encode(insecureHTTP, forKey: .insecureHTTP)
        }

        /// Whether `host` only accepts connections from this machine.
        public var isLoopback: Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }

        /// `https` or `http`.
        public var scheme: String { tls == nil ? "http" : "https" }
    }

    /// SQLite database file.
    public var database = "rollcall.db"
    /// Template key file (`nil`: the store's default lookup, ROLLCALL_KEY / ROLLCALL_KEY_FILE / ~/.local/share).
    public var keyFile: String?
    /// Folder of installed model packs (`nil`: $ROLLCALL_MODELS or ~/.cache/rollcall/models).
    public var models: String?
    /// Model pack to use.
    public var pack = "sface"
    /// Face-engine workers shared by all gates. Each holds its own copy of the networks (~90 MB); one worker with
    /// every core for OpenCV is the lean default, two let two gates detect at the same time.
    public var workers = 1
    /// Session to record into (`nil`: the open one).
    public var session: Int64?
    /// Where to keep face crops of check-ins; `nil` keeps no face image at all.
    public var facesDirectory: String?
    public var http = HTTP()
    public var gates: [GateConfiguration] = []
    public var pipeline = PipelineConfiguration()
    public var reconnect = ReconnectPolicy()
    /// How often to look for templates enrolled or removed by another process (the desk's `rollcall enroll`, `rollcall
    /// delegates remove`) and swap the gates' matcher; 0 reads them at start only.
    public var templateReloadSeconds = ServerConfiguration.defaultTemplateReloadSeconds
    /// Language of the dashboard, the greeting screens, the printed documents and the daemon's messages (`nil`:
    /// `ROLLCALL_LANG`, else Vietnamese).
    public var lang: Language?
    /// The site's time zone (IANA name; `nil`: `ROLLCALL_TIME_ZONE`, else Asia/Ho_Chi_Minh).
    public var timeZone: String?
    /// How long the greeting screen shows a delegate after their check-in, seconds.
    public var greetingSeconds = 6.0
    /// A gate without a frame for longer than this is reported (health "degraded", red on the dashboard), seconds.
    public var gateStaleSeconds = 10.0

    /// Seconds between two looks at the templates, unless configured: a late delegate is recognised a few seconds
    /// after enrollment, at the cost of one tiny query per look.
    public static let defaultTemplateReloadSeconds = 5.0

    public init(gates: [GateConfiguration] = [], http: HTTP = HTTP()) {
        self.gates = gates
        self.http = http
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case database, keyFile = "key_file", models, pack, workers, session, facesDirectory = "faces_directory", http, gates, pipeline, reconnect
        case templateReloadSeconds = "template_reload_seconds"
        case lang, timeZone = "time_zone", greetingSeconds = "greeting_seconds", gateStaleSeconds = "gate_stale_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        database = try c.decodeIfPresent(String.self, forKey: .database) ?? "rollcall.db"
        keyFile = try c.decodeIfPresent(String.self, forKey: .keyFile)
        models = try c.decodeIfPresent(String.self, forKey: .models)
        pack = try c.decodeIfPresent(String.self, forKey: .pack) ?? "sface"
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? 1
        session = try c.decodeIfPresent(Int64.self, forKey: .session)
        facesDirectory = try c.decodeIfPresent(String.self, forKey: .facesDirectory)
        http = try c.decodeIfPresent(HTTP.self, forKey: .http) ?? HTTP()
        gates = try c.decodeIfPresent([GateConfiguration].self, forKey: .gates) ?? []
        pipeline = try c.decodeIfPresent(PipelineConfiguration.self, forKey: .pipeline) ?? PipelineConfiguration()
        reconnect = try c.decodeIfPresent(ReconnectPolicy.self, forKey: .reconnect) ?? ReconnectPolicy()
        templateReloadSeconds = try c.decodeIfPresent(Double.self, forKey: .templateReloadSeconds) ?? Self.defaultTemplateReloadSeconds
        if let text = try c.decodeIfPresent(String.self, forKey: .lang) {
            do { lang = try Language.parse(text, origin: "lang") } catch { throw ServerError.badConfiguration("\(error)") }
        }
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone)
        greetingSeconds = try c.decodeIfPresent(Double.self, forKey: .greetingSeconds) ?? 6
        gateStaleSeconds = try c.decodeIfPresent(Double.self, forKey: .gateStaleSeconds) ?? 10
    }

    /// The site's clock: `time_zone`, else `ROLLCALL_TIME_ZONE`, else Asia/Ho_Chi_Minh.
    public func siteTime(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SiteTime {
        do { return try SiteTime.resolve(timeZone, environment: environment) } catch {
            throw ServerError.badConfiguration("time_zone: \(error)")
        }
    }

    /// Reads and checks a YAML configuration file; relative paths in it are taken relative to the file.
    public static func load(path: String) throws -> ServerConfiguration {
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw ServerError.badConfiguration("\(path): cannot read the configuration file")
        }
        var configuration: ServerConfiguration
        do { try ConfigurationKeys.check(text, file: path) } catch let error as ServerError { throw error } catch {
            throw ServerError.badConfiguration("\(path): not valid YAML: \(error)")
        }
        do {
            configuration = try YAMLDecoder().decode(ServerConfiguration.self, from: text)
        } catch let error as ServerError {
            throw ServerError.badConfiguration("\(path): \(error.description)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw ServerError.badConfiguration("\(path): \(Self.where(context)) is missing `\(key.stringValue)`")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ServerError.badConfiguration("\(path): \(Self.where(context)): \(context.debugDescription)")
        } catch {
            throw ServerError.badConfiguration("\(path): not valid YAML: \(error)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        configuration.database = resolve(configuration.database)
        configuration.keyFile = configuration.keyFile.map(resolve)
        configuration.models = configuration.models.map(resolve)
        configuration.facesDirectory = configuration.facesDirectory.map(resolve)
        if let tls = configuration.http.tls {
            configuration.http.tls = .init(certificate: resolve(tls.certificate), key: resolve(tls.key))
        }
        for i in configuration.gates.indices {
            let source = configuration.gates[i].source
            // Files and folders are relative to the configuration; camera indexes and URLs are left alone.
            if !source.contains("://") && !source.allSatisfy(\.isNumber) && !source.hasPrefix("/") {
                configuration.gates[i].source = resolve(source)
            }
        }
        do { try configuration.validate() } catch let error as ServerError {
            throw ServerError.badConfiguration("\(path): \(error.description)")
        }
        return configuration
    }

    private static func `where`(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "the top level" : path
    }

    /// Names the first inconsistency.
    public func validate() throws {
        guard !gates.isEmpty else { throw ServerError.badConfiguration("no gates: list at least one under `gates`") }
        var seen = Set<String>()
        for (i, gate) in gates.enumerated() {
            guard !gate.name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ServerError.badConfiguration("gates[\(i)] has an empty name")
            }
            guard !gate.source.isEmpty else { throw ServerError.badConfiguration("gate \(gate.name) has an empty source") }
            guard seen.insert(gate.name).inserted else { throw ServerError.badConfiguration("gate name \(gate.name) appears twice") }
        }
        guard (1...16).contains(workers) else { throw ServerError.badConfiguration("workers must lie in 1...16, got \(workers)") }
        guard (0...65535).contains(http.port) else { throw ServerError.badConfiguration("http.port must lie in 0...65535, got \(http.port)") }
        if let tls = http.tls {
            guard !tls.certificate.isEmpty, !tls.key.isEmpty else {
                throw ServerError.badConfiguration("http.tls needs both `certificate` and `key` (PEM files)")
            }
        } else if !http.isLoopback && !http.insecureHTTP {
            throw ServerError.badConfiguration(
                "http.host \(http.host) is not a loopback address, so http.tls must name a certificate and key "
                    + "(rollcall tls self-signed --host NAME makes a pair), or set insecure_http: true to send tokens and names in clear")
        }
        guard templateReloadSeconds == 0 || (0.1...3600).contains(templateReloadSeconds) else {
            throw ServerError.badConfiguration(
                "template_reload_seconds must be 0 (never) or lie in 0.1...3600, got \(templateReloadSeconds)")
        }
        guard (1...120).contains(greetingSeconds) else {
            throw ServerError.badConfiguration("greeting_seconds must lie in 1...120, got \(greetingSeconds)")
        }
        guard (1...3600).contains(gateStaleSeconds) else {
            throw ServerError.badConfiguration("gate_stale_seconds must lie in 1...3600, got \(gateStaleSeconds)")
        }
        _ = try siteTime()
        do { try pipeline.validate() } catch let error as RecognitionError {
            throw ServerError.badConfiguration(error.description)
        }
    }

    /// A complete, commented configuration in `language`, for `rollcall serve --example-config`.
    public static func example(in language: Language) -> String {
        guard let url = Bundle.module.url(forResource: "examples/serve.\(language.rawValue)", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("the example configuration is missing from RollCallServer's resources")
        }
        return text
    }
}
