import FaceEngine
import Foundation
import LiveRecognition
import Hummingbird
import HummingbirdTesting
import Prometheus
import RollCall
import RollCallServer
import RollCallStore
import Testing

/// The HTTP API: routes, metrics, health, and the bearer token.
struct HTTPAPITests {
    @Test func sessionAndAttendance_reportTheStore() async throws {
        let (api, directory) = try makeAPI(present: ["D-OBAMA"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try Daemon.buildApplication(http: .init(), api: api, logger: ServerFixtures.quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/session", method: .get) { response in
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect(body["present"] as? Int == 1)
                #expect(body["expected"] as? Int == 2)
                #expect(body["quorum_required"] as? Int == 1)
                #expect(body["quorum_met"] as? Bool == true)
            }
            try await client.execute(uri: "/api/attendance", method: .get) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                let rows = body["delegates"] as! [[String: Any]]
                #expect(rows.map { $0["delegate_id"] as? String } == ["D-OBAMA", "D-ABSENT"])
                #expect(rows.map { $0["status"] as? String } == ["present", "absent"])
                #expect(rows[0]["gate"] as? String == "north")
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: response.body).contains("id=\"present\""))
            }
        }
    }

    @Test func metrics_exposeThePipelineSeries() async throws {
        let (api, directory) = try makeAPI(present: [])
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = PipelineMetrics(registry: api.registry, gate: "north")
        metrics.frames.increment(by: Int64(5))
        metrics.detectSeconds.record(.milliseconds(3))
        let app = try Daemon.buildApplication(http: .init(), api: api, logger: ServerFixtures.quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("rollcall_frames_total{gate=\"north\"} 5"))
                for name in ["rollcall_frames_dropped_total", "rollcall_faces_total", "rollcall_recognitions_total",
                             "rollcall_unknown_faces_total", "rollcall_stage_seconds_bucket"] {
                    #expect(text.contains(name), "missing \(name)")
                }
            }
        }
    }

    @Test func configuration_nonLoopbackHostWithoutTLS_isRefusedUnlessInsecureHTTPIsSaid() throws {
        var configuration = ServerConfiguration(gates: [GateConfiguration(name: "north", source: "0")],
                                                http: .init(host: "0.0.0.0", port: 8080))
        let refused = #expect(throws: ServerError.self) { try configuration.validate() }
        #expect(refused?.description.contains("http.tls must name a certificate and key") == true)
        configuration.http.insecureHTTP = true
        try configuration.validate()
        configuration.http = .init(host: "0.0.0.0", port: 8443, tls: .init(certificate: "rollcall.crt", key: "rollcall.key"))
        try configuration.validate()
        configuration.http = .init(host: "127.0.0.1", port: 8080)
        try configuration.validate()
    }

    @Test func configuration_oldSharedToken_isRefusedWithTheWayToPerPersonTokens() throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rollcall.yaml").path
        try "http: { host: 127.0.0.1, token: s3cret-token-0123456789 }\ngates:\n  - { name: north, source: a.avi }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ServerError.self) { try ServerConfiguration.load(path: path) }
        #expect(error?.description.contains("rollcall tokens add NAME") == true, "\(String(describing: error))")
    }

    @Test func configuration_readsYAML() throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rollcall.yaml").path
        try """
        database: data/rollcall.db
        http: { host: 127.0.0.1, port: 9090 }
        pipeline: { confirmations: 4 }
        gates:
          - { name: north, source: entrance.avi, realtime: true }
          - { name: south, source: "http://127.0.0.1:8081/stream.mjpg", rotate: 90 }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try ServerConfiguration.load(path: path)
        #expect(configuration.database == directory.appendingPathComponent("data/rollcall.db").path)
        #expect(configuration.http.port == 9090)
        #expect(configuration.pipeline.confirmations == 4)
        #expect(configuration.pipeline.embedEvery == PipelineConfiguration().embedEvery)
        #expect(configuration.gates.map(\.source) == [directory.appendingPathComponent("entrance.avi").path, "http://127.0.0.1:8081/stream.mjpg"])
        #expect(configuration.gates.map(\.realtime) == [true, false])
        #expect(configuration.gates.map(\.rotate) == [0, 90])

        try "gates:\n  - { name: north, source: entrance.avi, rotate: 45 }\n".write(toFile: path, atomically: true, encoding: .utf8)
        let skewed = #expect(throws: ServerError.self) { try ServerConfiguration.load(path: path) }
        #expect(skewed?.description.contains("gate north: rotate must be 0, 90, 180 or 270") == true, "\(String(describing: skewed))")

        try "gates:\n  - { name: north }\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ServerError.self) { try ServerConfiguration.load(path: path) }

        // Frames may not be scaled below the detector's input
        #expect(configuration.pipeline.frameMaxWidth == 1280)
        try "pipeline: { frame_max_width: 200, detection_width: 320 }\ngates:\n  - { name: north, source: entrance.avi }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let narrow = #expect(throws: ServerError.self) { try ServerConfiguration.load(path: path) }
        #expect(narrow?.description.contains("frame_max_width") == true)
    }

    // MARK: - Helpers

    /// An API over a fresh store with Obama enrolled, an absentee, an open session, and `present` marked present at
    /// gate `north`.
    private func makeAPI(present: [String]) throws -> (RollCallAPI, URL) {
        let directory = try ServerFixtures.temporaryDirectory()
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        for id in present {
            try store.confirmPresence(session: session.id, delegateID: id, gate: "north", distance: 0.2, at: Date())
        }
        return (RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry()),
                directory)
    }
}
