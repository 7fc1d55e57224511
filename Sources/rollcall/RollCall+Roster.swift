import ArgumentParser
import Foundation
import RollCall
import RollCallStore
import Texts

extension RollCallCommand {
    struct Roster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the delegate roster.",
            subcommands: [Import.self]
        )
    }
}

extension RollCall.Roster.Encoding: ExpressibleByArgument {}

extension RollCallCommand.Roster {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import or update delegates from the secretariat's Excel workbook (.xlsx) or CSV.",
            discussion: """
                Columns, in Vietnamese or English (case and diacritics do not matter; other columns such as STT are \
                ignored): Mã đại biểu / id and Họ và tên / name (or Họ và tên đệm + Tên) are required; Đoàn / Đơn vị / \
                unit, Ghế / Chỗ ngồi / seat and Ảnh / photo are optional. A CSV may use ',' or ';' (Excel in a \
                Vietnamese locale) or tabs, and be UTF-8, UTF-16 or Windows-1258 (Excel's plain "CSV" on a Vietnamese \
                Windows, read when the file is not UTF-8). Photo paths are relative to the file; list several \
                separated by ';'. Every bad row is reported with its line (or sheet row), and if any row is bad \
                nothing is imported. Re-importing updates delegates by id.
                """
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Argument(help: "The roster: .xlsx, or CSV.")
        var file: String

        @Option(help: "Sheet of a workbook to read (default: the first).")
        var sheet: String?

        @Option(help: "Text encoding of a CSV: automatic (UTF-8, else Windows-1258), utf-8, windows-1258.")
        var encoding: RollCall.Roster.Encoding = .automatic

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let roster = try RollCall.Roster.load(path: file, encoding: encoding, sheet: sheet)
            let texts = language.texts
            if roster.decodedAsWindows1258 { printError(texts.format("cli.roster_decoded", ["file": file])) }
            if let sheet = roster.sheet, !json { printError(texts.format("cli.roster_sheet", ["file": file, "sheet": sheet])) }
            let summary = try store.openStore().importRoster(roster)
            if json {
                struct Output: Encodable {
                    var delegates: Int, inserted: Int, updated: Int, photos: Int, photos_by_delegate: [String: [String]]
                    var encoding: String, sheet: String?
                }
                try printJSON(Output(delegates: roster.entries.count, inserted: summary.inserted, updated: summary.updated,
                                     photos: summary.photos, photos_by_delegate: summary.photosByDelegate,
                                     encoding: roster.sheet != nil ? "xlsx" : roster.decodedAsWindows1258 ? "windows-1258" : "utf-8",
                                     sheet: roster.sheet))
            } else {
                print(texts.format("cli.roster_imported", ["inserted": "\(summary.inserted)", "updated": "\(summary.updated)",
                                                           "photos": "\(summary.photos)", "file": file], count: roster.entries.count))
            }
        }
    }
}
