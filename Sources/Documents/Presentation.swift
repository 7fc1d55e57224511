import Foundation
import Texts

/// How a document speaks to its reader: in which language, with which clock.
public struct Presentation: Sendable {
    public var language: Language
    public var time: SiteTime

    public init(language: Language = .default, time: SiteTime = .vietnam) {
        self.language = language
        self.time = time
    }

    /// The catalogue of `language`.
    public var texts: Texts { .of(language) }
}
