import Foundation

/// Lines `path<TAB>identity`; identity `-` marks an image of someone not enrolled (a non-mated probe).
public struct LabeledImageList: Sendable {
    public struct Entry: Sendable, Equatable {
        public var path: String
        /// nil for `-`.
        public var identity: String?
    }

    public var entries: [Entry]

    public static func parse(_ text: String, file: String, root: String) throws -> LabeledImageList {
        var entries: [Entry] = []
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw PairList.FormatError(description: "\(file):\(n + 1): expected path<TAB>identity")
            }
            let path = fields[0].hasPrefix("/") ? fields[0] : "\(root)/\(fields[0])"
            entries.append(Entry(path: path, identity: fields[1] == "-" ? nil : fields[1]))
        }
        guard !entries.isEmpty else { throw PairList.FormatError(description: "\(file): no lines") }
        return LabeledImageList(entries: entries)
    }
}
