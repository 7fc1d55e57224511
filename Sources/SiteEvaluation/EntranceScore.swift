import FaceEngine
import Foundation
import LiveRecognition
import RollCall

/// Scores a roll call at an entrance against the truth of who walked in: check-ins, misses, wrong check-ins, and —
/// when the truth says where each face is in each frame (a built scene) — identity switches, i.e. tracks that
/// followed one person and then another.
///
/// - A check-in is the first confirmation of a delegate (what the store records); later ones are sightings.
/// - A confirmation is right when the track it came from was following that delegate at the time: the walker whose
///   face the track's detection in that frame overlaps (IoU ≥ 0.3), or, in a video without boxes, when that delegate
///   is among the people who walked in.
/// - An identity switch is a change of walker between two consecutive detections of one track.
public struct EntranceScore: Sendable {
    public struct Walker: Sendable {
        public var identity: String?
        /// Frames the walker is in view (built scenes only).
        public var span: ClosedRange<Int>?
        public init(identity: String?, span: ClosedRange<Int>?) {
            self.identity = identity
            self.span = span
        }
    }

    public let walkers: [Walker]
    /// Where every detection's evidence goes, for offline study (`--evidence`).
    public var evidence: EvidenceLog?
    /// Delegates the matcher holds (an identity outside it is a stranger, whatever its label).
    public let enrolled: Set<String>
    public let fps: Double
    private var trackWalkers: [Int: [Int]] = [:]      // walker of each matched detection, in frame order
    private var trackCounts: [Int: [Int: Int]] = [:]
    private var checkIns: [String: (frame: Int, walker: Int?, right: Bool)] = [:]
    private var wrongConfirmations = 0
    private var unresolved: [(trackID: Int, candidates: [String])] = []
    private(set) var frames = 0
    private var embeddings = 0
    private var splits = 0
    private var busy: Duration = .zero

    public init(walkers: [Walker], enrolled: Set<String>, fps: Double) {
        self.walkers = walkers
        self.enrolled = enrolled
        self.fps = fps
    }

    /// Adds one frame's outcome; `truth` is where each walker's face is (nil for a video without boxes).
    public mutating func add(frame: Int, outcome: FrameOutcome, truth: [EntranceScene.TruthFace]?) {
        frames += 1
        embeddings += outcome.embeddings
        splits += outcome.splits
        busy += outcome.total
        var walkerOfTrack: [Int: Int] = [:]
        if let truth {
            for (face, walker) in Self.associate(outcome.faces.map(\.face.box), truth) {
                let track = outcome.faces[face].trackID
                if let evidence {
                    let prior = trackWalkers[outcome.faces[face].splitFrom ?? track]?.last ?? -1
                    evidence.write("detection", Self.record(outcome.faces[face], frame: frame, walker: walker, prior: prior,
                                                            identity: walkers[walker].identity ?? "-"))
                }
                walkerOfTrack[track] = walker
                trackWalkers[track, default: []].append(walker)
                trackCounts[track, default: [:]][walker, default: 0] += 1
            }
        }
        if truth == nil, let evidence {
            for f in outcome.faces where f.embedding != nil {
                evidence.write("detection", Self.record(f, frame: frame, walker: -1, prior: -1, identity: "?"))
            }
        }
        add(events: outcome.events, frame: frame, walkerOfTrack: walkerOfTrack, hasTruthBoxes: truth != nil)
    }

    /// Adds the events of the end of the stream.
    public mutating func finish(_ events: [PipelineEvent], frame: Int, hasTruthBoxes: Bool) {
        add(events: events, frame: frame, walkerOfTrack: [:], hasTruthBoxes: hasTruthBoxes)
    }

    private mutating func add(events: [PipelineEvent], frame: Int, walkerOfTrack: [Int: Int], hasTruthBoxes: Bool) {
        for event in events {
            switch event {
            case .confirmed(let recognition):
                let id = recognition.delegateID
                let walker: Int? = hasTruthBoxes
                    ? walkerOfTrack[recognition.trackID] ?? trackCounts[recognition.trackID]?.max { $0.value < $1.value }?.key
                    : walkers.firstIndex { $0.identity == id }
                let right = walker.map { walkers[$0].identity == id } ?? false
                if checkIns[id] == nil {
                    checkIns[id] = (frame, walker, right)
                } else if !right {
                    wrongConfirmations += 1
                }
            case .unresolved(let track):
                unresolved.append((track.trackID, track.candidates.map(\.delegateID)))
            }
        }
    }

    static func record(_ f: FrameOutcome.TrackedFace, frame: Int, walker: Int, prior: Int, identity: String) -> [String: Any] {
        ["frame": frame, "track": f.trackID, "walker": walker, "prior": prior, "identity": identity,
         "side": min(f.face.box.width, f.face.box.height), "score": f.face.score, "look": f.lookAlike ?? -2,
         "track_distance": f.trackDistance ?? -1, "split": f.splitFrom != nil, "embedding": f.embedding ?? []]
    }

    /// Greedy one-to-one matching of detections to truth faces by IoU (≥ 0.3), best pair first.
    static func associate(_ detections: [Face.Box], _ truth: [EntranceScene.TruthFace]) -> [(detection: Int, walker: Int)] {
        var pairs: [(iou: Float, d: Int, t: Int)] = []
        for (d, box) in detections.enumerated() {
            for (t, face) in truth.enumerated() {
                let overlap = box.iou(face.box)
                if overlap >= 0.3 { pairs.append((overlap, d, t)) }
            }
        }
        pairs.sort { $0.iou > $1.iou }
        var usedD = Set<Int>(), usedT = Set<Int>(), result: [(Int, Int)] = []
        for p in pairs where !usedD.contains(p.d) && !usedT.contains(p.t) {
            usedD.insert(p.d); usedT.insert(p.t)
            result.append((p.d, truth[p.t].walker))
        }
        return result
    }

    // MARK: - Report

    public struct Report: Sendable, Codable, Equatable {
        public struct Seconds: Sendable, Codable, Equatable {
            public var median: Double?
            public var p95: Double?
        }
        public var walkers: Int
        public var enrolled_walkers: Int
        public var strangers: Int
        public var checked_in: Int
        public var missed: Int
        /// Check-ins of a delegate who did not walk in, or made from another person's track.
        public var wrong_check_ins: Int
        /// Later wrong confirmations of a delegate already checked in (sightings, not records).
        public var wrong_confirmations: Int
        /// nil without truth boxes.
        public var identity_switches: Int?
        /// Walkers followed by more than one track (a split walk: evidence spread, not a wrong name).
        public var fragmented_walkers: Int?
        public var tracks_split: Int
        public var unresolved_tracks: Int
        /// Missed walkers whose unresolved track offered the usher their name among three candidates.
        public var missed_with_usher_candidate: Int?
        public var time_to_check_in: Seconds
        public var frames: Int
        public var frames_per_second: Double
        public var embeddings_per_frame: Double
        public var missed_ids: [String]
        public var wrong_ids: [String]
    }

    public func report() -> Report {
        let expected = walkers.indices.filter { walkers[$0].identity.map(enrolled.contains) ?? false }
        let checkedIn = expected.filter { i in checkIns[walkers[i].identity!].map { $0.right } ?? false }
        let missed = expected.filter { !checkedIn.contains($0) }
        let wrong = checkIns.filter { !$0.value.right }.keys.sorted()
        var latencies: [Double] = []
        for i in checkedIn {
            if let span = walkers[i].span, let checkIn = checkIns[walkers[i].identity!] {
                latencies.append(Double(checkIn.frame - span.lowerBound) / fps)
            }
        }
        latencies.sort()
        func quantile(_ q: Double) -> Double? {
            latencies.isEmpty ? nil : latencies[min(latencies.count - 1, Int((q * Double(latencies.count - 1)).rounded()))]
        }
        let hasBoxes = walkers.contains { $0.span != nil }
        var switches = 0
        var tracksOfWalker: [Int: Set<Int>] = [:]
        for (track, sequence) in trackWalkers {
            for (a, b) in zip(sequence, sequence.dropFirst()) where a != b { switches += 1 }
            for w in sequence { tracksOfWalker[w, default: []].insert(track) }
        }
        var usherCandidates = 0
        for i in missed {
            let id = walkers[i].identity!
            if unresolved.contains(where: { track in
                track.candidates.contains(id) && (trackCounts[track.trackID]?.max { $0.value < $1.value }?.key == i || !hasBoxes)
            }) { usherCandidates += 1 }
        }
        let seconds = Double(busy.components.seconds) + Double(busy.components.attoseconds) / 1e18
        return Report(
            walkers: walkers.count, enrolled_walkers: expected.count, strangers: walkers.count - expected.count,
            checked_in: checkedIn.count, missed: missed.count, wrong_check_ins: wrong.count, wrong_confirmations: wrongConfirmations,
            identity_switches: hasBoxes ? switches : nil,
            fragmented_walkers: hasBoxes ? tracksOfWalker.values.filter { $0.count > 1 }.count : nil,
            tracks_split: splits, unresolved_tracks: unresolved.count,
            missed_with_usher_candidate: usherCandidates,
            time_to_check_in: .init(median: quantile(0.5), p95: quantile(0.95)),
            frames: frames, frames_per_second: seconds > 0 ? Double(frames) / seconds : 0,
            embeddings_per_frame: frames > 0 ? Double(embeddings) / Double(frames) : 0,
            missed_ids: missed.map { walkers[$0].identity! }.sorted(), wrong_ids: wrong)
    }
}
