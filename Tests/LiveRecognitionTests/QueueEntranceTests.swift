import Enrollment
import FaceEngine
import Foundation
import LiveRecognition
import RollCall
import SiteEvaluation
import Testing

/// The live pipeline on entrances built from the test photos: the next person in a queue steps into the place the
/// last one left, in the very next frame, and must neither inherit their name nor go unrecognised.
@Suite struct QueueEntranceTests {
    static let models = ModelStore.resolve(nil)
    static let engine: FaceEngine = {
        do { return try FaceEngine(pack: models.load(packNamed: "sface"), workers: 2, flip: false) } catch {
            fatalError("the sface pack is not installed in \(models.directory.path): run `make models` (\(error))")
        }
    }()

    static func photo(_ name: String) -> String { models.directory.appendingPathComponent("test-photos/\(name)").path }

    /// Obama enrolled from two photos; `biden` adds Biden, enrolled from the photo he walks with.
    private func score(walkers: [(String?, String)], biden: Bool, composition: EntranceScene.Composition = .queue) throws -> EntranceScore.Report {
        var photos = [("D-OBAMA", Self.photo("obama2.jpg")), ("D-OBAMA", Self.photo("obama3.jpg"))]
        if biden { photos.append(("D-BIDEN", Self.photo("biden.jpg"))) }
        let gallery = try EvaluationGallery(photos: photos.map { ($0.0, $0.1) }, engine: Self.engine, options: Enroller.Options())
        let holder = try MatcherAssembly.makeMatcherHolder(store: gallery.store, engine: Self.engine)
        let (people, skipped) = EntranceRun.walkers(from: walkers.map { ($0.0, Self.photo($0.1)) }, engine: Self.engine)
        #expect(skipped.isEmpty)
        var settings = EntranceScene.Settings()
        (settings.width, settings.height, settings.lanes, settings.composition) = (640, 360, 1, composition)
        (settings.smallestFace, settings.largestFace) = (60, 110)
        let scene = try EntranceScene(walkers: people, settings: settings)
        let pipeline = RecognitionPipeline(engine: Self.engine, matcher: holder, configuration: PipelineConfiguration())
        return try EntranceRun.run(scene, pipeline: pipeline, enrolled: Set(holder.matcher.gallery.delegateIDs)).report()
    }

    @Test func strangerSteppingIntoADelegatesPlace_isNotCheckedInUnderTheirName() throws {
        // Given Obama (enrolled) walking up to the door and Biden (on no roster) stepping into his place as he leaves
        let report = try score(walkers: [("D-OBAMA", "obama.jpg"), (nil, "biden.jpg")], biden: false)
        // Then Obama is checked in, nobody else, and no track followed both of them
        #expect(report.checked_in == 1 && report.missed == 0)
        #expect(report.wrong_check_ins == 0 && report.wrong_confirmations == 0)
        #expect(report.identity_switches == 0)
        #expect(report.tracks_split >= 1)
    }

    @Test func theNextDelegateInTheQueueIsRecognisedInTurn() throws {
        // Given Obama, then Biden, then Obama again, each stepping into the place the last one left
        let report = try score(walkers: [("D-OBAMA", "obama.jpg"), ("D-BIDEN", "biden.jpg"), ("D-OBAMA", "obama.jpg")], biden: true)
        // Then both are checked in: a decided track is still looked at, and split when another face appears in it
        #expect(report.checked_in == 3)
        #expect(report.missed_ids.isEmpty)
        #expect(report.wrong_check_ins == 0 && report.identity_switches == 0)
    }

    @Test func spacedWalkers_eachCheckedInOnce_withinASecond() throws {
        let report = try score(walkers: [("D-OBAMA", "obama.jpg"), (nil, "biden.jpg")], biden: false, composition: .spaced)
        #expect(report.checked_in == 1 && report.wrong_check_ins == 0 && report.identity_switches == 0)
        #expect((report.time_to_check_in.median ?? 99) < 1)
    }
}
