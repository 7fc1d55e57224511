import ArgumentParser
import Enrollment
import FaceEngine
import Foundation
import Logging
import RollCall

extension RollCallCommand {
    struct Enroll: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enroll delegates' photos as encrypted face templates, after quality gates and the duplicate-identity guard.",
            discussion: """
                Four ways to name the photos: `rollcall enroll ID PHOTO...`; `rollcall enroll --dir DIR` (photos in
                DIR/ID/*.jpg|jpeg|png); `rollcall enroll --roster FILE.csv` (the photo column of an imported roster);
                `rollcall enroll ID --camera SOURCE` (at the registration desk: a few seconds of a camera, or of any
                source `watch` takes, and the best distinct views of the one face in front of it, so that the template
                comes from the same kind of camera as the gates). Each refused photo is listed with its reason, each
                weak one that was enrolled with what would help; the delegates must already be on the roster.
                """
        )

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var engineOptions: EngineOptions

        @Argument(help: "Delegate id, followed by that delegate's photos.")
        var idAndPhotos: [String] = []

        @Option(help: "Folder with one sub-folder of photos per delegate id.")
        var dir: String?

        @Option(help: "Roster CSV whose photo column lists the photos (paths relative to the CSV).")
        var roster: String?

        @Option(help: "Capture the delegate at the desk from this camera index, device, URL, video file or folder of images.")
        var camera: String?

        @Option(help: "With --camera: seconds to capture.")
        var seconds = DeskCapture.Options().seconds

        @Option(help: "With --camera: distinct views to enroll.")
        var views = DeskCapture.Options().views

        @Flag(help: "Take the biggest face of a photo that shows several, instead of refusing it.")
        var largest = false

        @Flag(help: "Enroll a face even if it matches another delegate, or does not look like the delegate's other photos (the override is logged).")
        var force = false

        @Option(help: "Parallel workers.")
        var workers = ProcessInfo.processInfo.activeProcessorCount

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if camera != nil {
                guard idAndPhotos.count == 1, dir == nil, roster == nil else {
                    throw ValidationError("With --camera, give the delegate id alone: rollcall enroll ID --camera SOURCE.")
                }
                guard seconds > 0 && seconds <= 60 else { throw ValidationError("--seconds must lie in 0 <.. 60, got \(seconds).") }
                guard (1...20).contains(views) else { throw ValidationError("--views must lie in 1...20, got \(views).") }
                return
            }
            let ways = [!idAndPhotos.isEmpty, dir != nil, roster != nil].filter { $0 }.count
            guard ways == 1 else { throw ValidationError("Give exactly one of: ID PHOTO..., --dir DIR, --roster FILE.csv, ID --camera SOURCE.") }
            if !idAndPhotos.isEmpty && idAndPhotos.count < 2 { throw ValidationError("Give at least one photo after the delegate id.") }
        }

        struct Row: Encodable {
            var delegateID: String
            var photo: String
            var enrolled: Bool
            var templateID: Int64?
            var reasons: [String]
            var warnings: [String]
            var duplicateOf: String?
            var duplicateDistance: Float?
        }

        func run() throws {
            let engine = try engineOptions.engine(workers: workers)
            let items = try camera.map { try deskCapture($0, engine: engine) } ?? photoList().map { ($0.delegateID, .file($0.photo)) }
            guard !items.isEmpty else { throw ValidationError("No photos found to enroll.") }
            let store = try storeOptions.openStore()
            var logger = Logger(label: "rollcall.enroll")
            logger.logLevel = .notice
            var options = Enroller.Options()
            options.largest = largest
            options.force = force
            let progress = ProgressLine(total: items.count, label: "enrolling")
            let outcomes = try Enroller(engine: engine, store: store, logger: logger)
                .enroll(photos: items, options: options) { progress.update($0) }
            progress.finish()

            let rows = outcomes.map {
                Row(delegateID: $0.delegateID, photo: $0.photo, enrolled: $0.enrolled, templateID: $0.templateID,
                    reasons: $0.reasons, warnings: $0.warnings, duplicateOf: $0.duplicateOf?.delegateID,
                    duplicateDistance: $0.duplicateOf?.distance)
            }
            if json {
                try printJSON(rows)
            } else {
                for row in rows where !row.enrolled {
                    for reason in row.reasons { printError("refused: \(row.delegateID): \(reason)") }
                }
                for row in rows where row.enrolled {
                    for warning in row.warnings { printError("enrolled with a warning: \(row.delegateID): \(warning)") }
                }
                let enrolled = rows.filter(\.enrolled).count
                print("\(enrolled) of \(rows.count) photos enrolled for \(Set(rows.filter(\.enrolled).map(\.delegateID)).count) delegates; \(rows.count - enrolled) refused")
            }
            if rows.contains(where: { !$0.enrolled }) { throw ExitCode(2) }
        }

        /// The delegate's best distinct views from the desk camera.
        private func deskCapture(_ source: String, engine: FaceEngine) throws -> [(delegateID: String, photo: Enroller.Photo)] {
            let id = idAndPhotos[0].precomposedStringWithCanonicalMapping
            let video = try VideoSource(source)
            defer { video.close() }
            var options = DeskCapture.Options()
            options.seconds = seconds
            options.views = views
            printError("capturing \(id) from \(source) for \(seconds) s: look at the camera")
            let result = try DeskCapture(engine: engine, options: options).capture(fps: video.fps ?? 25) {
                try video.read()?.limited(toWidth: 1280)
            }
            let skipped = result.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            printError("\(result.framesRead) frames looked at, \(result.views.count) distinct views kept"
                + (skipped.isEmpty ? "" : " (frames skipped: \(skipped))"))
            guard !result.views.isEmpty else {
                throw ValidationError("\(source): no usable view of one face in \(result.framesRead) frames: face the camera alone, well lit, closer")
            }
            let name = (source as NSString).lastPathComponent
            return result.views.map { (id, .frame($0.image, face: $0.face, name: "camera \(name) frame \($0.frameIndex)")) }
        }

        /// (delegate id, photo path) pairs from whichever way the photos were named.
        private func photoList() throws -> [(delegateID: String, photo: String)] {
            if let roster {
                let parsed = try RollCall.Roster.load(path: roster)
                return parsed.entries.flatMap { entry in entry.photos.map { (entry.delegate.id, $0) } }
            }
            if let dir {
                let fm = FileManager.default
                let ids = try fm.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }.sorted()
                var items: [(String, String)] = []
                for id in ids {
                    let folder = URL(fileURLWithPath: dir).appendingPathComponent(id)
                    var isDir: ObjCBool = false
                    guard fm.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else { continue }
                    let photos = try fm.contentsOfDirectory(atPath: folder.path)
                        .filter { ["jpg", "jpeg", "png"].contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
                        .sorted()
                    items += photos.map { (id.precomposedStringWithCanonicalMapping, folder.appendingPathComponent($0).path) }
                }
                return items
            }
            let id = idAndPhotos[0].precomposedStringWithCanonicalMapping
            return idAndPhotos.dropFirst().map { (id, $0) }
        }
    }
}
