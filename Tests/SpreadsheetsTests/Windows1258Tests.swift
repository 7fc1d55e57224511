import Foundation
import Testing

@testable import Spreadsheets

struct Windows1258Tests {
    /// Vietnamese names as Excel on a Vietnamese Windows saves them: base letters (ê, ơ, ư, đ … precomposed where
    /// the code page has them), tone marks as the code page's combining bytes.
    @Test func vietnameseNamesDecodeToPrecomposedNFC() {
        // "Nguyễn": ê (0xEA) + combining tilde (0xDE)
        #expect(Windows1258.decode([0x4E, 0x67, 0x75, 0x79, 0xEA, 0xDE, 0x6E]) == "Nguy\u{1EC5}n")
        // "Trần Thị Ánh": â (0xE2) + grave (0xCC); i + dot below (0xF2); A + acute (0xEC)
        #expect(Windows1258.decode([0x54, 0x72, 0xE2, 0xCC, 0x6E, 0x20, 0x54, 0x68, 0x69, 0xF2, 0x20, 0x41, 0xEC, 0x6E, 0x68])
                == "Tr\u{1EA7}n Th\u{1ECB} \u{00C1}nh")
        // "Đoàn Hải Phòng": Đ (0xD0); a + grave; a + hook above (0xD2); o + grave
        let decoded = Windows1258.decode([0xD0, 0x6F, 0x61, 0xCC, 0x6E, 0x20, 0x48, 0x61, 0xD2, 0x69, 0x20, 0x50, 0x68, 0x6F, 0xCC, 0x6E, 0x67])
        #expect(decoded == "Đoàn Hải Phòng")
        #expect(Array(decoded!.utf8) == Array("\u{0110}o\u{00E0}n H\u{1EA3}i Ph\u{00F2}ng".utf8))
        // "Phạm Ngọc Thơ Ưng": a + dot below; o + dot below; ơ (0xF5); Ư (0xDD)
        #expect(Windows1258.decode([0x50, 0x68, 0x61, 0xF2, 0x6D, 0x20, 0x4E, 0x67, 0x6F, 0xF2, 0x63, 0x20, 0x54, 0x68, 0xF5, 0x20, 0xDD, 0x6E, 0x67])
                == "Ph\u{1EA1}m Ng\u{1ECD}c Th\u{01A1} \u{01AF}ng")
    }

    @Test func undefinedBytesAreRefused() {
        #expect(Windows1258.decode([0x41, 0x81]) == nil)
        #expect(Windows1258.firstUndefinedByte(in: [0x41, 0x42, 0x8D]) == 2)
    }

    /// The whole table against Python's cp1258 codec (an independent implementation of Microsoft's mapping).
    @Test func tableMatchesPythonsCodec() throws {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", """
            import sys
            out = []
            for b in range(256):
                try: out.append('%04X' % ord(bytes([b]).decode('cp1258')))
                except UnicodeDecodeError: out.append('-')
            sys.stdout.write(' '.join(out))
            """]
        let pipe = Pipe()
        python.standardOutput = pipe
        try python.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        let expected = output.split(separator: " ").map { $0 == "-" ? nil : UInt32($0, radix: 16) }
        #expect(expected.count == 256)
        for byte in 0...255 {
            #expect(Windows1258.scalar(UInt8(byte))?.value == expected[byte], "byte \(byte)")
        }
    }
}
