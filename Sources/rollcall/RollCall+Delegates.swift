import ArgumentParser
import Foundation
import RollCall
import RollCallStore

extension RollCallCommand {
    struct Delegates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, show and remove delegates.",
            subcommands: [List.self, Show.self, Remove.self]
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

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let store = try store.openStore(mustExist: true)
            let counts = try store.templateCounts()
            let items = try store.delegates().map {
                Item(id: $0.id, name: $0.name, unit: $0.unit, seat: $0.seat, roster_order: $0.rosterOrder, templates: counts[$0.id] ?? 0)
            }
            if json { return try printJSON(items) }
            for item in items {
                print([item.id, item.name, item.unit ?? "-", item.seat ?? "-", "\(item.templates) templates"].joined(separator: "\t"))
            }
            print("\(items.count) delegates, \(items.filter { $0.templates == 0 }.count) without templates")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one delegate and their templates (metadata only).")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The delegate id.")
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        struct Output: Encodable {
            var id: String, name: String, unit: String?, seat: String?, roster_order: Int
            var templates: [Template]
            struct Template: Encodable {
                var id: Int64, dimension: Int, quality: Double?, source_photo: String?, source_sha256: String?, created_at: String
            }
        }

        func run() async throws {
            let details = try store.openStore(mustExist: true).delegateDetails(id: id)
            let d = details.delegate
            let output = Output(
                id: d.id, name: d.name, unit: d.unit, seat: d.seat, roster_order: d.rosterOrder,
                templates: details.templates.map {
                    .init(id: $0.id, dimension: $0.dimension, quality: $0.quality, source_photo: $0.sourcePhoto,
                          source_sha256: $0.sourceSHA256, created_at: AttendanceReport.iso8601($0.createdAt, timeZone: .current))
                })
            if json { return try printJSON(output) }
            print("id: \(d.id)\nname: \(d.name)\nunit: \(d.unit ?? "-")\nseat: \(d.seat ?? "-")\nroster order: \(d.rosterOrder + 1)")
            print("templates: \(output.templates.count)")
            for t in output.templates {
                print("  #\(t.id) \(t.dimension)-d, quality \(t.quality.map { String(format: "%.2f", $0) } ?? "-"), from \(t.source_photo ?? "-"), \(t.created_at)")
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
            let erased = try store.openStore(mustExist: true).removeDelegate(id: id)
            if json {
                try printJSON(["removed": id, "templates_erased": "\(erased)"])
            } else {
                print("delegate \(id) removed, \(erased) templates erased")
            }
        }
    }
}
