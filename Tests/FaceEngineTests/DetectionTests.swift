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

    /// A face cropped to fill the whole picture is found by a second look on a padded copy; the live path
    /// (`detect(_:maxWidth:)`) does not take that second look, so an empty frame costs one detection, not two.
    @Test func tightCropNeedsThePaddedSecondLookWhichTheLivePathSkips() throws {
        let image = try Image(contentsOf: TestAssets.photo("biden.jpg"))
        let face = try #require(TestAssets.engine.detect(image).first)
        // The box shrunk by a fifth on each side (forehead and chin cut off), shown large: the face is the picture.
        let inset = face.box.width / 5
        let crop = try image.cropped(x: Int(face.box.x + inset), y: Int(face.box.y + inset),
                                     width: Int(face.box.width - 2 * inset), height: Int(face.box.height - 2 * inset))
            .resized(width: 320, height: 320)
        #expect(try TestAssets.engine.detect(crop).count == 1)
        #expect(try TestAssets.engine.detect(crop, maxWidth: 320).isEmpty)
    }
}
