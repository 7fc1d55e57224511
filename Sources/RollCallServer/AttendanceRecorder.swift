import FaceEngine
import Foundation
import LiveRecognition
import Logging
import RollCall
import RollCallStore
import Texts

/// Turns pipeline conclusions into database records, then tells the world.
///
/// The order matters for crash safety: the attendance row is committed first, and only then is the check-in logged,
/// published and counted, so anything a watcher saw acknowledged is on disk. Replaying the same input after a crash
/// cannot duplicate it, because the store keeps the first confirmed sighting only.
public final class AttendanceRecorder: @unchecked Sendable {
    public let store: any RollCallStorage
    public let sessionID: Int64
    public let gate: String
    private let rosterLock = NSLock()
    private var roster: [String: Delegate]
    private let broadcaster: EventBroadcaster?
    private let metrics: PipelineMetrics?
    private let facesDirectory: URL?
    private let logger: Logger
    private let time: SiteTime
    private let onCheckIn: (@Sendable (CheckInEvent, Recognition) -> Void)?
    private let usherDesk: UsherDesk?

    /// - Parameters:
    ///   - facesDirectory: where to keep face crops; `nil` (the default) keeps no face image at all.
    ///   - usherDesk: where tracks the gate could not confirm wait for the usher (in memory).
    ///   - time: the site's clock, for the events' times.
    ///   - onCheckIn: called after each newly committed check-in (the CLI prints it).
    public init(store: any RollCallStorage, sessionID: Int64, gate: String, broadcaster: EventBroadcaster? = nil,
                metrics: PipelineMetrics? = nil, facesDirectory: URL? = nil, usherDesk: UsherDesk? = nil, time: SiteTime = .vietnam,
                logger: Logger, onCheckIn: (@Sendable (CheckInEvent, Recognition) -> Void)? = nil) throws {
        self.time = time
        self.usherDesk = usherDesk
        self.store = store
        self.sessionID = sessionID
        self.gate = gate
        self.roster = Dictionary(try store.delegates().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.broadcaster = broadcaster
        self.metrics = metrics
        self.facesDirectory = facesDirectory
        self.logger = logger
        self.onCheckIn = onCheckIn
    }

    /// Records one event. Returns the check-in when it made a delegate newly present.
    @discardableResult
    public func record(_ event: PipelineEvent) throws -> CheckInEvent? {
        let clock = ContinuousClock()
        let start = clock.now
        defer { metrics?.recordSeconds.record(clock.now - start) }
        switch event {
        case .unresolved(let track):
            try store.recordSighting(Sighting(sessionID: sessionID, delegateID: nil, gate: gate, distance: nil, seenAt: track.firstSeen))
            logger.info("unknown face", metadata: ["gate": "\(gate)", "track.id": "\(track.trackID)", "track.observations": "\(track.observations)"])
            if usherDesk?.add(track, gate: gate) != nil, let facesDirectory, let crop = track.crop {
                // Kept on disk only because the operator asked for face images (`--save-faces`).
                save(crop, as: "session\(sessionID)-\(gate)-track\(track.trackID)-unresolved.jpg", in: facesDirectory)
            }
            return nil
        case .confirmed(let recognition):
            // One transaction: the sighting, and the check-in with its chain link when it is the first; the quorum
            // comes back from counts in the same transaction.
            let confirmation = try store.recordConfirmedSighting(Sighting(
                sessionID: sessionID, delegateID: recognition.delegateID, gate: gate, distance: recognition.distance,
                seenAt: recognition.firstSeen))
            let isNew = confirmation.checkedIn
            saveCrop(recognition)
            let quorum = confirmation.quorum
            let delegate = delegate(id: recognition.delegateID)
            let checkIn = CheckInEvent(
                sessionID: sessionID, delegateID: recognition.delegateID, name: delegate?.name ?? recognition.delegateID,
                unit: delegate?.unit, seat: delegate?.seat, gate: gate, distance: Double(recognition.distance),
                firstSeen: time.iso8601(recognition.firstSeen), recordedAt: time.iso8601(Date()),
                present: quorum.present, expected: quorum.expected, suspectedPhoto: recognition.suspectedPhoto.suspectedPhoto)
            if recognition.suspectedPhoto == .suspectedPhoto {
                try flagSuspectedPhoto(delegateID: recognition.delegateID, trackID: recognition.trackID, measure: nil)
            }
            guard isNew else {
                // Already present (back from a break): no new record, but the greeting screen greets them again.
                logger.debug("delegate seen again", metadata: ["gate": "\(gate)", "delegate.id": "\(recognition.delegateID)"])
                broadcaster?.publish(checkIn, isNew: false)
                return nil
            }
            metrics?.checkIns.increment()
            logger.info("delegate checked in", metadata: [
                "gate": "\(gate)", "delegate.id": "\(recognition.delegateID)", "match.distance": "\(recognition.distance)",
                "session.id": "\(sessionID)",
            ])
            broadcaster?.publish(checkIn)
            onCheckIn?(checkIn, recognition)
            return checkIn
        }
    }

    /// Records the final photo verdict on a check-in's track: a suspected photo is chained in the audit record and
    /// put before the usher; every verdict is published (`photo_check`). Never a refusal: the check-in stands.
    public func record(_ check: PhotoCheck) throws {
        if check.verdict == .suspectedPhoto {
            try flagSuspectedPhoto(delegateID: check.delegateID, trackID: check.trackID, measure: check.measure)
        }
        broadcaster?.publish(PhotoCheckEvent(sessionID: sessionID, delegateID: check.delegateID, gate: gate,
                                             suspectedPhoto: check.verdict.suspectedPhoto, frames: check.measure?.frames ?? 0))
    }

    private func flagSuspectedPhoto(delegateID: String, trackID: Int, measure: PlanarMotionCue.Measure?) throws {
        var detail = "session \(sessionID), delegate \(delegateID), track \(trackID): suspected_photo=true"
        if let measure {
            detail += String(format: " (non-planar %.4f, deformation %.4f, %d frames)", measure.nonPlanar, measure.deformation, measure.frames)
        }
        detail += "; flagged for the usher, not refused"
        try store.chainAuditEvent(action: "checkin.suspected_photo", actor: "gate:\(gate)", detail: detail, at: Date())
        usherDesk?.flagSuspectedPhoto(delegateID: delegateID, gate: gate)
        logger.warning("suspected photo", metadata: ["gate": "\(gate)", "delegate.id": "\(delegateID)", "track.id": "\(trackID)"])
    }

    /// The delegate's roster entry; one added after start (a late delegate enrolled while the daemon runs) is read
    /// from the store at their first check-in.
    private func delegate(id: String) -> Delegate? {
        if let known = rosterLock.withLock({ roster[id] }) { return known }
        guard let fetched = try? store.delegate(id: id) else { return nil }
        rosterLock.withLock { roster[id] = fetched }
        return fetched
    }

    private func saveCrop(_ recognition: Recognition) {
        guard let facesDirectory, let crop = recognition.crop else { return }
        save(crop, as: "session\(sessionID)-\(gate)-track\(recognition.trackID)-\(recognition.delegateID).jpg", in: facesDirectory)
    }

    private func save(_ crop: Image, as name: String, in facesDirectory: URL) {
        let file = facesDirectory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: facesDirectory, withIntermediateDirectories: true)
            try crop.write(to: file.path)
        } catch {
            logger.warning("cannot save face crop", metadata: ["path": "\(file.path)", "error": "\(error)"])
        }
    }
}
