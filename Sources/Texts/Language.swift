import Foundation

/// A language RollCall speaks to people in: reports, the dashboard, the greeting screen and the CLI's messages.
///
/// Vietnamese is the default: the people who run the roll call (a congress secretariat) and the delegates at the door
/// read Vietnamese, and a site's servers often run with `LANG=C`, so taking the default from the locale would greet
/// them in English. English is one `--lang en` (or `ROLLCALL_LANG=en`, or `lang: en` in the serve configuration) away.
/// Machine outputs (JSON, SSE, CSV column names and status codes) do not change with the language.
public enum Language: String, Sendable, CaseIterable, Codable {
    case vi, en

    /// The language when none is chosen.
    public static let `default` = Language.vi

    /// `explicit` (an option's value), else `ROLLCALL_LANG`, else the default.
    ///
    /// - Throws: `TextsError` naming the value and the languages there are.
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Language {
        if let explicit { return try parse(explicit, origin: "--lang") }
        if let value = environment["ROLLCALL_LANG"], !value.isEmpty { return try parse(value, origin: "ROLLCALL_LANG") }
        return .default
    }

    /// `vi`, `en` (any case, and region forms such as `vi_VN.UTF-8` or `en-GB`).
    public static func parse(_ text: String, origin: String) throws -> Language {
        let code = text.lowercased().prefix { $0.isLetter }
        guard let language = Language(rawValue: String(code)) else {
            throw TextsError("\(origin): unknown language '\(text)'; use one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return language
    }

    // MARK: - The process's language

    private static let lock = NSLock()
    nonisolated(unsafe) private static var interfaceLanguage = Language.default

    /// The language this process speaks to its user in (the CLI sets it once from `--lang` / `ROLLCALL_LANG`, the
    /// daemon from its configuration). Error types render their `errorDescription` in it; documents take their
    /// language explicitly instead.
    public static var interface: Language {
        get { lock.withLock { interfaceLanguage } }
        set { lock.withLock { interfaceLanguage = newValue } }
    }
}

/// A language or time-zone setting that cannot be used.
public struct TextsError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
