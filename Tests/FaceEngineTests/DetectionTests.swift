import FaceEngine
import Testing

@Suite struct DetectionTests {
    @Test(arguments: TestAssets.onePersonPhotos)
    func onePersonPhotoHasOneFaceWithLandmarksInside(_ name: String) throws {
        let faces = try TestAssets.engine.detect(Image(contentsOf: TestAssets.photo(name)))
        #expect(faces.count == 1, "\(name): \(faces.count) faces")
        let face = try #require(faces.first)
        #expect(face.score > 0.6)
        #expect(face.landmarks.count == 5)
        for point in face.landmarks {
            #expect(face.box.contains(x: point.x, y: point.y), "\(name): landmark \(point) outside \(face.box)")
        }
        // Image order: the left eye in the picture comes first, the mouth lies below the eyes.
        #expect(face.landmarks[0].x < face.landmarks[1].x)
        #expect(face.landmarks[3].y > face.landmarks[0].y)
    }

    @Test func groupPhotoHasEveryFace() throws {
        // Two photos side by side make a picture with two faces.
        let a = try Image(contentsOf: TestAssets.photo("obama.jpg"))
        let b = try Image(contentsOf: TestAssets.photo("biden.jpg"))
        var composer = FrameComposer(width: 800, height: 400)
        try composer.paste(a, x: 0, y: 0, width: 320, height: 400)
        try composer.paste(b, x: 420, y: 0, width: 180, height: 400)
        let faces = try TestAssets.engine.detect(composer.image())
        #expect(faces.count == 2)
    }

    @Test func blankImageHasNoFace() throws {
        let blank = try FrameComposer(width: 320, height: 240).image()
        #expect(try TestAssets.engine.detect(blank).isEmpty)
    }

    @Test func sameFacesAtAnyImageSize() throws {
        // One net per input size: a size change must not corrupt the next detection (OpenCV 4.6 bug).
        let image = try Image(contentsOf: TestAssets.photo("obama.jpg"))
        let first = try TestAssets.engine.detect(image)
        _ = try TestAssets.engine.detect(image.resized(width: 300, height: 376))
        _ = try TestAssets.engine.detect(image.resized(width: 640, height: 480))
        let again = try TestAssets.engine.detect(image)
        #expect(first == again)
    }
}
