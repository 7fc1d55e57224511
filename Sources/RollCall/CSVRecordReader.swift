import Spreadsheets

/// A minimal RFC 4180 reader over raw bytes that knows on which physical line each record starts.
///
/// Hand-written rather than taken from the mirrored libraries because the roster import must name the line of every
/// bad row, including rows with an invalid UTF-8 byte: yaslab/CSV.swift 2.5.2 exposes no line numbers and stops at the
/// first undecodable byte as if the file had ended (setting only a position-less `error`), and swiftcsv/SwiftCSV 0.10.0
/// parses an already-decoded `String`, so one bad byte rejects the whole file without saying where. This reader
/// splits records on bytes first (quotes, commas and line breaks are ASCII, so UTF-8 never hides them) and decodes
/// each field afterwards, so a bad byte only spoils its own record.
///
/// - The delimiter is given: `,`, or `;` as Excel writes CSV in a Vietnamese (or any decimal-comma) locale, or tab.
/// - Fields are UTF-8, or Windows-1258 (Excel's "CSV" on a Vietnamese Windows), decoded to NFC.
/// - Quoted fields may contain delimiters, line breaks and doubled quotes (`""`).
/// - Line breaks are LF or CRLF (a lone CR is also accepted).
/// - A UTF-8 byte-order mark at the start is skipped (Excel writes one).
struct CSVRecordReader {
    /// How field bytes become text.
    enum Decoding: Sendable { case utf8, windows1258 }

    /// One record as read: its fields, or why its bytes could not be decoded.
    struct Record {
        /// 1-based physical line on which the record starts.
        var line: Int
        /// Decoded fields; empty when `problem` is set.
        var fields: [String]
        /// Why the record is unusable (bad bytes, unterminated quote), if it is.
        var problem: RosterError.Reason?
        /// Whether the record is an empty line (one empty field).
        var isBlank: Bool { problem == nil && fields.count == 1 && fields[0].isEmpty }
    }

    private static let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    /// Splits `bytes` into records.
    static func records(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), decoding: Decoding = .utf8) -> [Record] {
        let comma = delimiter
        var records: [Record] = []
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        var line = 1
        while i < bytes.count {
            let startLine = line
            var rawFields: [[UInt8]] = []
            var field: [UInt8] = []
            var inQuotes = false
            var unterminated = false
            var endOfRecord = false
            while i < bytes.count && !endOfRecord {
                let b = bytes[i]
                if inQuotes {
                    if b == quote {
                        if i + 1 < bytes.count && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        inQuotes = false
                    } else {
                        if b == lf || (b == cr && (i + 1 >= bytes.count || bytes[i + 1] != lf)) { line += 1 }
                        field.append(b)
                    }
                    i += 1
                } else if b == quote && field.isEmpty {
                    inQuotes = true
                    i += 1
                } else if b == comma {
                    rawFields.append(field); field = []
                    i += 1
                } else if b == lf || b == cr {
                    i += (b == cr && i + 1 < bytes.count && bytes[i + 1] == lf) ? 2 : 1
                    line += 1
                    endOfRecord = true
                } else {
                    field.append(b)
                    i += 1
                }
            }
            if inQuotes { unterminated = true }
            rawFields.append(field)
            if unterminated {
                records.append(Record(line: startLine, fields: [], problem: .unclosedQuote))
                break
            }
            var fields: [String] = []
            var problem: RosterError.Reason?
            for (column, raw) in rawFields.enumerated() {
                switch decoding {
                case .utf8:
                    if let text = String(validating: raw, as: UTF8.self) {
                        fields.append(text)
                    } else {
                        let offset = firstInvalidUTF8Offset(raw) ?? 0
                        problem = .badUTF8(byte: raw[offset], field: column + 1)
                    }
                case .windows1258:
                    if let text = Windows1258.decode(raw) {
                        fields.append(text)
                    } else {
                        problem = .undecodable(byte: raw[Windows1258.firstUndefinedByte(in: raw)!], encoding: "Windows-1258")
                    }
                }
                if problem != nil { fields = []; break }
            }
            records.append(Record(line: startLine, fields: fields, problem: problem))
        }
        return records
    }

    /// Offset of the first byte that does not start a valid UTF-8 sequence.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return i
            }
            if i + length > bytes.count { return i }
            if length > 1, String(validating: bytes[i..<(i + length)], as: UTF8.self) == nil { return i }
            i += length
        }
        return nil
    }
}
