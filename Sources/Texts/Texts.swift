import Foundation

/// The catalogue of one language: every text a person reads, looked up by key.
///
/// The texts live in `Resources/<language>.json`, one file per language with the same keys, nested by topic
/// (`status.present`, `report.title`, …). A value is one of:
/// - a string, with `{name}` placeholders filled by `format(_:_:)`;
/// - `{"one": …, "other": …}`: chosen by the `count` argument (Vietnamese has no plural and gives a string);
/// - a list of strings: alternatives, such as the column headers a roster may use (the first is the one RollCall
///   writes).
///
/// A key missing from the catalogue renders as `⟦key⟧`, so a forgotten text shows on the page and in tests instead
/// of vanishing.
public struct Texts: Sendable {
    /// One catalogue entry.
    public enum Entry: Sendable, Equatable {
        case text(String)
        case plural(one: String, other: String)
        case list([String])
    }

    public let language: Language
    /// Entries by dotted key.
    public let entries: [String: Entry]

    /// The catalogue of `language`, read once from the bundled resources.
    public static func of(_ language: Language) -> Texts {
        switch language {
        case .vi: vietnamese
        case .en: english
        }
    }

    /// The catalogue of the process's interface language (`Language.interface`).
    public static var interface: Texts { of(.interface) }

    private static let vietnamese = load(.vi)
    private static let english = load(.en)

    private static func load(_ language: Language) -> Texts {
        guard let url = Bundle.module.url(forResource: language.rawValue, withExtension: "json"),
              let data = try? Data(contentsOf: url) else {
            fatalError("the \(language.rawValue) text catalogue is missing from RollCall's resources")
        }
        do {
            return Texts(language: language, entries: try parse(data))
        } catch {
            fatalError("the \(language.rawValue) text catalogue is not valid: \(error)")
        }
    }

    /// Flattens a catalogue file into dotted keys.
    static func parse(_ data: Data) throws -> [String: Entry] {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TextsError("the catalogue's top level is not an object")
        }
        var entries: [String: Entry] = [:]
        func walk(_ object: [String: Any], prefix: String) throws {
            for (key, value) in object {
                let path = prefix.isEmpty ? key : prefix + "." + key
                switch value {
                case let text as String:
                    entries[path] = .text(text)
                case let list as [String]:
                    entries[path] = .list(list)
                case let nested as [String: Any] where Set(nested.keys) == ["one", "other"]:
                    guard let one = nested["one"] as? String, let other = nested["other"] as? String else {
                        throw TextsError("\(path): plural forms must be strings")
                    }
                    entries[path] = .plural(one: one, other: other)
                case let nested as [String: Any]:
                    try walk(nested, prefix: path)
                default:
                    throw TextsError("\(path): a value must be a string, a list of strings, or {one, other}")
                }
            }
        }
        try walk(root, prefix: "")
        return entries
    }

    /// The text at `key` without placeholders filled (a list gives its first item).
    public subscript(_ key: String) -> String {
        switch entries[key] {
        case .text(let text): text
        case .plural(_, let other): other
        case .list(let items): items.first ?? ""
        case nil: "⟦\(key)⟧"
        }
    }

    /// The alternatives at `key` (a single text is a list of one).
    public func list(_ key: String) -> [String] {
        switch entries[key] {
        case .list(let items): items
        case .text(let text): [text]
        case .plural(let one, let other): [one, other]
        case nil: []
        }
    }

    /// The text at `key` with `{name}` placeholders replaced by `arguments`; with `count`, the plural form for it and
    /// `{count}` set to it.
    public func format(_ key: String, _ arguments: [String: String] = [:], count: Int? = nil) -> String {
        var text: String
        switch entries[key] {
        case .plural(let one, let other): text = count == 1 ? one : other
        case nil: return "⟦\(key)⟧"
        default: text = self[key]
        }
        var values = arguments
        if let count { values["count"] = String(count) }
        for (name, value) in values {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }

    /// Every plain text whose key starts with `prefix.`, as nested dictionaries (for templates: `{{t.status.present}}`).
    public func tree(_ prefix: String? = nil) -> [String: Any] {
        var root: [String: Any] = [:]
        for (key, entry) in entries {
            guard case .text(let text) = entry else { continue }
            var parts = key.split(separator: ".").map(String.init)
            if let prefix {
                guard key.hasPrefix(prefix + ".") else { continue }
                parts.removeFirst(prefix.split(separator: ".").count)
            }
            Self.insert(text, at: parts[...], into: &root)
        }
        return root
    }

    private static func insert(_ text: String, at path: ArraySlice<String>, into node: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 { node[head] = text; return }
        var child = node[head] as? [String: Any] ?? [:]
        insert(text, at: path.dropFirst(), into: &child)
        node[head] = child
    }

    /// The placeholder names a text uses, for the catalogue checks.
    public static func placeholders(in text: String) -> Set<String> {
        var names = Set<String>()
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = after[..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { names.insert(String(name)) }
            rest = after[after.index(after: close)...]
        }
        return names
    }
}
