import FaceEngine
import Foundation
import LiveRecognition
import Logging
import RollCall
import RollCallServer
import RollCallStore
import Testing

/// The whole pipeline on the synthetic moving-faces clip: capture → detect → track → embed → match → confirm → store.
struct PipelineVideoTests {
    @Test func enrolledPersonPresentOnce_strangerNeverRecorded() async throws {
        // Given a roster of Obama (enrolled) and an absentee, and a clip with Obama twice and Biden (not enrolled) once
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let video = directory.appendingPathComponent("entrance.avi").path
        try ServerFixtures.writeMovingFacesVideo(to: video)

        // When the gate runs over the whole file
        let service = try makeGate(source: video, store: store, session: session)
        try await service.run()

        // Then Obama is present exactly once, the absentee absent, and Biden counted as unknown but never recorded
        let stats = service.statistics
        #expect(stats.framesProcessed == ServerFixtures.videoFrames)
        #expect(stats.framesDropped == 0)
        #expect(stats.checkIns == 1)
        #expect(stats.unknownFaces >= 1)
        let report = try store.report(sessionID: session.id)
        #expect(report.rows.map(\.status) == [.present, .absent])
        #expect(report.rows.first { $0.delegateID == "D-OBAMA" }?.gate == "test-gate")
        #expect(try store.verifyAudit().isIntact)
    }

    @Test func folderOfImages_isReadInNameOrder() async throws {
        // Given the clip's frames as numbered JPEG files
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let video = directory.appendingPathComponent("entrance.avi").path
        try ServerFixtures.writeMovingFacesVideo(to: video)
        let frames = directory.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        let source = try VideoSource(video)
        var index = 0
        while let frame = try source.read() {
            try frame.write(to: frames.appendingPathComponent(String(format: "frame%04d.jpg", index)).path)
            index += 1
        }
        #expect(VideoSource.kind(of: frames.path) == .imageFolder)

        // When the gate reads the folder
        let service = try makeGate(source: frames.path, store: store, session: session)
        try await service.run()

        // Then the result is the same as from the video
        #expect(service.statistics.framesProcessed == index)
        #expect(service.statistics.checkIns == 1)
        #expect(try store.quorum(sessionID: session.id).present == 1)
    }

    /// Frames wider than `frame_max_width` are scaled down when read; recognition works on the smaller frames.
    @Test func framesWiderThanTheLimitAreScaledDownAndStillRecognised() async throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let video = directory.appendingPathComponent("entrance.avi").path
        try ServerFixtures.writeMovingFacesVideo(to: video)   // 640×360
        var pipeline = PipelineConfiguration()
        pipeline.frameMaxWidth = 480
        pipeline.minimumFaceSize = 27   // the default 36 px of a 640-wide frame, at 480

        let service = try makeGate(source: video, store: store, session: session, pipeline: pipeline)
        try await service.run()

        #expect(service.statistics.framesProcessed == ServerFixtures.videoFrames)
        #expect(service.statistics.checkIns == 1)
        #expect(try store.report(sessionID: session.id).rows.map(\.status) == [.present, .absent])
    }

    @Test func limitedToWidthKeepsTheAspectRatioAndNeverScalesUp() throws {
        let wide = try FrameComposer(width: 1920, height: 1080).image().limited(toWidth: 1280)
        #expect((wide.width, wide.height) == (1280, 720))
        let small = try FrameComposer(width: 640, height: 360).image().limited(toWidth: 1280)
        #expect((small.width, small.height) == (640, 360))
    }

    // MARK: - Helpers

    private func makeGate(source: String, store: RollCallStore, session: SessionInfo,
                          pipeline: PipelineConfiguration = PipelineConfiguration()) throws -> GateService {
        let engine = ServerFixtures.engine
        return try Daemon.makeGate(
            GateConfiguration(name: "test-gate", source: source), engine: engine,
            matcher: MatcherAssembly.makeMatcherHolder(store: store, engine: engine), store: store, sessionID: session.id,
            pipeline: pipeline, reconnect: ReconnectPolicy(), registry: nil, broadcaster: nil,
            facesDirectory: nil, logger: ServerFixtures.quietLogger)
    }
}
