import Enrollment
import FaceEngine
import Foundation
import LiveRecognition
import RollCall
import SiteEvaluation
import Testing

/// The live pipeline's photo cue on a photo held up to the camera (`PhotoAttackScene`, from the test photos): the
/// check-in goes through, its track's final verdict follows once.
@Suite struct PhotoCueTests {
    static let engine = QueueEntranceTests.engine

    private func run(style: PhotoAttackScene.Style, seed: UInt64) throws -> (checkIns: [Recognition], checks: [PhotoCheck], cueFrames: Int) {
        let gallery = try EvaluationGallery(photos: [("D-OBAMA", QueueEntranceTests.photo("obama2.jpg"))], engine: Self.engine,
                                            options: Enroller.Options())
        let holder = try MatcherAssembly.makeMatcherHolder(store: gallery.store, engine: Self.engine)
        let (people, _) = EntranceRun.walkers(from: [("D-OBAMA", QueueEntranceTests.photo("obama.jpg"))], engine: Self.engine)
        let walker = try #require(people.first)
        var settings = PhotoAttackScene.Settings()
        (settings.width, settings.height, settings.frames, settings.smallestFace, settings.largestFace) = (640, 360, 40, 90, 110)
        let background = try FrameComposer(width: 640, height: 360, grey: 110).image()
        let scene = try PhotoAttackScene(walker: walker, backgrounds: [background], settings: settings, seed: seed, style: style)
        let pipeline = RecognitionPipeline(engine: Self.engine, matcher: holder, configuration: PipelineConfiguration())
        var checkIns: [Recognition] = [], checks: [PhotoCheck] = [], cueFrames = 0
        for index in 0..<settings.frames {
            let outcome = try pipeline.process(Frame(image: try scene.render(frame: index).image, index: index))
            for case .confirmed(let r) in outcome.events { checkIns.append(r) }
            checks += outcome.photoChecks
            cueFrames += outcome.faces.filter { $0.cueLandmarks != nil }.count
        }
        return (checkIns, checks, cueFrames)
    }

    @Test func aTiltedPhotoIsCheckedIn_thenFlaggedOnce() throws {
        let (checkIns, checks, cueFrames) = try run(style: .tilting, seed: 3)
        // The check-in is not refused; the cue had too few frames to judge at that moment.
        #expect(checkIns.map(\.delegateID) == ["D-OBAMA"])
        #expect(checkIns.first?.suspectedPhoto == .undecided)
        // Its window filled (30 frames) and the final verdict came once: a flat photo.
        #expect(cueFrames >= PlanarMotionCue.Configuration().window)
        #expect(checks.count == 1)
        #expect(checks.first?.delegateID == "D-OBAMA" && checks.first?.verdict == .suspectedPhoto, "\(checks)")
        #expect(checks.first?.measure?.frames == PlanarMotionCue.Configuration().window)
    }
}
