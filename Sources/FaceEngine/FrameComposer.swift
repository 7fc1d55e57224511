/// Builds synthetic frames by pasting pictures onto a plain background: the 4-face benchmark frame, and
/// the moving-faces test and demo videos. Real faces, synthetic arrangement.
public struct FrameComposer {
    public let width: Int, height: Int
    private var pixels: [UInt8]

    public init(width: Int, height: Int, grey: UInt8 = 96) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: grey, count: width * height * 3)
    }

    /// Pastes `image` scaled to `w`×`h` with its top-left corner at (x, y); parts outside the frame are cut off.
    public mutating func paste(_ image: Image, x: Int, y: Int, width w: Int, height h: Int) throws {
        guard w > 0, h > 0 else { return }
        let scaled = try image.resized(width: w, height: h)
        let source = scaled.bgrBytes()
        for row in 0..<h {
            let ty = y + row
            guard ty >= 0, ty < height else { continue }
            let x0 = max(0, x), x1 = min(width, x + w)
            guard x0 < x1 else { continue }
            let src = row * w * 3 + (x0 - x) * 3
            let dst = (ty * width + x0) * 3
            pixels.replaceSubrange(dst..<(dst + (x1 - x0) * 3), with: source[src..<(src + (x1 - x0) * 3)])
        }
    }

    public func image() throws -> Image { try Image(bgr: pixels, width: width, height: height) }
}

extension Image {
    /// A square crop around a face, `margin` times the face's larger side, clipped to the image.
    public func crop(around face: Face, margin: Float = 1.6) throws -> Image {
        let side = max(face.box.width, face.box.height) * margin
        let cx = face.box.x + face.box.width / 2, cy = face.box.y + face.box.height / 2
        return try cropped(x: Int(cx - side / 2), y: Int(cy - side / 2), width: Int(side), height: Int(side))
    }
}
