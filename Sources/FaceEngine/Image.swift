import CRollCallShim
import Foundation

/// A decoded 8-bit BGR image. Immutable once made, so it may be shared between threads.
public final class Image: @unchecked Sendable {
    /// Images whose header claims more pixels than this are refused before any pixel is allocated.
    public static let maxPixels: Int64 = 50_000_000

    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    deinit { rc_image_free(handle) }

    /// Decodes an image file (JPEG, PNG, BMP, WebP, …).
    public convenience init(contentsOf path: String, maxPixels: Int64 = Image.maxPixels) throws {
        var out: OpaquePointer?
        try shimCall { rc_image_decode_file(path, maxPixels, &out, $0) }
        self.init(handle: out!)
    }

    /// Decodes an encoded image held in memory.
    public convenience init(encoded data: Data, maxPixels: Int64 = Image.maxPixels) throws {
        var out: OpaquePointer?
        try data.withUnsafeBytes { raw in
            let base = raw.bindMemory(to: UInt8.self).baseAddress
            try shimCall { rc_image_decode_bytes(base, raw.count, maxPixels, &out, $0) }
        }
        self.init(handle: out!)
    }

    /// Copies packed BGR pixels.
    public convenience init(bgr: [UInt8], width: Int, height: Int) throws {
        var out: OpaquePointer?
        try bgr.withUnsafeBufferPointer { buffer in
            try shimCall { rc_image_from_bgr(buffer.baseAddress, Int32(width), Int32(height), Int32(width * 3), &out, $0) }
        }
        self.init(handle: out!)
    }

    public var width: Int { Int(rc_image_width(handle)) }
    public var height: Int { Int(rc_image_height(handle)) }

    /// The image as JPEG bytes, in memory (nothing is written anywhere).
    public func jpegData(quality: Int = 85) throws -> Data {
        var bytes: UnsafeMutablePointer<UInt8>?
        var length = 0
        try shimCall { rc_image_encode(handle, ".jpg", Int32(quality), &bytes, &length, $0) }
        defer { rc_bytes_free(bytes) }
        return Data(bytes: bytes!, count: length)
    }

    public func write(to path: String) throws {
        try shimCall { rc_image_write(handle, path, $0) }
    }

    public func resized(width: Int, height: Int) throws -> Image {
        var out: OpaquePointer?
        try shimCall { rc_image_resize(handle, Int32(width), Int32(height), &out, $0) }
        return Image(handle: out!)
    }

    /// This image scaled down (never up) to at most `maxWidth` pixels wide, keeping its aspect ratio.
    public func limited(toWidth maxWidth: Int) throws -> Image {
        guard width > maxWidth else { return self }
        let height = max(1, Int((Double(self.height) * Double(maxWidth) / Double(width)).rounded()))
        return try resized(width: maxWidth, height: height)
    }

    public func cropped(x: Int, y: Int, width: Int, height: Int) throws -> Image {
        var out: OpaquePointer?
        try shimCall { rc_image_crop(handle, Int32(x), Int32(y), Int32(width), Int32(height), &out, $0) }
        return Image(handle: out!)
    }

    public func mirrored() throws -> Image {
        var out: OpaquePointer?
        try shimCall { rc_image_flip(handle, &out, $0) }
        return Image(handle: out!)
    }

    /// A copy turned clockwise by `degrees` (90, 180 or 270).
    public func rotated(clockwise degrees: Int) throws -> Image {
        var out: OpaquePointer?
        try shimCall { rc_image_rotate(handle, Int32(degrees), &out, $0) }
        return Image(handle: out!)
    }

    /// Variance of the Laplacian over a region, with the region scaled to 112 px wide: higher is sharper.
    public func sharpness(in box: Face.Box) throws -> Double {
        var value = 0.0
        try shimCall { rc_image_sharpness(handle, box.x, box.y, box.width, box.height, &value, $0) }
        return value
    }

    /// The pixels, packed BGR, row by row.
    public func bgrBytes() -> [UInt8] {
        var stride: Int32 = 0
        guard let data = rc_image_data(handle, &stride) else { return [] }
        var bytes = [UInt8]()
        bytes.reserveCapacity(width * height * 3)
        for row in 0..<height {
            let start = data + row * Int(stride)
            bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: width * 3))
        }
        return bytes
    }
}
