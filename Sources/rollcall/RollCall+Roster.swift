import ArgumentParser
import Foundation
import RollCall
import RollCallStore

extension RollCallCommand {
    struct Roster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the delegate roster.",
            subcommands: [Import.self]
        )
    }
}

extension RollCallCommand.Roster {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import or update delegates from a UTF-8 CSV (columns id, name; optional unit, seat, photo).",
            discussion: """
                Photo paths are relative to the CSV; list several separated by ';'. Every bad row is reported with its \
                line number, and if any row is bad nothing is imported. Re-importing updates delegates by id.
                """
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The roster CSV file.")
        var file: String

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let roster = try RollCall.Roster.load(path: file)
            let summary = try store.openStore().importRoster(roster)
            if json {
                struct Output: Encodable { var delegates: Int, inserted: Int, updated: Int, photos: Int, photos_by_delegate: [String: [String]] }
                try printJSON(Output(delegates: roster.entries.count, inserted: summary.inserted, updated: summary.updated,
                                     photos: summary.photos, photos_by_delegate: summary.photosByDelegate))
            } else {
                print("\(roster.entries.count) delegates imported/updated (\(summary.inserted) new, \(summary.updated) updated), "
                    + "\(summary.photos) photos listed (enroll them with `rollcall enroll --roster \(file)`)")
            }
        }
    }
}
