import CRollCallShim

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

/// One picture to lay onto a background (`Image.composed(onto:layers:)`).
public struct ImageLayer: Sendable {
    public var image: Image
    /// Where the picture's centre lands, in background pixels.
    public var centerX: Float, centerY: Float
    /// Output pixels per picture pixel.
    public var scale: Float
    /// Clockwise turn, degrees.
    public var angleDegrees: Float = 0
    /// Fraction of the picture's half-size over which its rim (a rounded rectangle) fades into the background; 0 pastes
    /// the whole rectangle hard-edged.
    public var feather: Float = 0
    /// Pixel multiplier (lighting).
    public var brightness: Float = 1
    /// Gaussian blur, output pixels (focus, motion).
    public var blur: Float = 0

    public init(image: Image, centerX: Float, centerY: Float, scale: Float, angleDegrees: Float = 0, feather: Float = 0,
                brightness: Float = 1, blur: Float = 0) {
        self.image = image
        self.centerX = centerX
        self.centerY = centerY
        self.scale = scale
        self.angleDegrees = angleDegrees
        self.feather = feather
        self.brightness = brightness
        self.blur = blur
    }
}

extension Image {
    /// A copy of `background` with `layers` laid on it in order (in C++: one call per frame).
    public static func composed(onto background: Image, layers: [ImageLayer]) throws -> Image {
        var out: OpaquePointer?
        let raw = layers.map {
            rc_layer(image: $0.image.handle, center_x: $0.centerX, center_y: $0.centerY, scale: $0.scale,
                     angle_degrees: $0.angleDegrees, feather: $0.feather, brightness: $0.brightness, blur: $0.blur)
        }
        try withExtendedLifetime(layers) {
            try raw.withUnsafeBufferPointer { buffer in
                try shimCall { rc_image_compose(background.handle, buffer.baseAddress, Int32(buffer.count), &out, $0) }
            }
        }
        return Image(handle: out!)
    }

    /// This image after a JPEG encode and decode at `quality` (1...100), as a camera stream delivers it.
    public func jpegRoundTrip(quality: Int) throws -> Image {
        var out: OpaquePointer?
        try shimCall { rc_image_jpeg_roundtrip(handle, Int32(quality), &out, $0) }
        return Image(handle: out!)
    }
}

extension Image {
    /// The square region with top-left (`x`, `y`) and side `side`, scaled to `outSide` × `outSide`; black outside the
    /// image, or its edge pixels repeated when `replicateEdges`.
    public func region(x: Float, y: Float, side: Float, outSide: Int, replicateEdges: Bool = false) throws -> Image {
        var out: OpaquePointer?
        try shimCall { rc_image_region(handle, x, y, side, Int32(outSide), replicateEdges ? 1 : 0, &out, $0) }
        return Image(handle: out!)
    }
}
