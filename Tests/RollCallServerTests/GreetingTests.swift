import Foundation
import LiveRecognition
import Prometheus
import RollCall
@testable import RollCallServer
import RollCallStore
import Testing
import Texts

/// The screen facing a gate: the delegate's name, delegation and seat in large type on their check-in there.
struct GreetingTests {
    private func checkIn(_ id: String, at gate: String, store: RollCallStore, session: SessionInfo, broadcaster: EventBroadcaster) throws {
        let delegate = try store.delegate(id: id)
        let now = SiteTime.vietnam.iso8601(Date())
        broadcaster.publish(CheckInEvent(sessionID: session.id, delegateID: id, name: delegate.name, unit: delegate.unit, seat: delegate.seat,
                                         gate: gate, distance: 0.3, firstSeen: now, recordedAt: now, present: 27, expected: 40))
    }

    /// Rendered on the server: a check-in at this gate a moment ago is on the first paint; the other gate still
    /// shows the neutral welcome.
    @Test func firstPaint_greetsTheDelegateJustCheckedInAtThisGateOnly() async throws {
        _ = try #require(Chromium.binary, "chromium is not installed (scripts/install-system-packages.sh installs it)")
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try CongressFixture.make(in: directory)
        let broadcaster = EventBroadcaster()
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: broadcaster, registry: PrometheusCollectorRegistry(),
                              greetingSeconds: 120)
        let delegate = CongressFixture.delegate(5)   // the longest name, Đoàn Hà Nội, seat A5
        try checkIn(delegate.id, at: "cong-chinh", store: store, session: session, broadcaster: broadcaster)

        let (here, there, unknown) = try await LiveServer.run(http: .init(port: 0), api: api) { port in
            (LiveServer.body(try await LiveServer.get(port: port, path: "/greeting?gate=cong-chinh")),
             LiveServer.body(try await LiveServer.get(port: port, path: "/greeting?gate=cong-phu")),
             try await LiveServer.get(port: port, path: "/greeting"))
        }
        let profile = directory.appendingPathComponent("chromium").path
        let greeted = try await Chromium.firstPaint(of: here, in: directory, profile: profile)
        #expect(greeted.contains("<div class=\"welcome\">Kính chào đại biểu</div>"))
        #expect(greeted.contains("<div class=\"name s\" id=\"name\">\(delegate.name)</div>"), "\(greeted.prefix(4000))")
        #expect(greeted.contains("<div class=\"unit\" id=\"unit\">Đoàn Hà Nội</div>"))
        #expect(greeted.contains("Ghế A5"))
        #expect(greeted.contains("Đã ghi nhận có mặt lúc"))
        #expect(greeted.contains("<div class=\"stage idle\" id=\"idle\" hidden=\"\">"))
        let idle = try await Chromium.firstPaint(of: there, in: directory, profile: profile)
        #expect(idle.contains("Kính chào quý đại biểu") && !idle.contains(delegate.name))
        #expect(idle.contains("<div class=\"stage\" id=\"greeting\" hidden=\"\">"))
        #expect(LiveServer.status(unknown) == 200 || LiveServer.status(unknown) == 400)
    }

    /// The script follows this gate's check-ins: an idle screen shows the next delegate checked in there.
    @Test func script_showsTheNextCheckInAtThisGate() async throws {
        _ = try #require(Chromium.binary, "chromium is not installed (scripts/install-system-packages.sh installs it)")
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try CongressFixture.make(in: directory)
        let broadcaster = EventBroadcaster()
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: broadcaster, registry: PrometheusCollectorRegistry(),
                              eventStreamLifetime: .seconds(1), heartbeatInterval: .milliseconds(200), greetingSeconds: 120)
        let profile = directory.appendingPathComponent("chromium").path
        let late = CongressFixture.firstAbsentInCanTho
        let other = CongressFixture.delegate(1)
        let dom = try await LiveServer.run(http: .init(port: 0), api: api) { port in
            async let page = Chromium.dumpDOM("http://127.0.0.1:\(port)/greeting?gate=cong-chinh", profile: profile, virtualTime: 3000)
            while broadcaster.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
            try checkIn(other.id, at: "cong-phu", store: store, session: session, broadcaster: broadcaster)   // another gate
            try checkIn(late, at: "cong-chinh", store: store, session: session, broadcaster: broadcaster)
            return try await page
        }
        let name = try store.delegate(id: late).name
        #expect(dom.contains(">\(name)</div>"), "\(dom.prefix(4000))")
        #expect(dom.contains("<div class=\"unit\" id=\"unit\">Đoàn Cần Thơ</div>"))
        #expect(!dom.contains(">\(other.name)</div>"), "a check-in at another gate is not greeted here")
        #expect(dom.contains("<body class=\"showing\""))
    }

    /// A delegate already present who comes back in through a gate is greeted again (`seen`), with no new record.
    @Test func recorder_publishesAReturnAsSeen() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let broadcaster = EventBroadcaster()
        let stream = broadcaster.subscribe()
        let recorder = try AttendanceRecorder(store: store, sessionID: session.id, gate: "north", broadcaster: broadcaster,
                                              logger: ServerFixtures.quietLogger)
        func pass(_ track: Int) -> PipelineEvent {
            .confirmed(Recognition(delegateID: "D-OBAMA", trackID: track, distance: 0.3, observations: 3, firstSeen: Date(),
                                   firstInstant: .now, decidedAtFrame: 0, crop: nil))
        }
        #expect(try recorder.record(pass(1)) != nil)
        #expect(try recorder.record(pass(2)) == nil)   // already present: nothing new recorded
        broadcaster.finishAll()
        var kinds: [String] = []
        for await message in stream {
            switch message {
            case .checkIn: kinds.append("checkin")
            case .seen: kinds.append("seen")
            case .heartbeat, .usher, .photoCheck: break
            }
        }
        #expect(kinds == ["checkin", "seen"])
        #expect(broadcaster.recent(atGate: "north", within: .seconds(60)).count == 2)
        #expect(try store.report(sessionID: session.id).rows.filter { $0.status == .present }.count == 1)
    }
}
