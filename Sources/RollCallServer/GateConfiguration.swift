import FaceEngine

/// One entrance camera: a name for the records and a source to read.
public struct GateConfiguration: Sendable, Codable, Equatable {
    /// The gate's name, recorded with every sighting (e.g. `north-door`).
    public var name: String
    /// Camera index, device path, `rtsp://` or `http://` URL, video file or folder of images.
    public var source: String
    /// Pace a file at its own frame rate and drop stale frames, as a live camera would. Live sources always are.
    public var realtime: Bool
    /// Degrees to turn the camera's picture clockwise so faces stand upright (a camera mounted on its side): 0, 90,
    /// 180 or 270. Video files that record their own rotation (phones) need none.
    public var rotate: Int

    public init(name: String, source: String, realtime: Bool = false, rotate: Int = 0) {
        self.name = name
        self.source = source
        self.realtime = realtime
        self.rotate = rotate
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, source, realtime, rotate }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        source = try c.decode(String.self, forKey: .source)
        realtime = try c.decodeIfPresent(Bool.self, forKey: .realtime) ?? false
        rotate = try c.decodeIfPresent(Int.self, forKey: .rotate) ?? 0
        guard VideoSource.rotations.contains(rotate) else {
            throw ServerError.badConfiguration("gate \(name): rotate must be 0, 90, 180 or 270 (degrees clockwise), not \(rotate)")
        }
    }
}

/// How long to wait before reopening a source that failed: `initial`, doubling up to `maximum`, reset once frames
/// flow again.
public struct ReconnectPolicy: Sendable, Codable, Equatable {
    public var initial: Double = 0.5
    public var maximum: Double = 30

    public init(initial: Double = 0.5, maximum: Double = 30) {
        precondition(initial > 0 && maximum >= initial, "backoff needs 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
    }

    /// Delay before attempt `n` (1-based) of a run of failures.
    public func delay(attempt: Int) -> Double {
        min(maximum, initial * pow2(max(0, attempt - 1)))
    }

    private func pow2(_ n: Int) -> Double { n >= 60 ? .infinity : Double(1 << n) }

    enum CodingKeys: String, CodingKey, CaseIterable { case initial = "initial_seconds", maximum = "maximum_seconds" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        initial = try c.decodeIfPresent(Double.self, forKey: .initial) ?? 0.5
        maximum = try c.decodeIfPresent(Double.self, forKey: .maximum) ?? 30
        guard initial > 0 && maximum >= initial else {
            throw ServerError.badConfiguration("reconnect: need 0 < initial_seconds <= maximum_seconds, got \(initial) and \(maximum)")
        }
    }
}
