import Foundation

/// Fans check-in events out to every connected `/api/events` client.
///
/// - Each subscriber has its own bounded buffer; a client too slow to read loses its oldest events rather than
///   slowing the pipeline down (the dashboard re-reads `/api/session` anyway).
/// - Thread-safe: the pipeline threads publish, HTTP handlers subscribe.
public final class EventBroadcaster: @unchecked Sendable {
    private var subscribers: [Int: AsyncStream<CheckInEvent>.Continuation] = [:]
    private var nextID = 0
    private let lock = NSLock()
    private let bufferSize: Int

    public init(bufferSize: Int = 64) {
        precondition(bufferSize > 0, "bufferSize must be positive")
        self.bufferSize = bufferSize
    }

    /// Number of connected subscribers.
    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    /// A stream of the events published from now on; it ends when the broadcaster shuts down, or after `lifetime`.
    ///
    /// A bounded lifetime makes SSE clients reconnect now and then (EventSource does so by itself), which keeps idle
    /// proxies from cutting the stream silently and lets a page that waits for the network to settle settle.
    public func subscribe(lifetime: Duration? = nil) -> AsyncStream<CheckInEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: CheckInEvent.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = lock.withLock { () -> Int in
            nextID += 1
            subscribers[nextID] = continuation
            return nextID
        }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.subscribers.removeValue(forKey: id) }
        }
        if let lifetime {
            Task {
                try? await Task.sleep(for: lifetime)
                continuation.finish()
            }
        }
        return stream
    }

    /// Sends an event to every subscriber.
    public func publish(_ event: CheckInEvent) {
        let targets = lock.withLock { Array(subscribers.values) }
        for continuation in targets { continuation.yield(event) }
    }

    /// Ends every subscriber's stream (graceful shutdown lets SSE responses complete).
    public func finishAll() {
        let targets = lock.withLock { () -> [AsyncStream<CheckInEvent>.Continuation] in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in targets { continuation.finish() }
    }
}
