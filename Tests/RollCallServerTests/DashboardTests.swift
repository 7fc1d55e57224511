import FaceEngine
import Foundation
import Prometheus
import RollCallServer
import RollCallStore
import Testing

/// The dashboard in a real headless browser, and the live event feed it follows.
struct DashboardTests {
    @Test func sse_deliversACheckInAsItHappens() async throws {
        // Given the daemon's API and a gate on the moving-faces clip, sharing one event feed
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let video = directory.appendingPathComponent("entrance.avi").path
        try ServerFixtures.writeMovingFacesVideo(to: video)
        let broadcaster = EventBroadcaster()
        let engine = ServerFixtures.engine
        let gate = try Daemon.makeGate(
            GateConfiguration(name: "north", source: video), engine: engine,
            matcher: Daemon.makeMatcherHolder(store: store, engine: engine), store: store, sessionID: session.id,
            pipeline: PipelineConfiguration(), reconnect: ReconnectPolicy(), registry: nil, broadcaster: broadcaster,
            facesDirectory: nil, logger: ServerFixtures.quietLogger)
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: broadcaster, registry: PrometheusCollectorRegistry())

        // When a client follows /api/events while the gate runs
        let stream = try await LiveServer.run(http: .init(port: 0), api: api) { port in
            async let events = LiveServer.get(port: port, path: "/api/events", timeout: 60) { text in
                text.components(separatedBy: "event: checkin").dropFirst().first?.contains("}\n") ?? false
            }
            while broadcaster.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
            try await gate.run()
            return try await events
        }

        // Then it received Obama's check-in, with name, gate and the running count
        #expect(stream.contains("text/event-stream"))
        let data = try #require(stream.split(separator: "\n").first { $0.hasPrefix("data: ") }?.dropFirst(6))
        let event = try JSONDecoder().decode(CheckInEvent.self, from: Data(data.utf8))
        #expect(event.delegateID == "D-OBAMA")
        #expect(event.name == "Barack Obama")
        #expect(event.gate == "north")
        #expect(event.present == 1 && event.expected == 2)
    }

    @Test func dashboard_inHeadlessChromium_showsThePresentCount() async throws {
        // Given a non-loopback bind with a viewer's token, and Obama present
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        try store.confirmPresence(session: session.id, delegateID: "D-OBAMA", gate: "north", distance: 0.25, at: Date())
        // (event streams last 1 s here, so the headless browser's virtual clock, which waits for the network, moves on)
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry(),
                              eventStreamLifetime: .seconds(1))
        let token = try store.addToken(name: "Dashboard screen", role: .viewer, actor: "test").secret
        let browser = try #require(Self.chromium, "chromium is not installed (scripts/install-system-packages.sh installs it)")

        // When the page is loaded in headless Chromium (through 127.0.0.1, with the token in its address)
        let dom = try await LiveServer.run(http: .init(host: "0.0.0.0", port: 0, insecureHTTP: true), api: api) { port in
            try await LiveServer.onThread {
                try Self.dumpDOM(browser: browser, url: "http://127.0.0.1:\(port)/?token=\(token)", profile: directory.appendingPathComponent("chromium").path)
            }
        }

        // Then the script has filled in the count, the quorum and the absentee from the API
        #expect(dom.contains("<span class=\"big\" id=\"present\">1</span>"), "\(dom.prefix(3000))")
        #expect(dom.contains("<span class=\"big\" id=\"expected\">2</span>"))
        #expect(dom.contains("Ada Absent"))
        #expect(dom.contains("quorum: 1 needed"))
    }

    // MARK: - Helpers

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Loads `url`, lets its scripts run, and returns the resulting DOM.
    static func dumpDOM(browser: String, url: String, profile: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(profile)", "--virtual-time-budget=3000", "--dump-dom", url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
