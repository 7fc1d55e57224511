import ArgumentParser
import Foundation
import RollCall
import RollCallStore
import Texts

extension RollCallCommand {
    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase biometric data when its purpose has ended (after the congress).",
            subcommands: [Templates.self]
        )
    }
}

extension RollCallCommand.Purge {
    struct Templates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase templates (and the daemon's face crops) for good; attendance and the audit chain are kept.",
            discussion: """
                Deletes the templates (all, or those enrolled before --before) with SQLite's secure_delete, checkpoints \
                the WAL and rebuilds the file (VACUUM), so the sealed bytes are not left in the database file. With \
                --faces-dir, the face crops `serve` kept there (faces_directory) are overwritten and removed too. The \
                purge is recorded in the audit chain. The roster, attendance, sightings and manual events stay.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Only templates enrolled (and crops written) before this date: 2026-05-03 (midnight on the site's clock) or ISO 8601.")
        var before: DateArgument?

        @Option(help: "Also erase the face crops in this folder (serve's faces_directory).")
        var facesDir: String?

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var language: LanguageOptions

        func run() async throws {
            let database = try store.openSQLiteStore(mustExist: true, verb: "purge templates")
            let before = before?.date(in: language.presentation.time)
            var note: String?
            var crops = 0
            if let facesDir {
                crops = try FaceCrops.erase(in: facesDir, before: before)
                // The chain's record, in one language whatever the operator reads (like every audit detail).
                note = "\(crops) face crop(s) erased from \(facesDir)"
            }
            let summary = try database.purgeTemplates(before: before, actor: store.actor, note: note)
            if json {
                struct Output: Encodable { var templates_erased: Int, delegates: Int, face_crops_erased: Int, bytes_reclaimed: Int64 }
                return try printJSON(Output(templates_erased: summary.templates, delegates: summary.delegates, face_crops_erased: crops,
                                            bytes_reclaimed: summary.bytesReclaimed))
            }
            let texts = language.texts
            print(texts.format("cli.purged", [
                "templates": "\(summary.templates)", "delegates": "\(summary.delegates)", "bytes": "\(summary.bytesReclaimed)",
                "crops": facesDir.map { texts.format("cli.purged_crops", ["count": "\(crops)", "folder": $0]) } ?? "",
            ]))
        }
    }
}

/// The face crops `serve` keeps when `faces_directory` is set: `session<ID>-<gate>-track<N>-<delegate>.jpg`.
enum FaceCrops {
    /// The crop files in `folder` (modified before `before`, when given), with their delegate ids and times.
    static func list(in folder: String, before: Date? = nil) throws -> [(path: String, delegateID: String, modified: Date)] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw ValidationError("cannot read the face crops folder \(folder): \(error.localizedDescription)")
        }
        return names.sorted().compactMap { name in
            guard name.hasPrefix("session"), name.hasSuffix(".jpg"), let track = name.range(of: "-track") else { return nil }
            let rest = name[track.upperBound...].dropLast(4)
            guard let dash = rest.firstIndex(of: "-") else { return nil }
            let path = (folder as NSString).appendingPathComponent(name)
            let modified = ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
            if let before, modified >= before { return nil }
            return (path, String(rest[rest.index(after: dash)...]), modified)
        }
    }

    /// Overwrites and removes the crops; returns how many.
    static func erase(in folder: String, before: Date?) throws -> Int {
        let crops = try list(in: folder, before: before)
        for crop in crops { try SecretFile.destroy(crop.path, what: "face crop") }
        return crops.count
    }
}
