import Foundation

/// Windows-1258, the code page Excel on a Vietnamese Windows writes "CSV (Comma delimited)" files in.
///
/// Vietnamese in Windows-1258 is half precomposed, half combining: the letters with a breve, circumflex or horn
/// (ă â ê ô ơ ư đ) have their own bytes, the five tone marks are combining characters that follow them (0xCC grave,
/// 0xEC acute, 0xD2 hook above, 0xDE tilde, 0xF2 dot below). "Nguyễn" is `N g u y 0xEA 0xDE n`: ê, then a combining
/// tilde. `decode` maps the bytes and composes the result to NFC (`Nguyễn` with U+1EC5), so a name read from such a
/// file is the same string as the one typed in a UTF-8 file.
///
/// The table is Microsoft's (unicode.org `VENDORS/MICSFT/WINDOWS/CP1258.TXT`, the one Python's `cp1258` codec
/// uses) — written out here because neither Foundation on Linux (whose `String.Encoding` stops at Windows-1254) nor a
/// mirrored package decodes this code page.
public enum Windows1258 {
    /// Code points of 0x80...0xFF; `nil` for the five bytes the code page leaves undefined.
    private static let upperHalf: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, nil, 0x2039, 0x0152, nil, nil, nil,
        nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, nil, 0x203A, 0x0153, nil, nil, 0x0178,
        0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7,
        0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
        0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7,
        0x00B8, 0x00B9, 0x00BA, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF,
        0x00C0, 0x00C1, 0x00C2, 0x0102, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
        0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x0300, 0x00CD, 0x00CE, 0x00CF,
        0x0110, 0x00D1, 0x0309, 0x00D3, 0x00D4, 0x01A0, 0x00D6, 0x00D7,
        0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x01AF, 0x0303, 0x00DF,
        0x00E0, 0x00E1, 0x00E2, 0x0103, 0x00E4, 0x00E5, 0x00E6, 0x00E7,
        0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x0301, 0x00ED, 0x00EE, 0x00EF,
        0x0111, 0x00F1, 0x0323, 0x00F3, 0x00F4, 0x01A1, 0x00F6, 0x00F7,
        0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x01B0, 0x20AB, 0x00FF,
    ]

    /// The Unicode scalar of one byte, `nil` if the code page leaves it undefined.
    public static func scalar(_ byte: UInt8) -> Unicode.Scalar? {
        if byte < 0x80 { return Unicode.Scalar(byte) }
        return upperHalf[Int(byte - 0x80)].flatMap(Unicode.Scalar.init)
    }

    /// The first byte the code page leaves undefined, if any.
    public static func firstUndefinedByte<C: Collection>(in bytes: C) -> C.Index? where C.Element == UInt8 {
        bytes.firstIndex { scalar($0) == nil }
    }

    /// The text `bytes` hold, in NFC; `nil` if a byte is undefined in the code page.
    public static func decode<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            guard let scalar = scalar(byte) else { return nil }
            scalars.append(scalar)
        }
        return String(scalars).precomposedStringWithCanonicalMapping
    }
}
