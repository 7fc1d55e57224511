import FaceEngine
import Foundation
import LiveRecognition
import Logging
import ServiceLifecycle

/// Reads one gate's source and feeds its frames through the pipeline into the store, reconnecting when the source
/// drops.
///
/// - Capture runs on its own thread (OpenCV reads block) and hands frames over through a bounded `FrameChannel`:
///   live and `realtime` sources drop stale frames, a file as fast as possible waits instead.
/// - Processing runs on a second thread, so decoding the next frame overlaps recognising this one.
/// - A live source that ends or fails is reopened after a backoff; a file that ends early is reopened once where it
///   stopped. A file or folder that ends normally ends the service (the HTTP server, if any, keeps running).
/// - Graceful shutdown drops the queued frames, finishes the frame in hand and records its results.
public final class GateService: Service, @unchecked Sendable {
    public let gate: GateConfiguration
    private let pipeline: RecognitionPipeline
    private let recorder: AttendanceRecorder
    private let metrics: PipelineMetrics?
    private let reconnect: ReconnectPolicy
    private let logger: Logger
    private let lock = NSLock()
    private var stopped = false
    private var currentChannel: FrameChannel<Frame>?
    private var counters = Statistics()

    /// What the gate did so far.
    public struct Statistics: Sendable, Equatable {
        public var framesRead = 0
        public var framesProcessed = 0
        public var framesDropped = 0
        public var reconnects = 0
        public var checkIns = 0
        public var unknownFaces = 0
        public var connected = false
        /// When the service started reading.
        public var startedAt: Date?
        /// When the last frame was read from the source (a camera that stops delivering shows here first).
        public var lastFrameAt: Date?
        /// The source was a file or folder and it ended where it should.
        public var finished = false
    }

    public init(gate: GateConfiguration, pipeline: RecognitionPipeline, recorder: AttendanceRecorder,
                metrics: PipelineMetrics? = nil, reconnect: ReconnectPolicy = ReconnectPolicy(), logger: Logger) {
        self.gate = gate
        self.pipeline = pipeline
        self.recorder = recorder
        self.metrics = metrics
        self.reconnect = reconnect
        self.logger = logger
    }

    public var statistics: Statistics { lock.withLock { counters } }

    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await runLoop()
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }

    /// Stops reading; the frame in hand is finished.
    public func stop() {
        let channel = lock.withLock { () -> FrameChannel<Frame>? in
            stopped = true
            return currentChannel
        }
        channel?.cancel()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    // MARK: - Connections

    private enum Outcome {
        /// The file or folder ended where it should.
        case finished
        /// The source could not be opened, failed, or ended before it should have.
        case interrupted(reason: String, frames: Int)
        case stopped
    }

    private func runLoop() async throws {
        lock.withLock { counters.startedAt = Date() }
        let kind = VideoSource.kind(of: gate.source)
        var failures = 0
        var resumeAt = 0   // a file that ended early resumes past the frames already seen
        var fileRetried = false
        while !isStopped {
            let outcome = await runConnection(skipping: resumeAt)
            switch outcome {
            case .stopped:
                return
            case .finished:
                lock.withLock { counters.finished = true }
                logger.info("source finished", metadata: ["gate": "\(gate.name)"])
                return
            case .interrupted(let reason, let frames):
                if isStopped { return }
                if !kind.isLive {
                    // A truncated or damaged file: one more try from where it stopped, in case it was still being
                    // written; then give up on it, keeping what was recorded.
                    guard !fileRetried else {
                        logger.error("source ended early; giving up", metadata: ["gate": "\(gate.name)", "reason": "\(reason)"])
                        return
                    }
                    fileRetried = true
                    resumeAt += frames
                } else {
                    failures = frames > 0 ? 1 : failures + 1
                }
                let delay = reconnect.delay(attempt: max(failures, 1))
                lock.withLock { counters.reconnects += 1 }
                metrics?.reconnects.increment()
                logger.warning("source lost; reconnecting", metadata: [
                    "gate": "\(gate.name)", "reason": "\(reason)", "retry.in_seconds": "\(delay)", "retry.attempt": "\(max(failures, 1))",
                ])
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(delay)) } } catch { return }
            }
        }
    }

    /// One open-read-close cycle of the source.
    private func runConnection(skipping: Int) async -> Outcome {
        let live = VideoSource.kind(of: gate.source).isLive
        let channel = FrameChannel<Frame>(capacity: pipelineCapacity, policy: live || gate.realtime ? .dropOldest : .backpressure)
        let alreadyStopped = lock.withLock { () -> Bool in
            currentChannel = channel
            return stopped
        }
        if alreadyStopped { return .stopped }
        let result = CaptureResult()
        let capture = Thread { [self] in self.capture(into: channel, skipping: skipping, live: live, result: result) }
        capture.name = "rollcall.capture.\(gate.name)"
        capture.start()
        await runOnThread(name: "rollcall.pipeline.\(gate.name)") { self.processFrames(from: channel) }
        lock.withLock {
            currentChannel = nil
            counters.connected = false
        }
        if isStopped { return .stopped }
        return result.outcome ?? .interrupted(reason: "capture ended without a reason", frames: 0)
    }

    private var pipelineCapacity: Int { pipeline.configuration.queueCapacity }

    private final class CaptureResult: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Outcome?
        var outcome: Outcome? {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }

    /// The capture thread's body: open, read (paced when `realtime`), hand over, and say how it ended.
    private func capture(into channel: FrameChannel<Frame>, skipping: Int, live: Bool, result: CaptureResult) {
        defer { channel.finish() }
        let source: VideoSource
        do {
            source = try VideoSource(gate.source, rotation: gate.rotate)
        } catch {
            result.outcome = .interrupted(reason: "\(error)", frames: 0)
            return
        }
        defer { source.close() }
        lock.withLock { counters.connected = true }
        logger.info("source opened", metadata: [
            "gate": "\(gate.name)", "source.kind": "\(source.kind.rawValue)",
            "source.fps": "\(source.fps.map { String(format: "%.2f", $0) } ?? "unknown")",
            "source.frames": "\(source.frameCount.map(String.init) ?? "unknown")",
        ])
        let pace = gate.realtime && !live ? source.fps : nil
        let clock = ContinuousClock()
        let start = clock.now
        var index = 0
        var decodeErrors = 0
        while !isStopped {
            let image: Image?
            do {
                image = try source.read()?.limited(toWidth: pipeline.configuration.frameMaxWidth)
            } catch {
                // One undecodable image in a folder is skipped; a stream that errors is reconnected.
                if source.kind == .imageFolder && decodeErrors < 100 {
                    decodeErrors += 1
                    logger.warning("frame skipped", metadata: ["gate": "\(gate.name)", "error": "\(error)"])
                    index += 1
                    continue
                }
                result.outcome = .interrupted(reason: "\(error)", frames: index)
                return
            }
            guard let image else {
                if live {
                    result.outcome = .interrupted(reason: "stream stopped delivering frames", frames: index)
                } else if let expected = source.frameCount, skipping + index < expected - 1 - max(2, expected / 100) {
                    result.outcome = .interrupted(reason: "file ended after \(skipping + index) of \(expected) frames", frames: index)
                } else {
                    result.outcome = .finished
                }
                return
            }
            defer { index += 1 }
            if index < skipping { continue }
            if let fps = pace {
                let due = start + .seconds(Double(index - skipping) / fps)
                let wait = due - clock.now
                if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18) }
            }
            lock.withLock {
                counters.framesRead += 1
                counters.lastFrameAt = Date()
            }
            let pushed = channel.push(Frame(image: image, index: index))
            if pushed.droppedOne {
                metrics?.droppedFrames.increment()
                lock.withLock { counters.framesDropped += 1 }
            }
            if !pushed.accepted { return }
        }
    }

    /// The processing thread's body: every frame through the pipeline, every conclusion into the store.
    private func processFrames(from channel: FrameChannel<Frame>) {
        while let frame = channel.pop() {
            do {
                let outcome = try pipeline.process(frame)
                lock.withLock { counters.framesProcessed += 1 }
                metrics?.observe(outcome)
                record(outcome.events)
                for check in outcome.photoChecks {
                    do { try recorder.record(check) } catch {
                        logger.error("cannot record photo check", metadata: ["gate": "\(gate.name)", "error": "\(error)"])
                    }
                }
            } catch {
                logger.warning("frame failed", metadata: ["gate": "\(gate.name)", "frame.index": "\(frame.index)", "error": "\(error)"])
            }
        }
        record(pipeline.finish())
    }

    private func record(_ events: [PipelineEvent]) {
        for event in events {
            var attempt = 0
            while true {
                do {
                    let checkIn = try recorder.record(event)
                    lock.withLock {
                        if checkIn != nil { counters.checkIns += 1 }
                        if case .unresolved = event { counters.unknownFaces += 1 }
                    }
                    break
                } catch {
                    attempt += 1
                    // A busy database (another process writing) clears quickly; anything else is worth a few tries too,
                    // because a lost confirmation is not re-detected for a track that is already confirmed.
                    guard attempt < 5 else {
                        logger.error("cannot record event", metadata: ["gate": "\(gate.name)", "error": "\(error)"])
                        break
                    }
                    Thread.sleep(forTimeInterval: 0.2 * Double(attempt))
                }
            }
        }
    }
}

/// Runs blocking work on a dedicated thread (never on the cooperative pool, which has only as many threads as cores)
/// and waits for it without blocking.
func runOnThread<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = name
        thread.start()
    }
}
