import Foundation

/// A list of image pairs to verify, read from LFW's `pairs.txt` format or a plain TSV.
public struct PairList: Sendable {
    public struct Entry: Sendable, Equatable {
        public var pathA: String
        public var pathB: String
        public var same: Bool
        public init(pathA: String, pathB: String, same: Bool) {
            self.pathA = pathA
            self.pathB = pathB
            self.same = same
        }
    }

    public var entries: [Entry]
    /// The number of folds the list's header declares (LFW's `10 300`: 10 folds of 300 same and 300 different
    /// pairs, in that order), when it declares one that fits the pairs; nil otherwise.
    public var declaredFolds: Int?

    public init(entries: [Entry], declaredFolds: Int? = nil) {
        self.entries = entries
        self.declaredFolds = declaredFolds
    }

    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    /// LFW format: a header line (`folds pairs-per-kind`, or a single count), then `name i j` (same person) or
    /// `name1 i name2 j` (different), tab or space separated; image path `root/name/name_000i.jpg`. A first line
    /// that is not one or two numbers is read as a pair (lists made elsewhere may have no header).
    public static func parseLFW(_ text: String, file: String, root: String) throws -> PairList {
        var entries: [Entry] = []
        var header: [Int] = []
        func path(_ name: String, _ index: String, line: Int) throws -> String {
            guard let i = Int(index), i >= 0 else {
                throw FormatError(description: "\(file):\(line): image number \(index) is not a number")
            }
            return "\(root)/\(name)/\(name)_\(String(format: "%04d", i)).jpg"
        }
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = n + 1
            let fields = raw.split(whereSeparator: { $0 == "\t" || $0 == " " || $0 == "\r" }).map(String.init)
            if fields.isEmpty { continue }
            if line == 1, (1...2).contains(fields.count), fields.allSatisfy({ Int($0) != nil }) {
                header = fields.compactMap { Int($0) }
                continue
            }
            switch fields.count {
            case 3: entries.append(Entry(pathA: try path(fields[0], fields[1], line: line),
                                         pathB: try path(fields[0], fields[2], line: line), same: true))
            case 4: entries.append(Entry(pathA: try path(fields[0], fields[1], line: line),
                                         pathB: try path(fields[2], fields[3], line: line), same: false))
            default: throw FormatError(description: "\(file):\(line): expected 3 fields (same person) or 4 (different), found \(fields.count)")
            }
        }
        guard !entries.isEmpty else { throw FormatError(description: "\(file): no pairs") }
        // `folds size`: honoured only when it accounts for every pair (folds × 2 × size). Both are bounded by the pair
        // count first: a header of two 11-digit numbers overflowed the product and trapped.
        let fits = header.count == 2 && (2...max(2, entries.count)).contains(header[0]) && (0...entries.count).contains(header[1])
        let folds = fits && header[0] * 2 * header[1] == entries.count ? header[0] : nil
        return PairList(entries: entries, declaredFolds: folds)
    }

    /// TSV: `pathA<TAB>pathB<TAB>label`, paths relative to `root`; lines without a tab may use commas (CSV).
    /// Labels: `1`/`0`, `true`/`false`, `same`/`different` (`diff`), `genuine`/`impostor`, any case. A first line
    /// whose label is none of these, or whose paths have no file extension, is a header and skipped (e.g.
    /// `image1,image2,label` or `image_a,image_b,same`).
    public static func parseTSV(_ text: String, file: String, root: String) throws -> PairList {
        var entries: [Entry] = []
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let separator: Character = line.contains("\t") ? "\t" : ","
            let fields = line.split(separator: separator, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw FormatError(description: "\(file):\(n + 1): expected pathA<TAB>pathB<TAB>1|0 (or commas), found \(fields.count) field(s)")
            }
            // A header: the first line, when its label is not a label or its "paths" have no file extension.
            if n == 0 && (sameLabel(fields[2]) == nil || !(fields[0].contains(".") || fields[1].contains("."))) {
                continue
            }
            guard let same = sameLabel(fields[2]) else {
                throw FormatError(description: "\(file):\(n + 1): label \"\(fields[2])\" is not 1/0, true/false, same/different or genuine/impostor")
            }
            func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : "\(root)/\(p)" }
            entries.append(Entry(pathA: resolve(fields[0]), pathB: resolve(fields[1]), same: same))
        }
        guard !entries.isEmpty else { throw FormatError(description: "\(file): no pairs") }
        return PairList(entries: entries)
    }

    /// Whether a pair label says "same person"; nil when it is not a label.
    static func sameLabel(_ label: String) -> Bool? {
        switch label.lowercased() {
        case "1", "true", "same", "genuine": true
        case "0", "false", "different", "diff", "impostor": false
        default: nil
        }
    }

    /// Every distinct image, in first-seen order.
    public var images: [String] {
        var seen = Set<String>()
        var out: [String] = []
        for e in entries {
            for p in [e.pathA, e.pathB] where seen.insert(p).inserted { out.append(p) }
        }
        return out
    }
}
