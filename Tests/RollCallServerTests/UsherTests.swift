import FaceEngine
import Foundation
import Hummingbird
import HummingbirdTesting
import LiveRecognition
import Prometheus
import RollCall
import RollCallServer
import RollCallStore
import Testing

/// The usher's desk: a track the gate could not confirm waits on the dashboard with its face (from memory) and its
/// candidates, and one click by an operator checks the right delegate in, chained with who did it.
struct UsherTests {
    /// A track whose closest delegates are D-1 (0.55) and D-2 (0.61), with a face crop.
    static func unresolved(best: Float = 0.55) throws -> UnresolvedTrack {
        let crop = try FrameComposer(width: 96, height: 96, grey: 140).image()
        return UnresolvedTrack(trackID: 7, observations: 4, firstSeen: Date(), lastSeen: Date(), candidates: [
            MatchCandidate(delegateID: "D-1", distance: best, score: best), MatchCandidate(delegateID: "D-2", distance: best + 0.06, score: best + 0.06),
        ], crop: crop)
    }

    @Test func desk_keepsPlausibleTracksOnly_newestFirst_andAtMostItsCapacity() throws {
        let desk = UsherDesk(plausibleDistance: 0.65, capacity: 2)
        #expect(desk.add(try Self.unresolved(best: 0.70), gate: "north") == nil)   // nobody near: a stranger
        let first = try #require(desk.add(try Self.unresolved(), gate: "north"))
        let second = try #require(desk.add(try Self.unresolved(), gate: "south"))
        #expect(desk.waiting.map(\.id) == [second.id, first.id])
        #expect(first.face.map { $0.starts(with: [0xFF, 0xD8]) } == true)   // a JPEG, in memory
        _ = desk.add(try Self.unresolved(), gate: "east")
        #expect(desk.waiting.count == 2 && desk.find(first.id) == nil)   // the oldest went
        #expect(desk.remove(second.id)?.gate == "south")
        #expect(desk.remove(second.id) == nil)
    }

    @Test func operatorChecksTheCandidateIn_assisted_andTheCaseLeavesTheDesk() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let people = [ServerFixtures.Person(id: "D-1", name: "Nguyễn Văn An", unit: "Hà Nội", photos: []),
                      ServerFixtures.Person(id: "D-2", name: "Trần Thị Bình", unit: "Huế", photos: []),
                      ServerFixtures.Person(id: "D-3", name: "Lê Văn Cường", unit: "Huế", photos: [])]
        let (store, session) = try ServerFixtures.makeStore(in: directory, people: people)
        let desk = UsherDesk(plausibleDistance: 0.65)
        let item = try #require(desk.add(try Self.unresolved(), gate: "north"))
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry(),
                              usherDesk: desk)
        let viewer = try store.addToken(name: "Màn hình", role: .viewer, actor: "test").secret
        let usher = try store.addToken(name: "Phạm Thu Hà", role: .operator, actor: "test").secret
        @Sendable func headers(_ secret: String) -> HTTPFields { [.authorization: "Bearer \(secret)", .contentType: "application/json"] }
        let app = try Daemon.buildApplication(http: .init(host: "127.0.0.1", port: 0, insecureHTTP: true), api: api,
                                              logger: ServerFixtures.quietLogger)
        try await app.test(.router) { client in
            // The dashboard's first paint shows the case with the candidates' names; the face comes from memory.
            try await client.execute(uri: "/?token=\(viewer)", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("Tại cửa: cần xác nhận") && page.contains("Nguyễn Văn An") && page.contains("Trần Thị Bình"), "\(page.prefix(400))")
                #expect(page.contains("/api/usher/\(item.id.uuidString)/face.jpg"))
            }
            try await client.execute(uri: "/api/usher/\(item.id.uuidString)/face.jpg", method: .get, headers: headers(viewer)) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/jpeg")
                #expect(response.headers[.cacheControl] == "no-store")
            }
            try await client.execute(uri: "/api/usher", method: .get, headers: headers(viewer)) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let cases = body?["cases"] as? [[String: Any]]
                #expect(cases?.count == 1)
                #expect((cases?.first?["candidates"] as? [[String: Any]])?.map { $0["delegate_id"] as? String } == ["D-1", "D-2"])
            }
            // A viewer cannot check anyone in; nobody can check in someone the camera did not offer.
            let path = "/api/usher/\(item.id.uuidString)/checkin"
            try await client.execute(uri: path, method: .post, headers: headers(viewer), body: ByteBuffer(string: #"{"delegate_id":"D-2"}"#)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: path, method: .post, headers: headers(usher), body: ByteBuffer(string: #"{"delegate_id":"D-3"}"#)) {
                #expect($0.status == .badRequest)
                #expect(String(buffer: $0.body).contains("D-3 is not among this track's candidates"))
            }
            // The usher knows it is the second candidate: one click.
            try await client.execute(uri: path, method: .post, headers: headers(usher), body: ByteBuffer(string: #"{"delegate_id":"D-2"}"#)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["newly_present"] as? Bool == true && body?["recorded_by"] as? String == "Phạm Thu Hà")
            }
            try await client.execute(uri: path, method: .post, headers: headers(usher), body: ByteBuffer(string: #"{"delegate_id":"D-2"}"#)) {
                #expect($0.status == .notFound)   // resolved: gone from the desk
            }
        }
        #expect(desk.waiting.isEmpty)
        let report = try store.report(sessionID: session.id)
        #expect(report.rows.first { $0.delegateID == "D-2" }?.status == .present)
        #expect(report.rows.first { $0.delegateID == "D-1" }?.status == .absent)
        let event = try #require(try store.manualEvents().first)
        #expect(event.operatorName == "Phạm Thu Hà")
        #expect(event.reason.hasPrefix("assisted check-in at gate north: the camera's candidate 2 of 2 (distance 0.610)"), "\(event.reason)")
        #expect(try store.verifyAudit().isIntact)
    }

    @Test func dismissTakesTheCaseOff_operatorsOnly() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory, people: [ServerFixtures.Person(id: "D-1", name: "An", unit: "HN", photos: [])])
        let desk = UsherDesk(plausibleDistance: 0.65)
        let item = try #require(desk.add(try Self.unresolved(), gate: "north"))
        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry(),
                              usherDesk: desk)
        let viewer = try store.addToken(name: "screen", role: .viewer, actor: "test").secret
        let usher = try store.addToken(name: "usher", role: .operator, actor: "test").secret
        let app = try Daemon.buildApplication(http: .init(host: "127.0.0.1", port: 0, insecureHTTP: true), api: api,
                                              logger: ServerFixtures.quietLogger)
        try await app.test(.router) { client in
            let path = "/api/usher/\(item.id.uuidString)/dismiss"
            try await client.execute(uri: path, method: .post, headers: [.authorization: "Bearer \(viewer)"]) { #expect($0.status == .forbidden) }
            #expect(desk.find(item.id) != nil)
            try await client.execute(uri: path, method: .post, headers: [.authorization: "Bearer \(usher)"]) { #expect($0.status == .noContent) }
        }
        #expect(desk.waiting.isEmpty)
        #expect(try store.manualEvents().isEmpty)
    }

    /// The recorder puts a gate's unresolved track on the desk; its face reaches the disk only with `--save-faces`.
    @Test func recorderQueuesUnresolvedTracks_facesOnDiskOnlyWhenAskedFor() throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory, people: [ServerFixtures.Person(id: "D-1", name: "An", unit: "HN", photos: []),
                                                                                     ServerFixtures.Person(id: "D-2", name: "Bình", unit: "HN", photos: [])])
        let faces = directory.appendingPathComponent("faces")
        for keep in [false, true] {
            let desk = UsherDesk(plausibleDistance: 0.65)
            let recorder = try AttendanceRecorder(store: store, sessionID: session.id, gate: "north", facesDirectory: keep ? faces : nil,
                                                  usherDesk: desk, logger: ServerFixtures.quietLogger)
            #expect(try recorder.record(.unresolved(try Self.unresolved())) == nil)
            #expect(desk.waiting.count == 1)
            let saved = (try? FileManager.default.contentsOfDirectory(atPath: faces.path)) ?? []
            #expect(saved.isEmpty == !keep, "\(saved)")
        }
    }
}
