import FaceEngine
import Foundation
import Testing

/// Each bad input gets its documented error (code and a message naming the file), never a crash.
@Suite struct BadInputTests {
    func decodeError(_ bytes: [UInt8], name: String) throws -> FaceEngineError {
        let dir = try TestAssets.temporaryDirectory()
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try Image(contentsOf: path)
        } catch let error as FaceEngineError {
            #expect(error.description.contains(path), "message names the file: \(error)")
            return error
        }
        Issue.record("\(name) decoded without error")
        return FaceEngineError(.unknown, "")
    }

    @Test func zeroByteFile() throws {
        let error = try decodeError([], name: "empty.jpg")
        #expect(error.code == .decode)
        #expect(error.description.contains("empty file"))
    }

    @Test func truncatedJPEG() throws {
        let full = try Data(contentsOf: URL(fileURLWithPath: TestAssets.photo("obama.jpg")))
        let error = try decodeError(Array(full.prefix(full.count / 2)), name: "truncated.jpg")
        #expect(error.code == .decode)
        #expect(error.description.contains("truncated JPEG"))
    }

    @Test func textFileNamedJPEG() throws {
        let error = try decodeError(Array("id,name\nD1,Nguyễn Văn An\n".utf8), name: "roster.jpg")
        #expect(error.code == .decode)
        #expect(error.description.contains("not an image"))
    }

    @Test func pngHeaderClaimingHugeSize() throws {
        // A valid PNG signature and IHDR saying 60000 x 60000: refused from the header, nothing allocated.
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        bytes += Array("IHDR".utf8)
        bytes += [0x00, 0x00, 0xEA, 0x60, 0x00, 0x00, 0xEA, 0x60, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        let error = try decodeError(bytes, name: "huge.png")
        #expect(error.code == .tooLarge)
        #expect(error.description.contains("60000x60000"))
    }

    /// Fuzzing finding (benchmarks/fuzz/regressions/image_decode/png-dimension-overflow.png): the budget check
    /// multiplied two 32-bit header sizes in int64, which overflows (undefined behaviour; UBSan stopped the fuzzer).
    @Test func pngHeaderWhoseSizeOverflows() throws {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        bytes += Array("IHDR".utf8)
        bytes += [0xD8, 0xD8, 0xD8, 0xD8, 0xD8, 0xD8, 0xD8, 0xD8, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        let error = try decodeError(bytes, name: "overflow.png")
        #expect(error.code == .tooLarge)
        #expect(error.description.contains("3638089944x3638089944"))
    }

    /// Formats whose header the shim does not read are refused before OpenCV sees them: a 32-byte Sun raster header
    /// claiming 30000×30000 made it allocate 2.7 GB (benchmarks/fuzz/regressions/image_decode/), and some of its
    /// decoders copy the bytes to /tmp. Accepted: JPEG, PNG, BMP, WebP.
    @Test func otherFormatsAreRefusedBeforeDecoding() throws {
        var sunRaster: [UInt8] = []
        for word: UInt32 in [0x59A6_6A95, 30000, 30000, 24, 0, 1, 0, 0] { sunRaster += withUnsafeBytes(of: word.bigEndian) { Array($0) } }
        let cases: [(String, [UInt8])] = [
            ("big.sr", sunRaster),
            ("big.hdr", Array("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 30000 +X 30000\n".utf8)),
            ("big.pfm", Array("PF\n30000 30000\n-1.0\n".utf8)),
            ("small.ppm", Array("P6\n2 1\n255\n".utf8) + [1, 2, 3, 4, 5, 6]),
        ]
        for (name, bytes) in cases {
            let error = try decodeError(bytes, name: name)
            #expect(error.code == .decode, "\(name)")
            #expect(error.description.contains("not an image in a format RollCall reads (JPEG, PNG, BMP or WebP)"), "\(error)")
        }
        // A real photo still decodes, and an OS/2 BMP header's 16-bit sizes are read for the budget.
        #expect(try Image(contentsOf: TestAssets.photo("obama.jpg")).width > 0)
        var os2: [UInt8] = Array("BM".utf8) + [UInt8](repeating: 0, count: 12) + [12, 0, 0, 0]
        os2 += [0x60, 0xEA, 0x60, 0xEA] + [1, 0, 24, 0] + [UInt8](repeating: 0, count: 8)
        let os2Error = try decodeError(os2, name: "os2.bmp")
        #expect(os2Error.code == .tooLarge && os2Error.description.contains("60000x60000"), "\(os2Error)")
    }

    @Test func sameChecksForBytesInMemory() throws {
        #expect(throws: FaceEngineError.self) { try Image(encoded: Data()) }
        #expect(throws: FaceEngineError.self) { try Image(encoded: Data("not an image".utf8)) }
    }

    @Test func missingFile() throws {
        let path = "/nonexistent/folder/photo.jpg"
        let error = #expect(throws: FaceEngineError.self) { try Image(contentsOf: path) }
        #expect(error?.code == .io)
        #expect(error?.description.contains(path) == true)
    }

    @Test func imageWithoutFaceIsAnErrorNamingTheFile() throws {
        let dir = try TestAssets.temporaryDirectory()
        let path = dir.appendingPathComponent("wall.png").path
        try FrameComposer(width: 400, height: 300).image().write(to: path)
        let error = #expect(throws: FaceEngineError.self) { try TestAssets.engine.oneFace(inFile: path) }
        #expect(error?.code == .noFace)
        #expect(error?.description == "\(path): no face found")
    }
}
