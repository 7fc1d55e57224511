import Foundation
import Texts

/// Which roster column is which, from the headers a secretariat writes in Vietnamese or English.
///
/// The accepted headers are the `roster.columns.*` lists of every language's catalogue (`Mã đại biểu`, `Họ và tên`,
/// `Đoàn`, `Ghế`, `Ảnh` … next to `id`, `name`, `unit`, `seat`, `photo`). Headers are compared folded: case,
/// diacritics, `đ`/`d`, punctuation and spacing do not matter (`HO VA TEN`, `Ho va ten`, `Họ và tên:` are one
/// header), because Excel files typed by different people differ in exactly these. Other columns (`STT`, notes) are
/// ignored. A name may also come split in two columns, as Vietnamese lists often keep it: `Họ và tên đệm` + `Tên`.
public enum RosterColumn {
    /// What a column holds.
    public enum Role: String, Sendable, CaseIterable {
        case id, name, surname, givenName = "given_name", unit, seat, photo
    }

    /// Every header accepted for `role`, the current language's first.
    public static func headers(for role: Role, first language: Language = .interface) -> [String] {
        let key = "roster.columns.\(role.rawValue)"
        let ordered = [language] + Language.allCases.filter { $0 != language }
        var seen = Set<String>()
        return ordered.flatMap { Texts.of($0).list(key) }.filter { seen.insert(fold($0)).inserted }
    }

    /// The header RollCall writes for `role` in `language` (the catalogue's first).
    public static func header(for role: Role, in language: Language) -> String {
        Texts.of(language).list("roster.columns.\(role.rawValue)").first ?? role.rawValue
    }

    private static let rolesByFoldedHeader: [String: Role] = {
        var map: [String: Role] = [:]
        for role in Role.allCases {
            for language in Language.allCases {
                for header in Texts.of(language).list("roster.columns.\(role.rawValue)") { map[fold(header)] = map[fold(header)] ?? role }
            }
        }
        return map
    }()

    /// The role of a header, `nil` for a column RollCall does not read.
    public static func role(of header: String) -> Role? { rolesByFoldedHeader[fold(header)] }

    /// `Họ và tên:` → `ho va ten`: lower case, no diacritics, `đ` as `d`, words separated by one space.
    public static func fold(_ text: String) -> String {
        let stripped = text.lowercased().replacingOccurrences(of: "đ", with: "d")
            .decomposedStringWithCanonicalMapping.unicodeScalars.filter { !(0x0300...0x036F).contains($0.value) }
        var words: [String] = []
        var word = ""
        for scalar in stripped {
            if CharacterSet.alphanumerics.contains(scalar) {
                word.unicodeScalars.append(scalar)
            } else if !word.isEmpty {
                words.append(word); word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.joined(separator: " ")
    }

    /// Where each role is in a header row.
    public struct Layout: Sendable, Equatable {
        public var id: Int
        /// The full name's column, or the two columns (surname with middle names, given name) to join.
        public var name: Name
        public var unit: Int?
        public var seat: Int?
        public var photo: Int?
        /// Columns in the header.
        public var count: Int

        public enum Name: Sendable, Equatable {
            case single(Int)
            case split(surname: Int, givenName: Int)
        }
    }

    /// Maps a header row.
    ///
    /// - Throws: `RosterError.HeaderProblem` naming a missing or doubled column.
    public static func layout(of header: [String]) throws(RosterError.HeaderProblem) -> Layout {
        var columns: [Role: [Int]] = [:]
        for (index, text) in header.enumerated() {
            if let role = role(of: text) { columns[role, default: []].append(index) }
        }
        let found = header.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        func one(_ role: Role) throws(RosterError.HeaderProblem) -> Int? {
            guard let indexes = columns[role] else { return nil }
            guard indexes.count == 1 else {
                throw .ambiguousColumn(role: role, columns: indexes.map { header[$0].trimmingCharacters(in: .whitespaces) })
            }
            return indexes[0]
        }
        guard let id = try one(.id) else { throw .missingColumn(role: .id, found: found) }
        let name: Layout.Name
        if let full = try one(.name) {
            name = .single(full)
        } else if let surname = try one(.surname), let given = try one(.givenName) {
            name = .split(surname: surname, givenName: given)
        } else if let given = try one(.givenName), columns[.surname] == nil {
            name = .single(given)   // a lone "Tên" column holds the whole name
        } else {
            throw .missingColumn(role: .name, found: found)
        }
        return Layout(id: id, name: name, unit: try one(.unit), seat: try one(.seat), photo: try one(.photo), count: header.count)
    }
}
