import Foundation

/// Whether a gate is seeing anything, as `/healthz`, the dashboard and the metrics say it.
///
/// - `receiving`: a frame arrived within `staleAfter`.
/// - `reconnecting`: the source dropped within `staleAfter` and is being reopened (a blip, not yet a problem).
/// - `stalled`: the source is open but no frame for longer than `staleAfter` (a frozen camera, a dead stream).
/// - `disconnected`: the source failed longer than `staleAfter` ago and has not come back.
/// - `starting`: no frame yet, within `staleAfter` of start.
/// - `noFrames`: no frame at all, longer than `staleAfter` after start (a camera that never delivered).
/// - `finished`: a file or folder that ended where it should.
///
/// `stalled`, `disconnected` and `noFrames` are problems: health answers "degraded" and the dashboard shows them in
/// red, because a roll call through a dead camera misses everyone at that door.
public struct GateHealth: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        case receiving, reconnecting, stalled, disconnected, starting, noFrames = "no_frames", finished
    }

    public var name: String
    public var state: State
    public var lastFrameAt: Date?
    /// Seconds since the last frame (or since start, when there was none).
    public var secondsQuiet: Double?
    public var statistics: GateService.Statistics

    /// Whether the state means nobody can be recognised at this gate.
    public var isProblem: Bool { [.stalled, .disconnected, .noFrames].contains(state) }

    /// The state of a gate with these `statistics` at `now`.
    public static func assess(name: String, statistics s: GateService.Statistics, now: Date, staleAfter: Double) -> GateHealth {
        let state: State
        var quiet: Double?
        if s.finished {
            state = .finished
        } else if let last = s.lastFrameAt {
            let seconds = now.timeIntervalSince(last)
            quiet = seconds
            if seconds > staleAfter {
                state = s.connected ? .stalled : .disconnected
            } else {
                state = s.connected ? .receiving : .reconnecting
            }
        } else {
            quiet = s.startedAt.map { now.timeIntervalSince($0) }
            state = (quiet ?? 0) > staleAfter ? .noFrames : .starting
        }
        return GateHealth(name: name, state: state, lastFrameAt: s.lastFrameAt, secondsQuiet: quiet, statistics: s)
    }
}
