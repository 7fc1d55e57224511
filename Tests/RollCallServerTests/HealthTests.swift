import FaceEngine
import Foundation
import LiveRecognition
import Prometheus
import RollCall
@testable import RollCallServer
import RollCallStore
import Testing

/// Honest state: a gate that sees nothing is said so, and event-stream clients that left are dropped.
struct HealthTests {
    private let t0 = Date(timeIntervalSince1970: 1_779_928_200)

    private func stats(started: Double? = 0, lastFrame: Double?, connected: Bool = true, finished: Bool = false) -> GateService.Statistics {
        var s = GateService.Statistics()
        s.startedAt = started.map { t0.addingTimeInterval($0) }
        s.lastFrameAt = lastFrame.map { t0.addingTimeInterval($0) }
        s.connected = connected
        s.finished = finished
        return s
    }

    private func state(_ s: GateService.Statistics, at now: Double) -> GateHealth.State {
        GateHealth.assess(name: "g", statistics: s, now: t0.addingTimeInterval(now), staleAfter: 10).state
    }

    @Test func gateStatesAtTheirBoundaries() {
        #expect(state(stats(lastFrame: nil), at: 10) == .starting)
        #expect(state(stats(lastFrame: nil), at: 10.5) == .noFrames)
        #expect(state(stats(lastFrame: 100), at: 110) == .receiving)
        #expect(state(stats(lastFrame: 100), at: 110.5) == .stalled)
        #expect(state(stats(lastFrame: 100, connected: false), at: 101) == .reconnecting)
        #expect(state(stats(lastFrame: 100, connected: false), at: 111) == .disconnected)
        #expect(state(stats(lastFrame: 100, connected: false, finished: true), at: 500) == .finished)
        let problems = GateHealth.State.allCases.filter {
            GateHealth(name: "g", state: $0, lastFrameAt: nil, secondsQuiet: nil, statistics: .init()).isProblem
        }
        #expect(problems == [.stalled, .disconnected, .noFrames])
    }

    /// A camera that never delivers a frame: `/healthz` answers 503 "degraded" naming the gate, and the dashboard
    /// says it in red. (It answered "ok" before.)
    @Test func deadCamera_healthIsDegraded_andTheDashboardSaysSo() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let engine = ServerFixtures.engine
        let gate = try Daemon.makeGate(
            GateConfiguration(name: "cong-phu", source: "/dev/video97"), engine: engine,
            matcher: MatcherAssembly.makeMatcherHolder(store: store, engine: engine), store: store, sessionID: session.id,
            pipeline: PipelineConfiguration(), reconnect: ReconnectPolicy(initial: 0.1, maximum: 0.2), registry: nil,
            broadcaster: nil, facesDirectory: nil, logger: ServerFixtures.quietLogger)
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry(),
                              gates: [gate], gateStaleSeconds: 1)

        let (late, page) = try await LiveServer.run(http: .init(port: 0), api: api, services: [gate]) { port in
            try await Task.sleep(for: .milliseconds(1500))
            return (try await LiveServer.get(port: port, path: "/healthz"), try await LiveServer.get(port: port, path: "/"))
        }
        #expect(LiveServer.status(late) == 503, "\(late)")
        #expect(late.contains("\"status\":\"degraded\"") && late.contains("\"state\":\"no_frames\""))
        #expect(late.contains("gate cong-phu: no_frames, no frame for"), "\(late)")
        #expect(page.contains("<li class=\"problem\" data-gate=\"cong-phu\" data-state=\"no_frames\">"), "\(LiveServer.body(page).prefix(3000))")
        #expect(page.contains("CHƯA NHẬN ĐƯỢC HÌNH nào sau"))
    }

    /// A client that closed its event stream is dropped at the next heartbeat (`sse_clients` only grew before).
    @Test func eventStreamClientThatLeft_isDroppedAtTheNextHeartbeat() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let broadcaster = EventBroadcaster()
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: broadcaster, registry: PrometheusCollectorRegistry(),
                              heartbeatInterval: .milliseconds(100))

        let (stream, counts) = try await LiveServer.run(http: .init(port: 0), api: api) { port in
            // When a client reads the stream for a while, then goes away
            let stream = try await LiveServer.get(port: port, path: "/api/events", timeout: 30) { text in
                text.components(separatedBy: ": heartbeat").count > 3
            }
            var counts = [broadcaster.subscriberCount]
            // Heartbeats come every 100 ms; the wait is long because a full `make test` can hold both cooperative
            // threads with other suites' blocking work for seconds (the loop ends as soon as the client is gone).
            let deadline = Date().addingTimeInterval(15)
            while broadcaster.subscriberCount > 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            counts.append(broadcaster.subscriberCount)
            let health = try await LiveServer.get(port: port, path: "/healthz")
            counts.append(health.contains("\"sse_clients\":0") ? 0 : -1)
            return (stream, counts)
        }
        // Then it saw heartbeats while connected, and is gone once it left
        #expect(stream.components(separatedBy: ": heartbeat").count - 1 >= 3, "\(stream)")
        #expect(counts[0] == 1, "subscribed while reading")
        #expect(counts[1] == 0 && counts[2] == 0, "dropped after leaving: \(counts)")
    }

    @Test func machineTimesAreISOWithTheSiteOffsetEverywhere() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try CongressFixture.make(in: directory)
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry())
        let (sessionJSON, attendanceJSON) = try await LiveServer.run(http: .init(port: 0), api: api) { port in
            (LiveServer.body(try await LiveServer.get(port: port, path: "/api/session")),
             LiveServer.body(try await LiveServer.get(port: port, path: "/api/attendance")))
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(sessionJSON.utf8)) as? [String: Any])
        #expect(summary["opened_at"] as? String == "2026-05-28T07:30:00+07:00")
        #expect(summary["quorum_rule"] as? String == "2/3" && summary["quorum_required"] as? Int == 27 && summary["quorum_met"] as? Bool == false)
        #expect(summary["present"] as? Int == 26 && summary["left"] as? Int == 2 && summary["arrived"] as? Int == 28)
        let rows = try #require((try JSONSerialization.jsonObject(with: Data(attendanceJSON.utf8)) as? [String: Any])?["delegates"] as? [[String: Any]])
        #expect(rows[0]["first_seen"] as? String == "2026-05-28T07:31:00+07:00")
        let left = try #require(rows.first { $0["status"] as? String == "left" })
        #expect((left["left_at"] as? String)?.hasSuffix("+07:00") == true)
        #expect(Set(rows.compactMap { $0["status"] as? String }) == ["present", "left", "absent", "excused"])
    }
}
