import ArgumentParser
import FaceEngine
import Foundation
import RollCall
import RollCallStore

extension RollCallCommand {
    struct Delegates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, show and remove delegates; manage which model pack their templates belong to.",
            subcommands: [List.self, Show.self, Remove.self, AssignPack.self, EraseTemplates.self]
        )
    }
}

extension RollCallCommand.Delegates {
    /// A delegate as the CLI prints it in JSON.
    struct Item: Encodable {
        var id: String
        var name: String
        var unit: String?
        var seat: String?
        var roster_order: Int
        var templates: Int
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the delegates in roster order with their template counts.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let store = try store.openStore(mustExist: true)
            let texts = language.texts
            let counts = try store.templateCounts()
            let items = try store.delegates().map {
                Item(id: $0.id, name: $0.name, unit: $0.unit, seat: $0.seat, roster_order: $0.rosterOrder, templates: counts[$0.id] ?? 0)
            }
            if json { return try printJSON(items) }
            for item in items {
                print([item.id, item.name, item.unit ?? "-", item.seat ?? "-", texts.format("cli.templates", count: item.templates)]
                    .joined(separator: "\t"))
            }
            print(texts.format("cli.delegates_listed", ["without": "\(items.filter { $0.templates == 0 }.count)"], count: items.count))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one delegate and their templates (metadata only).")

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Argument(help: "The delegate id.")
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        struct Output: Encodable {
            var id: String, name: String, unit: String?, seat: String?, roster_order: Int
            var templates: [Template]
            struct Template: Encodable {
                var id: Int64, dimension: Int, quality: Double?, source_photo: String?, source_sha256: String?, created_at: String
                /// `null` for a template stored before packs were recorded.
                var pack: TemplatePack?
            }
        }

        func run() async throws {
            let details = try store.openSQLiteStore(mustExist: true, verb: "delegates show").delegateDetails(id: id)
            let d = details.delegate
            let time = language.presentation.time
            let output = Output(
                id: d.id, name: d.name, unit: d.unit, seat: d.seat, roster_order: d.rosterOrder,
                templates: details.templates.map {
                    .init(id: $0.id, dimension: $0.dimension, quality: $0.quality, source_photo: $0.sourcePhoto,
                          source_sha256: $0.sourceSHA256, created_at: time.iso8601($0.createdAt),
                          pack: $0.pack)
                })
            if json { return try printJSON(output) }
            print("id: \(d.id)\nname: \(d.name)\nunit: \(d.unit ?? "-")\nseat: \(d.seat ?? "-")\nroster order: \(d.rosterOrder + 1)")
            print("templates: \(output.templates.count)")
            for (t, info) in zip(output.templates, details.templates) {
                print("  #\(t.id) \(t.dimension)-d, pack \(t.pack.map { "\($0)" } ?? "unknown (stored before packs were recorded)"), "
                    + "quality \(t.quality.map { String(format: "%.2f", $0) } ?? "-"), from \(t.source_photo ?? "-"), \(time.display(info.createdAt))")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a delegate and erase their templates for good (attendance history stays in the audit trail)."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The delegate id.")
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let erased = try store.openSQLiteStore(mustExist: true, verb: "delegates remove").removeDelegate(id: id)
            if json {
                try printJSON(["removed": id, "templates_erased": "\(erased)"])
            } else {
                print("delegate \(id) removed, \(erased) templates erased")
            }
        }
    }

    struct AssignPack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "assign-pack",
            abstract: "Record which model pack made the templates stored before rollcall recorded packs.",
            discussion: """
                Such templates are refused by identify, watch, serve and enroll, because nothing says which pack made \
                them and both bundled packs make 128-d vectors. If you know they were enrolled with --pack NAME (sface \
                is the default), this records that, on your word: nothing can check it. Otherwise erase them \
                (rollcall delegates erase-templates) and enroll again.
                """
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var engineOptions: ModelOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            // The installed pack, as the engine would load it, so the digest is the one identify will compare.
            let pack = try engineOptions.store.load(packNamed: engineOptions.pack).pack
            guard let digest = pack.embedderDigest else {
                throw ValidationError("pack \(pack.name) holds data only; it makes no templates")
            }
            let templatePack = TemplatePack(name: pack.name, digest: digest)
            let assigned = try store.openSQLiteStore(mustExist: true, verb: "delegates assign-pack").assignPack(templatePack)
            if json {
                try printJSON(["pack": pack.name, "pack_digest": digest, "templates_assigned": "\(assigned)"])
            } else {
                print("\(assigned) template(s) without a pack recorded as made by pack \(templatePack)")
            }
        }
    }

    struct EraseTemplates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "erase-templates",
            abstract: "Erase every delegate's templates for good, keeping the roster (e.g. to enroll again with another pack)."
        )

        @OptionGroup var store: StoreOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let erased = try store.openSQLiteStore(mustExist: true, verb: "delegates erase-templates").eraseTemplates()
            if json {
                try printJSON(["templates_erased": "\(erased)"])
            } else {
                print("\(erased) template(s) erased; the roster is kept")
            }
        }
    }
}
