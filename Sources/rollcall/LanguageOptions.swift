import ArgumentParser
import Documents
import Foundation
import Texts

/// The language and clock a verb speaks to people with: its messages, and the documents it writes.
///
/// `--lang` wins over `ROLLCALL_LANG`, whose default is Vietnamese (see `Language`); `--time-zone` over
/// `ROLLCALL_TIME_ZONE`, default Asia/Ho_Chi_Minh. Machine outputs (JSON, CSV columns and codes) do not change.
struct LanguageOptions: ParsableArguments {
    @Option(name: .customLong("lang"), help: "Language of messages and documents: vi (default) or en (env ROLLCALL_LANG).")
    var language: String?

    @Option(help: "The site's time zone for the times people read, an IANA name (env ROLLCALL_TIME_ZONE; default Asia/Ho_Chi_Minh).")
    var timeZone: String?

    func validate() throws {
        do {
            Language.interface = try Language.resolve(language)
            _ = try SiteTime.resolve(timeZone)
        } catch let error as TextsError {
            throw ValidationError(error.description)
        }
    }

    /// The catalogue of the chosen language.
    var texts: Texts { .interface }

    /// The chosen language and clock (checked in `validate`).
    var presentation: Presentation {
        Presentation(language: .interface, time: (try? SiteTime.resolve(timeZone)) ?? .vietnam)
    }
}
