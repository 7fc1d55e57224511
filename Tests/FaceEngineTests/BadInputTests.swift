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
