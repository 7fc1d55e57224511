import ArgumentParser
import Enrollment
import FaceEngine
import Foundation
import Logging
import RollCall
import Texts

extension RollCallCommand {
    struct Enroll: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enroll delegates' photos as encrypted face templates, after quality gates and the duplicate-identity guard.",
            discussion: """
                Four ways to name the photos: `rollcall enroll ID PHOTO...` (a PHOTO may be a folder: its .jpg, .jpeg and
                .png files); `rollcall enroll --dir DIR` (photos in DIR/ID/*.jpg|jpeg|png); `rollcall enroll --roster
                FILE` (the photo column of an imported roster, .xlsx or CSV); `rollcall enroll ID --camera SOURCE` (at
                the registration desk: a few seconds of a camera, or of any source `watch` takes, and the best distinct
                views of the one face in front of it, so that the template comes from the same kind of camera as the
                gates). A photo already enrolled for the delegate (the same file, by SHA-256) is skipped, so a roster can
                be enrolled again after adding photos. Each refused photo is listed with its reason, each weak one that
                was enrolled with what would help; the delegates must already be on the roster.
                """
        )

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var engineOptions: EngineOptions
        @OptionGroup var language: LanguageOptions

        @Argument(help: "Delegate id, followed by that delegate's photos.")
        var idAndPhotos: [String] = []

        @Option(help: "Folder with one sub-folder of photos per delegate id.")
        var dir: String?

        @Option(help: "Roster (.xlsx or CSV) whose photo column lists the photos (paths relative to the file).")
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
            var alreadyEnrolledAs: Int64?
            var skipped: Bool
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

            let rows = outcomes.map { outcome -> Row in
                var already: Int64?
                if case .alreadyEnrolled(let id) = outcome.skipped { already = id }
                return Row(delegateID: outcome.delegateID, photo: outcome.photo, enrolled: outcome.enrolled, templateID: outcome.templateID,
                           reasons: outcome.reasons, warnings: outcome.warnings, duplicateOf: outcome.duplicateOf?.delegateID,
                           duplicateDistance: outcome.duplicateOf?.distance, alreadyEnrolledAs: already, skipped: outcome.skipped != nil)
            }
            let refused = rows.filter { !$0.enrolled && !$0.skipped }
            if json {
                try printJSON(rows)
            } else {
                let texts = language.texts
                for row in refused {
                    for reason in row.reasons { printError(texts.format("cli.enroll_refused", ["id": row.delegateID, "reason": reason])) }
                }
                for row in rows where row.enrolled {
                    for warning in row.warnings { printError(texts.format("cli.enroll_warning", ["id": row.delegateID, "warning": warning])) }
                }
                for row in rows where row.alreadyEnrolledAs != nil {
                    printError(texts.format("cli.enroll_already", ["id": row.delegateID, "photo": URL(fileURLWithPath: row.photo).lastPathComponent,
                                                                   "template": "\(row.alreadyEnrolledAs!)"]))
                }
                let enrolled = rows.filter(\.enrolled)
                print(texts.format("cli.enrolled", [
                    "enrolled": "\(enrolled.count)", "total": "\(rows.count)", "delegates": "\(Set(enrolled.map(\.delegateID)).count)",
                    "refused": "\(refused.count)",
                ]))
                let skipped = rows.filter(\.skipped).count
                if skipped > 0 { print(texts.format("cli.enroll_skipped", count: skipped)) }
            }
            if !refused.isEmpty { throw ExitCode(2) }
        }

        /// The delegate's best distinct views from the desk camera.
        private func deskCapture(_ source: String, engine: FaceEngine) throws -> [(delegateID: String, photo: Enroller.Photo)] {
            let id = idAndPhotos[0].precomposedStringWithCanonicalMapping
            let video = try VideoSource(source)
            defer { video.close() }
            var options = DeskCapture.Options()
            options.seconds = seconds
            options.views = views
            let texts = language.texts
            printError(texts.format("cli.desk_capturing", ["id": id, "source": source, "seconds": String(format: "%g", seconds)]))
            let result = try DeskCapture(engine: engine, options: options).capture(fps: video.fps ?? 25) {
                try video.read()?.limited(toWidth: 1280)
            }
            let skipped = result.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            printError(texts.format("cli.desk_captured", ["frames": "\(result.framesRead)", "views": "\(result.views.count)"])
                + (skipped.isEmpty ? "" : texts.format("cli.desk_skipped", ["skipped": skipped])))
            guard !result.views.isEmpty else {
                throw ValidationError(texts.format("cli.desk_no_view", ["source": source, "frames": "\(result.framesRead)"]))
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
                    items += try Self.photos(in: folder.path).map { (id.precomposedStringWithCanonicalMapping, $0) }
                }
                return items
            }
            let id = idAndPhotos[0].precomposedStringWithCanonicalMapping
            return try idAndPhotos.dropFirst().flatMap { path -> [(String, String)] in
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [(id, path)] }
                // A folder of the delegate's photos: its images, in name order.
                let photos = try Self.photos(in: path)
                printError(language.texts.format("cli.enroll_folder", ["folder": path, "count": "\(photos.count)"]))
                return photos.map { (id, $0) }
            }
        }

        /// The .jpg, .jpeg and .png files of a folder, in name order.
        static func photos(in folder: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: folder)
                .filter { !$0.hasPrefix(".") && ["jpg", "jpeg", "png"].contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
                .sorted()
                .map { URL(fileURLWithPath: folder).appendingPathComponent($0).path }
        }
    }
}
