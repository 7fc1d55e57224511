import FaceEngine
import Foundation
import LiveRecognition
import InMemoryLogging
import Logging
import RollCall
import RollCallServer
import RollCallStore
import ServiceLifecycle
import Testing

/// Delegates enrolled or removed at the desk (another process, same database) while the daemon runs reach the gates
/// without a restart; a reload that fails keeps the previous matcher.
struct TemplateReloadTests {
    /// Obama on the roster without a template yet: the late delegate.
    static let lateObama = ServerFixtures.Person(id: ServerFixtures.obama.id, name: ServerFixtures.obama.name,
                                                 unit: ServerFixtures.obama.unit, photos: [])

    /// A daemon's store in `directory` with Obama enrolled, its matcher holder, and a reloader that only reloads when
    /// asked (`reloadIfChanged`), logging into `logs`.
    static func daemonWithObama(in directory: URL) throws -> (holder: MatcherHolder, logs: InMemoryLogHandler, reloader: TemplateReloader) {
        let (store, _) = try ServerFixtures.makeStore(in: directory, people: [ServerFixtures.obama])
        let holder = try MatcherAssembly.makeMatcherHolder(store: store, engine: ServerFixtures.engine)
        let logs = InMemoryLogHandler()
        let reloader = TemplateReloader(store: store, engine: ServerFixtures.engine, holder: holder, interval: .seconds(60),
                                        logger: Logger(label: "test", factory: { _ in logs }))
        return (holder, logs, reloader)
    }

    @Test func runningReloader_picksUpEnrollmentAndRemovalByAnotherConnection() async throws {
        // Given a daemon's store with Biden enrolled and Obama on the roster only, and its matcher holder
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, _) = try ServerFixtures.makeStore(in: directory, people: [ServerFixtures.biden, Self.lateObama])
        let engine = ServerFixtures.engine
        let holder = try MatcherAssembly.makeMatcherHolder(store: store, engine: engine)
        #expect(holder.matcher.gallery.delegateIDs == ["D-BIDEN"])
        let probe = try ServerFixtures.embedding(of: ServerFixtures.photo("obama.jpg"))   // not one of the enrolled photos
        #expect(holder.matcher.match(probe).delegateID == nil)
        let logs = InMemoryLogHandler()
        let reloader = TemplateReloader(store: store, engine: engine, holder: holder, interval: .milliseconds(50),
                                        logger: Logger(label: "test", factory: { _ in logs }))
        // And the desk's own connection to the same file
        let desk = try ServerFixtures.openStore(in: directory)

        try await Self.running(reloader) {
            // When the desk enrolls Obama, the running reloader swaps in a matcher that knows him
            // (his two photos are two writes: a reload may fall between them, so wait for both)
            try ServerFixtures.enroll(ServerFixtures.obama, into: desk)
            #expect(await Self.eventually { holder.matcher.gallery.delegateIDs.contains("D-OBAMA") && holder.matcher.gallery.enrolledTemplateCount == 3 })
            #expect(holder.matcher.gallery.enrolledTemplateCount == 3)
            #expect(holder.matcher.match(probe).delegateID == "D-OBAMA")

            // When the desk removes Biden, he is no longer matched
            try desk.removeDelegate(id: "D-BIDEN")
            #expect(await Self.eventually { holder.matcher.gallery.delegateIDs == ["D-OBAMA"] })
            #expect(holder.matcher.gallery.enrolledTemplateCount == 2)
            #expect(holder.matcher.match(probe).delegateID == "D-OBAMA")
        }

        // Then each state it swapped in was logged once at info, with counts only (one more line when a reload fell
        // between Obama's two photos)
        let infos = logs.entries.filter { $0.level == .info }.map(\.message.description)
        let expected = ["templates reloaded: 2 delegates, 3 templates", "templates reloaded: 1 delegates, 2 templates"]
        #expect(infos == expected || infos == ["templates reloaded: 2 delegates, 2 templates"] + expected, "\(infos)")
        #expect(!logs.entries.contains { $0.level >= .warning })
    }

    @Test func failingReload_keepsPreviousMatcher_warnsOnce_andRecovers() throws {
        // Given a running daemon's matcher over Obama's two templates
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (holder, logs, reloader) = try Self.daemonWithObama(in: directory)
        let engine = ServerFixtures.engine
        let probe = try ServerFixtures.embedding(of: ServerFixtures.photo("obama.jpg"))
        #expect(reloader.reloadIfChanged() == .unchanged)

        // When the desk re-enrolls with another pack (templates this daemon's pack cannot be compared with)
        let desk = try ServerFixtures.openStore(in: directory)
        try desk.eraseTemplates()
        var generator = SplitMix64(seed: 1)
        try desk.addTemplate(delegateID: "D-OBAMA", embedding: MatcherBenchmark.randomUnitVector(engine.dimension, using: &generator),
                             pack: TemplatePack(name: "dlib", digest: String(repeating: "b2", count: 32)))

        // Then the reload fails, twice, and recognition goes on with the previous matcher
        for _ in 0..<2 {
            guard case .failed(let reason) = reloader.reloadIfChanged() else { Issue.record("the reload should fail"); return }
            #expect(reason.contains("dlib"), "\(reason)")
            #expect(holder.matcher.gallery.enrolledTemplateCount == 2)
            #expect(holder.matcher.match(probe).delegateID == "D-OBAMA")
        }
        // With one warning naming the reason, not one per look
        let warnings = logs.entries.filter { $0.level == .warning }
        #expect(warnings.map(\.message.description) == ["templates not reloaded; recognition goes on with the previous ones"])
        #expect(warnings.first?.metadata["error"]?.description.contains("dlib") == true)

        // When the desk puts things right, the next look reloads
        try desk.eraseTemplates()
        try ServerFixtures.enroll(ServerFixtures.obama, into: desk)
        #expect(reloader.reloadIfChanged() == .reloaded(delegates: 1, templates: 2))
        #expect(holder.matcher.match(probe).delegateID == "D-OBAMA")
        #expect(reloader.reloadIfChanged() == .unchanged)
    }

    @Test func removingEveryDelegate_recognisesNobody_withAWarning() throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (holder, logs, reloader) = try Self.daemonWithObama(in: directory)

        try ServerFixtures.openStore(in: directory).removeDelegate(id: "D-OBAMA")

        // A removed delegate's templates are not kept in use: the matcher empties and says so.
        #expect(reloader.reloadIfChanged() == .reloaded(delegates: 0, templates: 0))
        let match = holder.matcher.match(try ServerFixtures.embedding(of: ServerFixtures.photo("obama.jpg")))
        #expect(match.decision == .emptyGallery)
        #expect(logs.entries.contains { $0.level == .warning && $0.message.description.hasPrefix("no templates enrolled any more") })
        // Enrolling again from empty works as any other change.
        let desk = try ServerFixtures.openStore(in: directory)
        try ServerFixtures.importRoster([ServerFixtures.obama], into: desk, directory: directory)
        try ServerFixtures.enroll(ServerFixtures.obama, into: desk)
        #expect(reloader.reloadIfChanged() == .reloaded(delegates: 1, templates: 2))
    }

    @Test func pipelineStartedBeforeEnrollment_recognisesTheLateDelegate() async throws {
        // Given a gate's pipeline and recorder started with only Biden on the roster and enrolled
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory, people: [ServerFixtures.biden])
        let engine = ServerFixtures.engine
        let holder = try MatcherAssembly.makeMatcherHolder(store: store, engine: engine)
        let pipeline = RecognitionPipeline(engine: engine, matcher: holder, configuration: PipelineConfiguration())
        let recorder = try AttendanceRecorder(store: store, sessionID: session.id, gate: "door", logger: ServerFixtures.quietLogger)
        let reloader = TemplateReloader(store: store, engine: engine, holder: holder, interval: .milliseconds(50),
                                        logger: ServerFixtures.quietLogger)
        let video = directory.appendingPathComponent("entrance.avi").path
        try ServerFixtures.writeMovingFacesVideo(to: video)
        let source = try VideoSource(video)
        defer { source.close() }

        let checkIns = try await Self.running(reloader) { () -> [CheckInEvent] in
            var checkIns: [CheckInEvent] = []
            var index = 0
            while let image = try source.read() {
                if index == 100 {
                    // Obama's first pass (frames 0..<50) went by unrecognised; before his second, the desk adds him
                    // to the roster and enrolls him, and the gate's matcher follows within the reload interval.
                    #expect(!checkIns.contains { $0.delegateID == "D-OBAMA" })
                    let desk = try ServerFixtures.openStore(in: directory)
                    try ServerFixtures.importRoster([ServerFixtures.obama], into: desk, directory: directory)
                    try ServerFixtures.enroll(ServerFixtures.obama, into: desk)
                    #expect(await Self.eventually { pipeline.matcher.gallery.delegateIDs.contains("D-OBAMA") })
                }
                for event in try pipeline.process(Frame(image: image, index: index)).events {
                    if let checkIn = try recorder.record(event) { checkIns.append(checkIn) }
                }
                index += 1
            }
            for event in pipeline.finish() {
                if let checkIn = try recorder.record(event) { checkIns.append(checkIn) }
            }
            return checkIns
        }

        // Then the same pipeline, never restarted, checks Obama in on his second pass, under his roster name
        #expect(Set(checkIns.map(\.delegateID)) == ["D-BIDEN", "D-OBAMA"])
        #expect(checkIns.count == 2)
        #expect(checkIns.first { $0.delegateID == "D-OBAMA" }?.name == ServerFixtures.obama.name)
        #expect(try store.quorum(sessionID: session.id).present == 2)
    }

    @Test func configuration_templateReloadSeconds() throws {
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rollcall.yaml").path
        func load(_ extra: String) throws -> ServerConfiguration {
            try "gates:\n  - { name: north, source: \"0\" }\n\(extra)".write(toFile: path, atomically: true, encoding: .utf8)
            return try ServerConfiguration.load(path: path)
        }
        #expect(try load("").templateReloadSeconds == 5)
        #expect(try load("template_reload_seconds: 2.5\n").templateReloadSeconds == 2.5)
        #expect(try load("template_reload_seconds: 0\n").templateReloadSeconds == 0)   // read at start only
        let error = #expect(throws: ServerError.self) { try load("template_reload_seconds: -1\n") }
        #expect(error?.description.contains("template_reload_seconds") == true)
    }

    // MARK: - Helpers

    /// Runs `reloader` as a service for the duration of `body`, then shuts it down gracefully.
    static func running<T: Sendable>(_ reloader: TemplateReloader, _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: [reloader], logger: ServerFixtures.quietLogger))
        async let run: Void = group.run()
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        await group.triggerGracefulShutdown()
        try await run
        return try result.get()
    }

    /// Whether `condition` holds within `seconds`, looking every 20 ms.
    static func eventually(within seconds: Double = 60, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}
