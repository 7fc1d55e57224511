import FaceEngine
import Foundation

/// One captured frame and when it was taken.
public struct Frame: Sendable {
    /// The picture, at most `PipelineConfiguration.frameMaxWidth` wide.
    public var image: Image
    /// Position in the source since it was (re)opened, from 0.
    public var index: Int
    /// Wall-clock time of capture (what attendance records carry).
    public var capturedAt: Date
    /// Monotonic time of capture (what latencies are measured against).
    public var instant: ContinuousClock.Instant

    public init(image: Image, index: Int, capturedAt: Date = Date(), instant: ContinuousClock.Instant = .now) {
        self.image = image
        self.index = index
        self.capturedAt = capturedAt
        self.instant = instant
    }
}
