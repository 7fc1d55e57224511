import AsyncAlgorithms
import ServiceLifecycle

/// Makes every live event stream write a comment line every `interval`, so a client that went away is noticed (the
/// write fails, the stream ends, the subscriber is dropped) and proxies see a live connection.
public actor EventHeartbeat<C: Clock>: Service where C.Duration == Duration {
    private let broadcaster: EventBroadcaster
    private let interval: Duration
    private let clock: C

    public init(broadcaster: EventBroadcaster, interval: Duration, clock: C) {
        precondition(interval > .zero, "the heartbeat interval must be positive")
        self.broadcaster = broadcaster
        self.interval = interval
        self.clock = clock
    }

    public func run() async throws {
        for try await _ in AsyncTimerSequence(interval: interval, clock: clock).cancelOnGracefulShutdown() {
            broadcaster.heartbeat()
        }
    }
}

extension EventHeartbeat where C == ContinuousClock {
    public init(broadcaster: EventBroadcaster, interval: Duration) {
        self.init(broadcaster: broadcaster, interval: interval, clock: ContinuousClock())
    }
}
