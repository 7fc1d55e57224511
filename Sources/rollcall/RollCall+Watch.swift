import ArgumentParser
import FaceEngine
import Foundation
import Logging
import LiveRecognition
import RollCallServer
import ServiceLifecycle
import Texts

extension RollCallCommand {
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recognise delegates in a camera, stream, video file or folder of images and mark them present.",
            discussion: """
                SOURCE is a camera index (0), a device (/dev/video0), an rtsp:// or http:// (MJPEG) URL, a video file or a \
                folder of images (read in name order). A delegate is marked present once the best views of one tracked \
                face, fused, name them (at least K embedded frames). Unknown faces are counted, never recorded as anyone. A file runs as fast as the machine \
                allows unless --realtime; live sources drop stale frames and report how many. Each check-in is printed \
                only after it is committed to the database. Delegates enrolled or removed while it runs are picked up \
                within --reload-interval seconds.
                """
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var engine: EngineOptions
        @OptionGroup var language: LanguageOptions

        @Argument(help: "Camera index, device path, rtsp:// or http:// URL, video file, or folder of images.")
        var source: String

        @Option(help: "Gate name recorded with each sighting.")
        var gate = "main"

        @Option(help: "Session id to record into (default: the open session).")
        var session: Int64?

        @Flag(help: "Pace a video file at its own frame rate and drop stale frames, as a live camera would.")
        var realtime = false

        @Option(help: "Degrees to turn every frame clockwise, for a camera mounted on its side: 0, 90, 180, 270. (Phone videos that record their rotation are turned upright without it.)")
        var rotate = 0

        @Option(help: "Embedded frames of one track fused before it is decided (K).")
        var confirmations = PipelineConfiguration().confirmations

        @Option(help: "Smallest face, in pixels of the frame, the gate must see; the detection size follows from it.")
        var minimumFaceSize = PipelineConfiguration().minimumFaceSize

        @Option(help: "Width frames are scaled down to before detection (default: from --minimum-face-size).")
        var detectionWidth: Int?

        @Option(help: "Keep a face crop of each check-in in this folder (without it, no face image is stored).")
        var saveFaces: String?

        @Option(help: "Seconds between looks for delegates enrolled or removed meanwhile by another process (0: never).")
        var reloadInterval = ServerConfiguration.defaultTemplateReloadSeconds

        @Flag(help: "Print each check-in and the summary as JSON lines.")
        var json = false

        @Option(help: "Log level on standard error: trace, debug, info, notice, warning, error, critical.")
        var logLevel = "notice"

        func validate() throws {
            guard !source.isEmpty else { throw ValidationError("SOURCE must not be empty.") }
            guard VideoSource.rotations.contains(rotate) else {
                throw ValidationError("--rotate must be 0, 90, 180 or 270, got \(rotate).")
            }
            guard confirmations >= 1 else { throw ValidationError("--confirmations must be at least 1, got \(confirmations).") }
            if let detectionWidth, detectionWidth < 64 {
                throw ValidationError("--detection-width must be at least 64, got \(detectionWidth).")
            }
            guard minimumFaceSize >= 8 else { throw ValidationError("--minimum-face-size must be at least 8, got \(minimumFaceSize).") }
            guard !gate.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--gate must not be empty.") }
            guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a level.") }
            guard reloadInterval == 0 || (0.1...3600).contains(reloadInterval) else {
                throw ValidationError("--reload-interval must be 0 (never) or lie in 0.1...3600, got \(reloadInterval).")
            }
        }

        func run() async throws {
            var logger = Logger(label: "rollcall.watch", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = Logger.Level(rawValue: logLevel)!
            if !VideoSource.kind(of: source).isLive {
                _ = try VideoSource(source)   // a missing or unreadable file is an error now, not a retry loop
            }
            let database = try store.openStore(mustExist: true)
            let session = try Daemon.resolveSession(store: database, requested: self.session)
            // Live frames: one pass per chip. A track's best views are fused, which does for video what the test-time
            // flip does for a single photo (measured: flip on the gate adds 1–4 check-ins of 110 at ~1.6× the cost).
            let faceEngine = try engine.engine(workers: 1, flipUnlessTold: false)
            let liveMatcher = try MatcherAssembly.makeMatcherHolder(store: database, engine: faceEngine)
            var pipeline = PipelineConfiguration()
            pipeline.confirmations = confirmations
            pipeline.minimumFaceSize = minimumFaceSize
            pipeline.detectionWidth = detectionWidth
            let json = self.json
            let texts = language.texts
            let service = try Daemon.makeGate(
                GateConfiguration(name: gate, source: source, realtime: realtime, rotate: rotate), engine: faceEngine, matcher: liveMatcher,
                store: database, sessionID: session.id, pipeline: pipeline, reconnect: ReconnectPolicy(), registry: nil,
                broadcaster: nil, facesDirectory: saveFaces, time: language.presentation.time, logger: logger,
                onCheckIn: { event, _ in
                    writeLine(json ? jsonLine(event) : texts.format("cli.watch_checked_in", [
                        "id": event.delegateID, "name": event.name, "gate": event.gate, "distance": String(format: "%.3f", event.distance),
                        "present": "\(event.present)", "expected": "\(event.expected)",
                    ]))
                })
            printError(texts.format("cli.watch_start", [
                "source": source, "gate": gate, "session": "\(session.id)", "name": session.name,
                "delegates": "\(liveMatcher.matcher.gallery.delegateCount)", "k": "\(confirmations)", "pack": faceEngine.pack.pack.name,
            ]))
            let started = ContinuousClock.now
            let reloader = Daemon.makeTemplateReloader(store: database, engine: faceEngine, holder: liveMatcher,
                                                       seconds: reloadInterval, logger: logger)
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)]
                    + (reloader.map { [.init(service: $0, successTerminationBehavior: .ignore)] } ?? []),
                gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger))
            try await group.run()
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let s = service.statistics
            let quorum = try database.quorum(sessionID: session.id)
            if json {
                struct Summary: Encodable {
                    var frames: Int, frames_per_second: Double, dropped: Int, check_ins: Int, unknown_faces: Int, present: Int, expected: Int
                }
                writeLine(jsonLine(Summary(frames: s.framesProcessed, frames_per_second: Double(s.framesProcessed) / max(seconds, 1e-9),
                                           dropped: s.framesDropped, check_ins: s.checkIns, unknown_faces: s.unknownFaces,
                                           present: quorum.present, expected: quorum.expected)))
            } else {
                writeLine(texts.format("cli.watch_summary", [
                    "gate": gate, "frames": "\(s.framesProcessed)", "seconds": String(format: "%.2f", seconds),
                    "fps": String(format: "%.1f", Double(s.framesProcessed) / max(seconds, 1e-9)), "dropped": "\(s.framesDropped)",
                    "check_ins": "\(s.checkIns)", "unknown": "\(s.unknownFaces)", "present": "\(quorum.present)", "expected": "\(quorum.expected)",
                ]))
            }
        }
    }
}

/// Writes one line to standard output at once (a watcher may be killed at any moment; what it printed must be true).
private func writeLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

private func jsonLine<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
}
