import ArgumentParser
import Foundation
import RollCall
import RollCallStore
import Texts

extension RollCallCommand {
    struct Privacy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say what biometric data is held, for whom and since when.",
            subcommands: [Report.self]
        )
    }
}

extension RollCallCommand.Privacy {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the biometric data the database (and the face crops folder) holds: per delegate, since when.",
            discussion: """
                Templates (sealed face embeddings) per delegate with the dates they were enrolled and the photos' file \
                names (no image is kept in the database); recognitions logged at the gates; with --faces-dir, the face \
                crops serve kept. Erase them with rollcall purge templates.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Also list the face crops in this folder (serve's faces_directory).")
        var facesDir: String?

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var language: LanguageOptions

        struct Output: Encodable {
            struct Holder: Encodable { var delegate_id: String, name: String, templates: Int, since: String, latest: String, source_photos: [String] }
            struct Crops: Encodable { var folder: String, files: Int, delegates: Int, since: String? }
            var generated_at: String, roster_size: Int, templates: Int, delegates_with_templates: Int
            var holders: [Holder]
            var sightings: Int, sightings_since: String?
            var face_crops: Crops?
        }

        func run() async throws {
            let report = try store.openSQLiteStore(mustExist: true, verb: "privacy report").privacyReport()
            let time = language.presentation.time, texts = language.texts
            let iso = time.iso8601
            let cropFiles = try facesDir.map { try FaceCrops.list(in: $0) }
            let firstCrop = cropFiles?.map(\.modified).min()
            let crops = facesDir.map { folder -> Output.Crops in
                .init(folder: folder, files: cropFiles?.count ?? 0, delegates: Set((cropFiles ?? []).map(\.delegateID)).count,
                      since: firstCrop.map(iso))
            }
            let output = Output(
                generated_at: iso(report.generatedAt), roster_size: report.rosterSize, templates: report.templates,
                delegates_with_templates: report.holders.count,
                holders: report.holders.map {
                    .init(delegate_id: $0.delegateID, name: $0.name, templates: $0.templates, since: iso($0.since), latest: iso($0.latest),
                          source_photos: $0.sourcePhotos)
                },
                sightings: report.sightings, sightings_since: report.sightingsSince.map(iso), face_crops: crops)
            if json { return try printJSON(output) }
            // For people: the site's clock, dd/MM/yyyy HH:mm.
            let since = { (date: Date?) in date.map { texts.format("cli.since", ["time": time.display($0)]) } ?? "" }
            print(texts.format("cli.privacy_title", ["database": store.databasePath, "time": time.display(report.generatedAt)]))
            print(texts.format("cli.privacy_templates", ["templates": "\(output.templates)", "delegates": "\(output.delegates_with_templates)",
                                                         "roster": "\(output.roster_size)"]))
            for h in report.holders {
                print(texts.format("cli.privacy_holder", ["id": h.delegateID, "name": h.name, "templates": "\(h.templates)",
                                                          "since": time.display(h.since), "photos": h.sourcePhotos.joined(separator: ", ")]))
            }
            print(texts.format("cli.privacy_sightings", ["count": "\(output.sightings)", "since": since(report.sightingsSince)]))
            if let crops {
                print(texts.format("cli.privacy_crops", ["folder": crops.folder, "files": "\(crops.files)", "delegates": "\(crops.delegates)",
                                                         "since": since(firstCrop)]))
            } else {
                print(texts["cli.privacy_no_crops"])
            }
        }
    }
}
