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
                Three ways to name the photos: `rollcall enroll ID PHOTO...` (a PHOTO may be a folder: its .jpg, .jpeg and
                .png files); `rollcall enroll --dir DIR` (photos in DIR/ID/*.jpg|jpeg|png); `rollcall enroll --roster
                FILE` (the photo column of an imported roster, .xlsx or CSV). A photo already enrolled for the delegate
                (the same file, by SHA-256) is skipped, so a roster can be enrolled again after adding photos. Each
                refused photo is listed with its reason; the delegates must already be on the roster.
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

        @Flag(help: "Take the biggest face of a photo that shows several, instead of refusing it.")
        var largest = false

        @Flag(help: "Enroll a face even if it matches another delegate, or does not look like the delegate's other photos (the override is logged).")
        var force = false

        @Option(help: "Parallel workers.")
        var workers = ProcessInfo.processInfo.activeProcessorCount

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            let ways = [!idAndPhotos.isEmpty, dir != nil, roster != nil].filter { $0 }.count
            guard ways == 1 else { throw ValidationError("Give exactly one of: ID PHOTO..., --dir DIR, --roster FILE.csv.") }
            if !idAndPhotos.isEmpty && idAndPhotos.count < 2 { throw ValidationError("Give at least one photo after the delegate id.") }
        }

        struct Row: Encodable {
            var delegateID: String
            var photo: String
            var enrolled: Bool
            var templateID: Int64?
            var reasons: [String]
            var duplicateOf: String?
            var duplicateDistance: Float?
            var alreadyEnrolledAs: Int64?
            var skipped: Bool
        }

        func run() throws {
            let items = try photoList()
            guard !items.isEmpty else { throw ValidationError("No photos found to enroll.") }
            let store = try storeOptions.openStore()
            let engine = try engineOptions.engine(workers: workers)
            var logger = Logger(label: "rollcall.enroll")
            logger.logLevel = .notice
            var options = Enroller.Options()
            options.largest = largest
            options.force = force
            let progress = ProgressLine(total: items.count, label: "enrolling")
            let outcomes = try Enroller(engine: engine, store: store, logger: logger)
                .enroll(items, options: options) { progress.update($0) }
            progress.finish()

            let rows = outcomes.map { outcome -> Row in
                var already: Int64?
                if case .alreadyEnrolled(let id) = outcome.skipped { already = id }
                return Row(delegateID: outcome.delegateID, photo: outcome.photo, enrolled: outcome.enrolled, templateID: outcome.templateID,
                           reasons: outcome.reasons, duplicateOf: outcome.duplicateOf?.delegateID,
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
