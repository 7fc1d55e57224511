import LiveRecognition
import Prometheus

/// The Prometheus series of one gate: counters for what flowed through, histograms for how long each stage took.
public struct PipelineMetrics: Sendable {
    public let frames: Counter
    public let droppedFrames: Counter
    public let faces: Counter
    public let embeddings: Counter
    public let recognitions: Counter
    public let splits: Counter
    public let unknowns: Counter
    public let checkIns: Counter
    public let reconnects: Counter
    public let detectSeconds: DurationHistogram
    public let embedSeconds: DurationHistogram
    public let matchSeconds: DurationHistogram
    public let recordSeconds: DurationHistogram
    public let frameSeconds: DurationHistogram

    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                      .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                      .milliseconds(500), .seconds(1)]

    public init(registry: PrometheusCollectorRegistry, gate: String) {
        let labels = [("gate", gate)]
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: .init(namespace: "rollcall", metricName: name, unitName: "total", helpText: help), labels: labels)
        }
        frames = counter("frames", "Frames processed.")
        droppedFrames = counter("frames_dropped", "Stale frames dropped because processing fell behind a live source.")
        faces = counter("faces", "Faces detected, summed over frames.")
        embeddings = counter("embeddings", "Face chips embedded (best frames of tracks only).")
        recognitions = counter("recognitions", "Tracks whose fused evidence was accepted as a delegate.")
        splits = counter("track_splits", "Tracks split because another face appeared in them (the next person in a queue).")
        unknowns = counter("unknown_faces", "Tracks that ended without matching any delegate.")
        checkIns = counter("checkins", "Delegates newly marked present.")
        reconnects = counter("source_reconnects", "Times the source was reopened after failing or ending early.")
        func stage(_ name: String) -> DurationHistogram {
            registry.makeDurationHistogram(
                descriptor: .init(namespace: "rollcall", metricName: "stage", unitName: "seconds", helpText: "Time spent per frame in each pipeline stage."),
                labels: labels + [("stage", name)], buckets: Self.buckets)
        }
        detectSeconds = stage("detect")
        embedSeconds = stage("embed")
        matchSeconds = stage("match")
        recordSeconds = stage("record")
        frameSeconds = stage("frame")
    }

    /// Adds what one frame did.
    public func observe(_ outcome: FrameOutcome) {
        frames.increment()
        faces.increment(by: Int64(outcome.faces.count))
        embeddings.increment(by: Int64(outcome.embeddings))
        recognitions.increment(by: Int64(outcome.accepted))
        splits.increment(by: Int64(outcome.splits))
        detectSeconds.record(outcome.detect)
        if outcome.embeddings > 0 {
            embedSeconds.record(outcome.embed)
            matchSeconds.record(outcome.match)
        }
        frameSeconds.record(outcome.total)
        for event in outcome.events { if case .unresolved = event { unknowns.increment() } }
    }
}
