import FaceEngine
import Foundation
import LiveRecognition
import Hummingbird
import InMemoryLogging
import Logging
import Prometheus
import RollCallServer
import RollCall
import RollCallStore
import ServiceLifecycle
import Testing

/// A live source that fails mid-stream: the daemon logs it, reconnects and keeps serving HTTP.
struct SourceReconnectTests {
    @Test func mjpegStreamStopsMidway_gateReconnects_andHTTPKeepsServing() async throws {
        // Given an MJPEG camera (served here on loopback) whose first connection stops after 20 frames
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let video = directory.appendingPathComponent("entrance.avi").path
        try ServerFixtures.writeMovingFacesVideo(to: video)
        let jpegs = try Self.jpegFrames(of: video, in: directory)
        let camera = MJPEGCamera(frames: jpegs, firstConnectionFrames: 20)

        try await camera.serve { cameraPort in
            // And the daemon watching it, with its HTTP API
            let logs = InMemoryLogHandler()
            let logger = Logger(label: "test", factory: { _ in logs })
            let engine = ServerFixtures.engine
            let registry = PrometheusCollectorRegistry()
            let gate = try Daemon.makeGate(
                GateConfiguration(name: "door", source: "http://127.0.0.1:\(cameraPort)/stream.mjpg"), engine: engine,
                matcher: MatcherAssembly.makeMatcherHolder(store: store, engine: engine), store: store, sessionID: session.id,
                pipeline: PipelineConfiguration(), reconnect: ReconnectPolicy(initial: 0.2, maximum: 1), registry: registry,
                broadcaster: EventBroadcaster(), facesDirectory: nil, logger: logger)
            let api = RollCallAPI(store: store, sessionID: session.id, broadcaster: EventBroadcaster(), registry: registry, gates: [gate])

            try await LiveServer.run(http: .init(port: 0), api: api, services: [gate]) { port in
                // When the first connection ends mid-stream, the gate reconnects and reads on
                let deadline = Date().addingTimeInterval(90)
                while Date() < deadline && (gate.statistics.reconnects < 1 || camera.connections < 2 || gate.statistics.framesProcessed < 40) {
                    #expect(LiveServer.status(try await LiveServer.get(port: port, path: "/healthz")) == 200)
                    try await Task.sleep(for: .milliseconds(200))
                }
                // Then the failure was logged, the source reopened, and HTTP kept answering throughout
                #expect(gate.statistics.reconnects >= 1)
                #expect(camera.connections >= 2)
                #expect(gate.statistics.framesProcessed >= 40)
                #expect(logs.entries.contains { $0.message.description == "source lost; reconnecting" })
                let health = try await LiveServer.get(port: port, path: "/healthz")
                #expect(LiveServer.status(health) == 200)
                #expect(health.contains("\"reconnects\":"))
                let metrics = try await LiveServer.get(port: port, path: "/metrics")
                #expect(metrics.contains("rollcall_source_reconnects_total{gate=\"door\"}"))
            }
        }
    }

    /// The clip's frames, JPEG-encoded.
    static func jpegFrames(of video: String, in directory: URL) throws -> [Data] {
        let source = try VideoSource(video)
        var frames: [Data] = []
        let path = directory.appendingPathComponent("frame.jpg").path
        while let frame = try source.read() {
            try frame.write(to: path)
            frames.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        return frames
    }
}

/// A tiny MJPEG-over-HTTP camera on loopback. The first connection stops after `firstConnectionFrames` frames (the
/// response ends, as when a camera reboots); later connections loop over the frames at 25 frames/s until the test ends.
final class MJPEGCamera: @unchecked Sendable {
    let frames: [Data]
    let firstConnectionFrames: Int
    private let lock = NSLock()
    private var count = 0

    init(frames: [Data], firstConnectionFrames: Int) {
        self.frames = frames
        self.firstConnectionFrames = firstConnectionFrames
    }

    var connections: Int { lock.withLock { count } }

    /// Runs the camera on a free loopback port for the duration of `body`.
    func serve(_ body: @Sendable @escaping (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("/stream.mjpg") { _, _ -> Response in
            let connection = self.lock.withLock { () -> Int in
                self.count += 1
                return self.count
            }
            let limit = connection == 1 ? self.firstConnectionFrames : 100_000
            var headers = HTTPFields()
            headers[.contentType] = "multipart/x-mixed-replace;boundary=frame"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                for i in 0..<limit {
                    let jpeg = self.frames[i % self.frames.count]
                    var part = ByteBuffer(string: "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: \(jpeg.count)\r\n\r\n")
                    part.writeBytes(jpeg)
                    part.writeString("\r\n")
                    try await writer.write(part)
                    try await Task.sleep(for: .milliseconds(40))
                }
                try await writer.finish(nil)
            })
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() },
                              logger: ServerFixtures.quietLogger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: ServerFixtures.quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do { try await body(port) } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
        }
    }
}
