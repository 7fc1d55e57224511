import CRollCallShim

/// Writes frames to an MJPG `.avi` file, for building test and demo clips.
///
/// Not thread-safe. The file is complete once the writer is closed (or released).
public final class VideoWriter {
    public let path: String
    public let width: Int, height: Int
    public let fps: Double
    private var handle: OpaquePointer?

    /// Opens `path` for writing `width`×`height` frames at `fps`.
    public init(path: String, width: Int, height: Int, fps: Double) throws {
        var out: OpaquePointer?
        try shimCall { rc_video_writer_open(path, Int32(width), Int32(height), fps, &out, $0) }
        self.path = path
        self.width = width
        self.height = height
        self.fps = fps
        handle = out
    }

    deinit { close() }

    /// Appends one frame; it must be exactly `width`×`height`.
    public func write(_ frame: Image) throws {
        guard let handle else { throw FaceEngineError(.invalidArgument, "\(path): writer is closed") }
        try shimCall { rc_video_writer_write(handle, frame.handle, $0) }
    }

    /// Finishes the file (writes the index). Further writes fail.
    public func close() {
        if let handle { rc_video_writer_free(handle) }
        handle = nil
    }
}
