import Foundation
import Mustache

/// The Mustache templates of the documents (`Resources/templates/*.mustache`), loaded once.
///
/// Templates hold the HTML and its print CSS; texts come from the catalogue (`{{t.…}}`) and values from the
/// context, both HTML-escaped by Mustache (`{{…}}`), so a name such as `<script>` prints as text.
public enum Templates {
    /// The templates in `directory` of `bundle`'s resources, keyed by file name without extension.
    public static func library(in bundle: Bundle, directory: String = "templates") -> MustacheLibrary {
        guard let url = bundle.url(forResource: directory, withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else {
            fatalError("the \(directory) folder is missing from \(bundle.bundlePath)")
        }
        var library = MustacheLibrary()
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let path = url.appendingPathComponent(name)
            do {
                let text = try String(contentsOf: path, encoding: .utf8)
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } catch {
                fatalError("template \(path.path) does not parse: \(error)")
            }
        }
        return library
    }

    /// The documents' own templates.
    public static let documents = library(in: .module)

    /// Renders `name` with `context`.
    public static func render(_ name: String, _ context: [String: Any], library: MustacheLibrary = documents) -> String {
        guard let html = library.render(context, withTemplate: name) else { fatalError("no template named \(name)") }
        return html
    }

    /// Text for a CSS `content: "…"` string (the page counter's words), quotes and backslashes escaped.
    public static func cssString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "<", with: "\\3C ") + "\""
    }
}
