import ArgumentParser
import Foundation
import RollCall
import RollCallStore

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

        struct Output: Encodable {
            struct Holder: Encodable { var delegate_id: String, name: String, templates: Int, since: String, latest: String, source_photos: [String] }
            struct Crops: Encodable { var folder: String, files: Int, delegates: Int, since: String? }
            var generated_at: String, roster_size: Int, templates: Int, delegates_with_templates: Int
            var holders: [Holder]
            var sightings: Int, sightings_since: String?
            var face_crops: Crops?
        }

        func run() async throws {
            let report = try store.openStore(mustExist: true).privacyReport()
            let iso = { (date: Date) in AttendanceReport.iso8601(date, timeZone: .current) }
            let crops = try facesDir.map { folder -> Output.Crops in
                let files = try FaceCrops.list(in: folder)
                return .init(folder: folder, files: files.count, delegates: Set(files.map(\.delegateID)).count,
                             since: files.map(\.modified).min().map(iso))
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
            print("Biometric data in \(store.databasePath), \(output.generated_at):")
            print("  templates (sealed face embeddings): \(output.templates) of \(output.delegates_with_templates) delegate(s) "
                + "(roster: \(output.roster_size))")
            for h in output.holders {
                print("    \(h.delegate_id)\t\(h.name)\t\(h.templates) template(s)\tsince \(h.since)\tfrom \(h.source_photos.joined(separator: ", "))")
            }
            print("  recognitions logged at the gates (delegate id, distance, time; no image): \(output.sightings)"
                + (output.sightings_since.map { ", since \($0)" } ?? ""))
            if let crops {
                print("  face crops in \(crops.folder): \(crops.files) file(s) of \(crops.delegates) delegate(s)" + (crops.since.map { ", since \($0)" } ?? ""))
            } else {
                print("  face crops: not looked at (give --faces-dir with serve's faces_directory)")
            }
        }
    }
}
