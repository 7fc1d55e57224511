import FaceEngine
import Foundation
import LiveRecognition
import Prometheus
import RollCall
import RollCallServer
import RollCallStore
import Testing
import Texts

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
            matcher: MatcherAssembly.makeMatcherHolder(store: store, engine: engine), store: store, sessionID: session.id,
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

        // Then it received Obama's check-in, with name, gate, the running count and a time on the site's clock
        #expect(stream.contains("text/event-stream"))
        let data = try #require(stream.split(separator: "\n").first { $0.hasPrefix("data: ") }?.dropFirst(6))
        let event = try JSONDecoder().decode(CheckInEvent.self, from: Data(data.utf8))
        #expect(event.delegateID == "D-OBAMA")
        #expect(event.name == "Barack Obama")
        #expect(event.gate == "north")
        #expect(event.present == 1 && event.expected == 2)
        #expect(event.firstSeen.hasSuffix("+07:00") && event.recordedAt.hasSuffix("+07:00"), "\(event.firstSeen)")
    }

    /// With scripts off, the browser shows exactly what the server sent: the whole roll call, in Vietnamese, with the
    /// counts of every delegation — complete before any script runs.
    @Test func firstPaint_withScriptsOff_holdsTheVietnameseRollCall() async throws {
        let browser = try #require(Chromium.binary, "chromium is not installed (scripts/install-system-packages.sh installs it)")
        _ = browser
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try CongressFixture.make(in: directory)
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry())
        let profile = directory.appendingPathComponent("chromium").path

        let (page, searchPage) = try await LiveServer.run(http: .init(port: 0), api: api) { port in
            (LiveServer.body(try await LiveServer.get(port: port, path: "/")),
             LiveServer.body(try await LiveServer.get(port: port, path: "/?q=ton+nu")))
        }
        let dom = try await Chromium.firstPaint(of: page, in: directory, profile: profile)
        let searched = try await Chromium.firstPaint(of: searchPage, in: directory, profile: profile)
        #expect(dom.contains("script-src 'none'"), "the page was loaded with scripts blocked")

        // The labels a secretariat reads
        for label in ["Điểm danh trực tuyến", "Theo đoàn", "Vừa điểm danh", "Danh sách đại biểu", "Chưa có mặt (14)", "Tìm đại biểu",
                      "Có mặt", "Đã về sớm", "Vắng có phép", "Vắng", "In danh sách ký tên", "Chưa đủ túc số",
                      "Cần 27 trên 40 đại biểu (ít nhất 2/3 tổng số)", "Đã đến 28, trong đó 2 đã về sớm", "Khai mạc lúc 28/05/2026 07:30"] {
            #expect(dom.contains(label), "missing «\(label)»")
        }
        #expect(dom.contains("<span class=\"big\" id=\"present\">26</span>"), "\(dom.prefix(4000))")
        #expect(dom.contains("<span id=\"expected\">40</span>"))
        // Every delegation's counts: total, present, left, absent, excused
        for unit in CongressFixture.units {
            let absent = unit.size - unit.present - unit.left - unit.excused
            let row = "<tr data-unit=\"\(unit.name)\"><td>\(unit.name)</td><td class=\"num\">\(unit.size)</td><td class=\"num\">\(unit.present)</td>"
                + "<td class=\"num\">\(unit.left)</td><td class=\"num\">\(absent)</td><td class=\"num\">\(unit.excused)</td></tr>"
            #expect(dom.contains(row), "missing \(row)")
        }
        #expect(dom.contains("<tr class=\"total\"><td>Toàn bộ</td><td class=\"num\">40</td><td class=\"num\">26</td><td class=\"num\">2</td>"))
        // Every delegate, with status and seat; times in dd/MM/yyyy HH:mm or HH:mm, never ISO
        #expect(dom.components(separatedBy: "data-search=").count - 1 == 40 + 14)
        #expect(dom.contains(CongressFixture.longName))
        #expect(!dom.contains("+07:00") && !dom.contains("T10:"))
        // The search works without script, diacritics and case aside
        #expect(searched.contains("1/40 đại biểu khớp với «ton nu»"), "\(searched.prefix(3000))")
        #expect(searched.components(separatedBy: "data-status=").count - 1 == 1)
    }

    /// With scripts on, the page follows the feed: a check-in elsewhere, announced on /api/events, refreshes the count
    /// and the quorum verdict without a reload.
    @Test func script_followsCheckInsAndReachesTheQuorum() async throws {
        let browser = try #require(Chromium.binary, "chromium is not installed (scripts/install-system-packages.sh installs it)")
        _ = browser
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try CongressFixture.make(in: directory)
        let broadcaster = EventBroadcaster()
        // (event streams last 1 s here, so the headless browser's virtual clock, which waits for the network, moves on)
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: broadcaster, registry: PrometheusCollectorRegistry(),
                              eventStreamLifetime: .seconds(1), heartbeatInterval: .milliseconds(200))
        // A viewer's token (the dashboard screen's), made in the store the server reads tokens from.
        let token = try store.addToken(name: "Màn hình hội trường", role: .viewer, actor: "test").secret
        let profile = directory.appendingPathComponent("chromium").path
        let late = CongressFixture.firstAbsentInCanTho

        // When the page is open (through 127.0.0.1 on a non-loopback bind, with the token in its address) and a
        // delegate is checked in at a gate
        let dom = try await LiveServer.run(http: .init(host: "0.0.0.0", port: 0, insecureHTTP: true), api: api) { port in
            async let page = Chromium.dumpDOM("http://127.0.0.1:\(port)/?token=\(token)", profile: profile, virtualTime: 4000)
            while broadcaster.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
            try store.confirmPresence(session: session.id, delegateID: late, gate: "cong-chinh", distance: 0.3, at: Date())
            let delegate = try store.delegate(id: late)
            broadcaster.publish(CheckInEvent(sessionID: session.id, delegateID: late, name: delegate.name, unit: delegate.unit,
                                             seat: delegate.seat, gate: "cong-chinh", distance: 0.3, firstSeen: SiteTime.vietnam.iso8601(Date()),
                                             recordedAt: SiteTime.vietnam.iso8601(Date()), present: 27, expected: 40))
            return try await page
        }

        // Then the script has replaced the live part: 27 present, the quorum reached, the late delegate listed first
        #expect(dom.contains("<span class=\"big\" id=\"present\">27</span>"), "\(dom.prefix(3000))")
        #expect(dom.contains("<span class=\"verdict met\" id=\"verdict\">Đủ túc số</span>"))
        #expect(dom.contains("<tr data-unit=\"Đoàn Cần Thơ\"><td>Đoàn Cần Thơ</td><td class=\"num\">8</td><td class=\"num\">2</td>"))
        #expect(dom.contains("id=\"status\"") && dom.contains("Trực tuyến"), "the page says it is live")
    }
}
