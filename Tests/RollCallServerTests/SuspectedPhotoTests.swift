import Foundation
import Hummingbird
import HummingbirdTesting
import LiveRecognition
import Prometheus
import RollCall
import RollCallServer
import RollCallStore
import Testing

/// A check-in whose track moved as a flat photo does: flagged for the usher and chained in the audit record, never
/// refused.
struct SuspectedPhotoTests {
    private static func confirmed(_ verdict: PlanarMotionCue.Verdict, track: Int = 1) -> PipelineEvent {
        .confirmed(Recognition(delegateID: "D-OBAMA", trackID: track, distance: 0.3, observations: 3, firstSeen: Date(),
                               firstInstant: .now, decidedAtFrame: 0, suspectedPhoto: verdict))
    }

    @Test func checkInCarriesTheVerdict_undecidedAsNull() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func json(_ flag: Bool?) throws -> String {
            let event = CheckInEvent(sessionID: 1, delegateID: "D-1", name: "A", unit: nil, seat: nil, gate: "north", distance: 0.3,
                                     firstSeen: "t", recordedAt: "t", present: 1, expected: 2, suspectedPhoto: flag)
            return String(decoding: try encoder.encode(event), as: UTF8.self)
        }
        #expect(try json(nil).contains("\"suspected_photo\":null"))
        #expect(try json(true).contains("\"suspected_photo\":true"))
        #expect(try json(false).contains("\"suspected_photo\":false"))
        #expect(PlanarMotionCue.Verdict.undecided.suspectedPhoto == nil && PlanarMotionCue.Verdict.bonaFide.suspectedPhoto == false)
    }

    @Test func aSuspectedPhotoIsCheckedIn_flagged_audited_andShownToTheUsher() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let desk = UsherDesk(plausibleDistance: 0.65)
        let broadcaster = EventBroadcaster()
        let stream = broadcaster.subscribe()
        let recorder = try AttendanceRecorder(store: store, sessionID: session.id, gate: "north", broadcaster: broadcaster,
                                              usherDesk: desk, logger: ServerFixtures.quietLogger)
        // Given a check-in whose track was still undecided, then its final verdict: a suspected photo.
        let checkIn = try #require(try recorder.record(Self.confirmed(.undecided)))
        #expect(checkIn.suspectedPhoto == nil)
        #expect(desk.suspectedPhotos.isEmpty)
        try recorder.record(PhotoCheck(trackID: 1, delegateID: "D-OBAMA", verdict: .suspectedPhoto,
                                       measure: .init(frames: 30, nonPlanar: 0.01, deformation: 0.05)))
        // Then: still present (a flag, not a refusal), chained in the audit record, on the usher's desk, published.
        #expect(try store.report(sessionID: session.id).rows.first { $0.delegateID == "D-OBAMA" }?.status == .present)
        let audit = try #require(try store.auditEvents().last)
        #expect(audit.action == "checkin.suspected_photo" && audit.actor == "gate:north")
        #expect(audit.detail?.contains("delegate D-OBAMA") == true && audit.detail?.contains("30 frames") == true)
        #expect(desk.suspectedPhotos["D-OBAMA"]?.gate == "north")
        broadcaster.finishAll()
        var checks: [PhotoCheckEvent] = []
        for await message in stream { if case .photoCheck(let e) = message { checks.append(e) } }
        #expect(checks == [PhotoCheckEvent(sessionID: session.id, delegateID: "D-OBAMA", gate: "north", suspectedPhoto: true, frames: 30)])

        let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: PrometheusCollectorRegistry(),
                              usherDesk: desk)
        let viewer = try store.addToken(name: "Màn hình", role: .viewer, actor: "test").secret
        let app = try Daemon.buildApplication(http: .init(host: "127.0.0.1", port: 0, insecureHTTP: true), api: api,
                                              logger: ServerFixtures.quietLogger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/?token=\(viewer)", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("<span class=\"flag\"") && page.contains("nghi ảnh chụp"))
            }
            try await client.execute(uri: "/?token=\(viewer)&lang=en", method: .get) { response in
                #expect(String(buffer: response.body).contains("suspected photo"))
            }
            try await client.execute(uri: "/api/usher", method: .get, headers: [.authorization: "Bearer \(viewer)"]) { response in
                let body = String(buffer: response.body)
                #expect(body.contains("\"suspected_photos\"") && body.contains("D-OBAMA"), "\(body)")
            }
        }
    }

    /// Bona fide and undecided verdicts are published but leave no flag and no audit entry.
    @Test func aBonaFideVerdictLeavesNoFlag() throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let desk = UsherDesk(plausibleDistance: 0.65)
        let recorder = try AttendanceRecorder(store: store, sessionID: session.id, gate: "north", usherDesk: desk,
                                              logger: ServerFixtures.quietLogger)
        let before = try store.auditEvents().count
        _ = try recorder.record(Self.confirmed(.bonaFide))
        try recorder.record(PhotoCheck(trackID: 1, delegateID: "D-OBAMA", verdict: .undecided, measure: nil))
        #expect(desk.suspectedPhotos.isEmpty)
        #expect(try store.auditEvents().filter { $0.action == "checkin.suspected_photo" }.isEmpty)
        #expect(try store.auditEvents().count == before)
        // A verdict already damning at the check-in is flagged at once.
        _ = try recorder.record(Self.confirmed(.suspectedPhoto, track: 2))
        #expect(desk.suspectedPhotos.keys.sorted() == ["D-OBAMA"])
    }
}
