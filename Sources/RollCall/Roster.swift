import Foundation

/// A roster read from a CSV file and checked row by row, ready to be applied to the store in one transaction.
///
/// The CSV is UTF-8 with a header row. Required columns: `id`, `name`; optional: `unit`, `seat`, `photo` (paths
/// relative to the CSV file, several separated by `;`). Column names are matched case-insensitively; other columns are
/// ignored. Every bad row is collected (not just the first), so the secretariat can fix the file in one pass.
public struct Roster: Sendable {
    /// One delegate from the file and the photos listed for enrollment.
    public struct Entry: Sendable, Equatable {
        /// The delegate, NFC, with `rosterOrder` = position among the file's rows.
        public var delegate: Delegate
        /// Absolute paths of the photos listed for this delegate, checked readable at parse time.
        public var photos: [String]
        /// 1-based line on which the row starts.
        public var line: Int

        public init(delegate: Delegate, photos: [String], line: Int) {
            self.delegate = delegate
            self.photos = photos
            self.line = line
        }
    }

    /// The file the roster was read from (as given).
    public let source: String
    /// The delegates in file order.
    public let entries: [Entry]

    /// A roster made in code (an evaluation's gallery); `entries` must have distinct ids.
    public init(source: String, entries: [Entry]) {
        self.source = source
        self.entries = entries
    }

    /// Photo paths per delegate id, for enrollment.
    public var photosByDelegate: [String: [String]] {
        Dictionary(entries.map { ($0.delegate.id, $0.photos) }, uniquingKeysWith: { first, _ in first })
    }

    /// Total number of photos listed.
    public var photoCount: Int { entries.reduce(0) { $0 + $1.photos.count } }

    /// Reads and checks the roster at `path`.
    ///
    /// - Parameters:
    ///   - path: The CSV file.
    ///   - isReadable: Tells whether a photo path can be read; by default asks the file system. Tests inject it.
    /// - Throws: `RosterError` naming the file, and every bad line with its reason.
    public static func load(path: String, isReadable: (String) -> Bool = Roster.fileIsReadable) throws -> Roster {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RosterError.unreadableFile(path)
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try parse(Array(data), source: path, baseDirectory: base.path, isReadable: isReadable)
    }

    /// Checks CSV bytes; photo paths are resolved against `baseDirectory`.
    public static func parse(
        _ bytes: [UInt8], source: String, baseDirectory: String, isReadable: (String) -> Bool = Roster.fileIsReadable
    ) throws -> Roster {
        var records = CSVRecordReader.records(bytes)[...]
        while let first = records.first, first.isBlank { records.removeFirst() }
        guard let header = records.popFirst() else { throw RosterError.empty(source) }
        if let problem = header.problem { throw RosterError.badHeader(source, line: header.line, reason: problem) }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ name: String) -> Int? { columns.firstIndex(of: name) }
        guard let idColumn = column("id") else { throw RosterError.badHeader(source, line: header.line, reason: "no 'id' column") }
        guard let nameColumn = column("name") else { throw RosterError.badHeader(source, line: header.line, reason: "no 'name' column") }
        let unitColumn = column("unit"), seatColumn = column("seat"), photoColumn = column("photo")

        var issues: [RosterError.Issue] = []
        var entries: [Entry] = []
        var firstLineOfID: [String: Int] = [:]
        for record in records where !record.isBlank {
            if let problem = record.problem { issues.append(.init(line: record.line, reason: problem)); continue }
            if record.fields.count > columns.count {
                issues.append(.init(line: record.line, reason: "\(record.fields.count) fields, but the header has \(columns.count)"))
                continue
            }
            func value(_ index: Int?) -> String? {
                guard let index, index < record.fields.count else { return nil }
                let text = record.fields[index].trimmingCharacters(in: .whitespaces).nfc
                return text.isEmpty ? nil : text
            }
            guard let id = value(idColumn) else { issues.append(.init(line: record.line, reason: "missing id")); continue }
            guard let name = value(nameColumn) else {
                issues.append(.init(line: record.line, reason: "delegate \(id): missing name")); continue
            }
            if let firstLine = firstLineOfID[id] {
                issues.append(.init(line: record.line, reason: "delegate id \(id) appears twice (first on line \(firstLine))"))
                continue
            }
            firstLineOfID[id] = record.line
            var photos: [String] = []
            var photoProblem = false
            for relative in (value(photoColumn) ?? "").split(separator: ";") {
                let trimmed = relative.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                let absolute = trimmed.hasPrefix("/")
                    ? trimmed : URL(fileURLWithPath: baseDirectory).appendingPathComponent(trimmed).standardized.path
                if isReadable(absolute) {
                    photos.append(absolute)
                } else {
                    issues.append(.init(line: record.line, reason: "delegate \(id): photo \(trimmed) is missing or unreadable"))
                    photoProblem = true
                }
            }
            if photoProblem { continue }
            let delegate = Delegate(id: id, name: name, unit: value(unitColumn), seat: value(seatColumn), rosterOrder: entries.count)
            entries.append(Entry(delegate: delegate, photos: photos, line: record.line))
        }
        if !issues.isEmpty { throw RosterError.badRows(source, issues: issues) }
        if entries.isEmpty { throw RosterError.empty(source) }
        return Roster(source: source, entries: entries)
    }

    /// Whether `path` names a readable regular file.
    public static func fileIsReadable(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isReadableFile(atPath: path)
    }
}
