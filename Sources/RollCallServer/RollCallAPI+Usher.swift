import Foundation
import Hummingbird
import HummingbirdAuth
import RollCall
import RollCallStore

/// The usher's view of the door: tracks a gate could not confirm, with the camera's best candidates and the face it
/// saw (from memory), and one click to check the right delegate in — an assisted check-in, chained in the audit
/// record with the operator's token name, the gate and the candidate chosen.
extension RollCallAPI {
    struct UsherCase: ResponseEncodable, Codable {
        struct Candidate: Codable {
            var delegate_id: String
            var name: String
            var unit: String?
            var seat: String?
            var distance: Double
        }
        var id: String
        var gate: String
        var first_seen: String
        var last_seen: String
        /// Where the face crop is served from (memory; nil when the track kept none).
        var face: String?
        var candidates: [Candidate]
        /// The track moved as a flat photo held up to the camera does.
        var suspected_photo: Bool
    }

    struct UsherList: ResponseEncodable {
        struct SuspectedPhoto: Codable {
            var delegate_id: String
            var gate: String
            var flagged_at: String
        }
        var cases: [UsherCase]
        /// Check-ins the gate flagged as a photo held up to the camera (checked in all the same).
        var suspected_photos: [SuspectedPhoto]
    }

    struct UsherCheckinRequest: Decodable {
        var delegate_id: String
    }

    struct UsherCheckinResponse: ResponseEncodable {
        var session_id: Int64
        var event_id: Int64
        var delegate_id: String
        var newly_present: Bool
        var recorded_by: String
    }

    func addUsherRoutes<Context: AuthRequestContext<APICaller>>(viewer: RouterGroup<Context>, operators: RouterGroup<Context>) {
        viewer.get("/api/usher") { _, _ -> UsherList in
            UsherList(cases: try (usherDesk?.waiting ?? []).map(usherCase),
                      suspected_photos: (usherDesk?.suspectedPhotos ?? [:]).sorted { $0.key < $1.key }.map {
                          .init(delegate_id: $0.key, gate: $0.value.gate, flagged_at: presentation.time.iso8601($0.value.at))
                      })
        }
        viewer.get("/api/usher/:id/face.jpg") { _, context -> Response in
            guard let face = try waitingCase(context).face else { throw HTTPError(.notFound, message: "this track kept no face") }
            var headers = HTTPFields()
            headers[.contentType] = "image/jpeg"
            headers[.cacheControl] = "no-store"   // biometric: not kept in the browser's cache either
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: face)))
        }
        operators.post("/api/usher/:id/checkin") { request, context -> UsherCheckinResponse in
            let caller = try context.requireIdentity()
            let item = try waitingCase(context)
            let body = try await request.decode(as: UsherCheckinRequest.self, context: context)
            guard let rank = item.candidates.firstIndex(where: { $0.delegateID == body.delegate_id }) else {
                throw HTTPError(.badRequest, message: "\(body.delegate_id) is not among this track's candidates "
                    + "(\(item.candidates.map(\.delegateID).joined(separator: ", "))): check them in with /api/checkin and a reason")
            }
            let reason = String(format: "assisted check-in at gate %@: the camera's candidate %d of %d (distance %.3f), confirmed at the door",
                                item.gate, rank + 1, item.candidates.count, item.candidates[rank].distance)
            let result = try store.checkin(delegateID: body.delegate_id, reason: reason, operator: caller.name)
            usherDesk?.remove(item.id)
            if result.newlyPresent { try publishAssisted(body.delegate_id, at: item.gate, distance: item.candidates[rank].distance) }
            return UsherCheckinResponse(session_id: result.sessionID, event_id: result.eventID, delegate_id: body.delegate_id,
                                        newly_present: result.newlyPresent, recorded_by: caller.name)
        }
        operators.post("/api/usher/:id/dismiss") { _, context -> Response in
            _ = try context.requireIdentity()
            usherDesk?.remove(try waitingCase(context).id)
            return Response(status: .noContent)
        }
    }

    private func waitingCase<Context: RequestContext>(_ context: Context) throws -> UsherDesk.Case {
        let raw = try context.parameters.require("id")
        guard let id = UUID(uuidString: raw), let item = usherDesk?.find(id) else {
            throw HTTPError(.notFound, message: "no track \(raw) waits at the door (resolved, dismissed, or expired)")
        }
        return item
    }

    func usherCase(_ item: UsherDesk.Case) throws -> UsherCase {
        let time = presentation.time
        return UsherCase(
            id: item.id.uuidString, gate: item.gate, first_seen: time.iso8601(item.firstSeen), last_seen: time.iso8601(item.lastSeen),
            face: item.face == nil ? nil : "/api/usher/\(item.id.uuidString)/face.jpg",
            candidates: item.candidates.map { candidate in
                let delegate = try? store.delegate(id: candidate.delegateID)
                return .init(delegate_id: candidate.delegateID, name: delegate?.name ?? candidate.delegateID, unit: delegate?.unit,
                             seat: delegate?.seat, distance: Double(candidate.distance))
            }, suspected_photo: item.suspectedPhoto)
    }

    /// The assisted check-in on the event stream, as a gate's would be: the dashboard and the greeting screen follow.
    private func publishAssisted(_ delegateID: String, at gate: String, distance: Float) throws {
        let delegate = try store.delegate(id: delegateID)
        let quorum = try store.quorum(sessionID: sessionID)
        let now = presentation.time.iso8601(Date())
        broadcaster.publish(CheckInEvent(sessionID: sessionID, delegateID: delegateID, name: delegate.name, unit: delegate.unit,
                                         seat: delegate.seat, gate: gate, distance: Double(distance), firstSeen: now,
                                         recordedAt: now, present: quorum.present, expected: quorum.expected))
    }
}
