import Foundation

/// Fans live events out to every connected `/api/events` client, and remembers each gate's latest check-ins for the
/// greeting screen's first paint.
///
/// - Each subscriber has its own bounded buffer; a client too slow to read loses its oldest events rather than
///   slowing the pipeline down (the dashboard re-reads the page anyway).
/// - `heartbeat()` (called by `EventHeartbeat` every few seconds) makes every stream write, so a client that left is
///   noticed at the next write and dropped: without it a quiet stream never writes, never fails, and
///   `subscriberCount` only grows.
/// - Thread-safe: the pipeline threads publish, HTTP handlers subscribe.
public final class EventBroadcaster: @unchecked Sendable {
    /// What a stream carries.
    public enum Message: Sendable, Equatable {
        /// A delegate newly marked present.
        case checkIn(CheckInEvent)
        /// A delegate already present confirmed again at a gate (the greeting screen greets them again).
        case seen(CheckInEvent)
        /// The final photo verdict on a check-in's track.
        case photoCheck(PhotoCheckEvent)
        /// The usher's desk changed: a track waits for a decision at the door, or left it.
        case usher
        /// Nothing happened; write something so a vanished client is noticed.
        case heartbeat
    }

    private var subscribers: [Int: AsyncStream<Message>.Continuation] = [:]
    private var recentByGate: [String: [(event: CheckInEvent, at: ContinuousClock.Instant)]] = [:]
    private var nextID = 0
    private let lock = NSLock()
    private let bufferSize: Int

    public init(bufferSize: Int = 64) {
        precondition(bufferSize > 0, "bufferSize must be positive")
        self.bufferSize = bufferSize
    }

    /// Number of connected subscribers.
    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    /// A stream of the messages published from now on; it ends when the broadcaster shuts down or the subscriber
    /// stops reading (its connection closed).
    public func subscribe() -> AsyncStream<Message> {
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = lock.withLock { () -> Int in
            nextID += 1
            subscribers[nextID] = continuation
            return nextID
        }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Sends a check-in (`isNew`) or a re-confirmation to every subscriber, and keeps it as the gate's latest.
    public func publish(_ event: CheckInEvent, isNew: Bool = true) {
        let targets = lock.withLock { () -> [AsyncStream<Message>.Continuation] in
            var recent = recentByGate[event.gate, default: []]
            recent.append((event, ContinuousClock.now))
            recentByGate[event.gate] = Array(recent.suffix(3))
            return Array(subscribers.values)
        }
        for continuation in targets { continuation.yield(isNew ? .checkIn(event) : .seen(event)) }
    }

    /// Sends the final photo verdict on a check-in's track to every subscriber.
    public func publish(_ event: PhotoCheckEvent) {
        let targets = lock.withLock { Array(subscribers.values) }
        for continuation in targets { continuation.yield(.photoCheck(event)) }
    }

    /// Tells every subscriber that the usher's desk changed (`UsherDesk`).
    public func usherChanged() {
        let targets = lock.withLock { Array(subscribers.values) }
        for continuation in targets { continuation.yield(.usher) }
    }

    /// Asks every stream to write a heartbeat.
    public func heartbeat() {
        let targets = lock.withLock { Array(subscribers.values) }
        for continuation in targets { continuation.yield(.heartbeat) }
    }

    /// The gate's latest check-ins of the last `window`, newest last.
    public func recent(atGate gate: String, within window: Duration) -> [CheckInEvent] {
        let now = ContinuousClock.now
        return lock.withLock { (recentByGate[gate] ?? []).filter { now - $0.at <= window }.map(\.event) }
    }

    /// Ends every subscriber's stream (graceful shutdown lets SSE responses complete).
    public func finishAll() {
        let targets = lock.withLock { () -> [AsyncStream<Message>.Continuation] in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in targets { continuation.finish() }
    }
}
