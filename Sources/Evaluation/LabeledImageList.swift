import Foundation

/// Lines `path<TAB>identity` (or `path,identity` on a line without a tab); identity `-` marks an image of someone not
/// enrolled (a non-mated probe). A first line whose path has no file extension is a header and skipped (e.g.
/// `path<TAB>identity`).
public struct LabeledImageList: Sendable {
    public struct Entry: Sendable, Equatable {
        public var path: String
        /// nil for `-`.
        public var identity: String?
        public init(path: String, identity: String?) {
            self.path = path
            self.identity = identity
        }
    }

    public var entries: [Entry]

    public static func parse(_ text: String, file: String, root: String) throws -> LabeledImageList {
        var entries: [Entry] = []
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let separator: Character = line.contains("\t") ? "\t" : ","
            let fields = line.split(separator: separator, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw PairList.FormatError(description: "\(file):\(n + 1): expected path<TAB>identity (or a comma)")
            }
            if n == 0 && !Self.hasFileExtension(fields[0]) { continue }  // a header
            let path = fields[0].hasPrefix("/") ? fields[0] : "\(root)/\(fields[0])"
            entries.append(Entry(path: path, identity: fields[1] == "-" ? nil : fields[1]))
        }
        guard !entries.isEmpty else { throw PairList.FormatError(description: "\(file): no lines") }
        return LabeledImageList(entries: entries)
    }

    /// Whether the last path component has an extension (`a/b.jpg`), as a file name would and a column title would
    /// not. Not `NSString.pathExtension`: on Linux (Swift 6.3.1 Foundation) it traps on a path with a double slash
    /// before one final non-ASCII letter, such as `ảnh//ấ` (found by fuzzing).
    static func hasFileExtension(_ path: String) -> Bool {
        guard let name = path.split(separator: "/").last, let dot = name.lastIndex(of: ".") else { return false }
        return dot != name.startIndex && name.index(after: dot) != name.endIndex
    }
}
