import CRollCallShim
import Foundation

/// Frames from a camera, a device, a network stream, a video file or a folder of images, one at a time.
///
/// Not thread-safe: one reader owns a source. `read()` blocks until the next frame (a camera or stream delivers
/// at its own pace) and returns `nil` at the end.
public final class VideoSource: @unchecked Sendable {
    /// What a source string names.
    public enum Kind: String, Sendable, Equatable {
        /// A camera index such as `0`.
        case camera
        /// A device path such as `/dev/video0`.
        case device
        /// An `rtsp://`, `http://` (MJPEG) or other URL.
        case stream
        /// A video file.
        case file
        /// A folder of images, read in file-name order.
        case imageFolder

        /// Whether frames arrive at the source's own pace (and so may pile up if we fall behind).
        public var isLive: Bool { self == .camera || self == .device || self == .stream }
    }

    /// Image file extensions a folder source reads.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff"]

    /// The source string as given.
    public let source: String
    /// What it names.
    public let kind: Kind
    /// Frames per second the source declares, `nil` when unknown (image folders, most cameras).
    public let fps: Double?
    /// Number of frames, `nil` when unknown (live sources).
    public let frameCount: Int?
    /// Degrees every frame is turned clockwise after reading (a camera mounted on its side), 0 for none. Video files
    /// that record their own rotation (phones) are turned upright by the shim before this.
    public let rotation: Int

    private var capture: OpaquePointer?
    private var files: [String] = []
    private var nextFile = 0

    /// Opens a source.
    ///
    /// - Parameter rotation: degrees to turn every frame clockwise: 0, 90, 180 or 270.
    /// - Throws: `FaceEngineError` (`.io`) naming the source when it cannot be opened, (`.invalidArgument`) for
    ///   another rotation.
    public init(_ source: String, rotation: Int = 0) throws {
        guard Self.rotations.contains(rotation) else {
            throw FaceEngineError(.invalidArgument, "\(source): rotation must be 0, 90, 180 or 270 degrees, not \(rotation)")
        }
        let kind = Self.kind(of: source)
        self.source = source
        self.kind = kind
        self.rotation = rotation
        if kind == .imageFolder {
            let names = try FileManager.default.contentsOfDirectory(atPath: source)
                .filter { Self.imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .sorted()
            guard !names.isEmpty else { throw FaceEngineError(.io, "\(source): folder holds no images") }
            files = names.map { (source as NSString).appendingPathComponent($0) }
            fps = nil
            frameCount = files.count
            return
        }
        if kind == .file && !FileManager.default.fileExists(atPath: source) {
            throw FaceEngineError(.io, "\(source): no such file")
        }
        var out: OpaquePointer?
        try shimCall { rc_capture_open(source, &out, $0) }
        capture = out
        let declared = rc_capture_fps(out)
        fps = declared > 0 ? declared : nil
        let count = rc_capture_frame_count(out)
        frameCount = kind.isLive || count < 0 ? nil : Int(count)
    }

    deinit { if let capture { rc_capture_free(capture) } }

    /// The turns a source accepts, in degrees clockwise.
    public static let rotations: Set<Int> = [0, 90, 180, 270]

    /// The next frame, or `nil` at the end of the file, folder or stream, turned by `rotation`.
    ///
    /// - Throws: `FaceEngineError` for a frame that cannot be decoded; a folder source moves past the bad file, so the
    ///   caller may log it and read on.
    public func read() throws -> Image? {
        guard let frame = try readAsStored() else { return nil }
        return rotation == 0 ? frame : try frame.rotated(clockwise: rotation)
    }

    /// The next frame as the source delivers it.
    private func readAsStored() throws -> Image? {
        if kind == .imageFolder {
            guard nextFile < files.count else { return nil }
            let path = files[nextFile]
            nextFile += 1
            return try Image(contentsOf: path)
        }
        guard let capture else { return nil }
        var frame: OpaquePointer?
        var error = rc_error()
        let status = rc_capture_read(capture, &frame, &error)
        if status == RC_END_OF_STREAM { return nil }
        if status != RC_OK { throw FaceEngineError(status: status, error: error) }
        return Image(handle: frame!)
    }

    /// Releases the device or connection now rather than at deinit (a camera can then be reopened at once).
    public func close() {
        if let capture { rc_capture_free(capture) }
        capture = nil
        nextFile = files.count
    }

    /// Classifies a source string: digits are a camera index, `/dev/…` a device, `scheme://…` a stream, a directory
    /// a folder of images, anything else a video file.
    public static func kind(of source: String) -> Kind {
        if !source.isEmpty && source.allSatisfy(\.isASCIIDigit) { return .camera }
        if source.hasPrefix("/dev/") { return .device }
        if source.contains("://") { return .stream }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue { return .imageFolder }
        return .file
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
