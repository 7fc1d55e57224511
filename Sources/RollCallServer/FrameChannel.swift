import Foundation

/// Hands frames from a capture thread to a processing thread through a `FrameQueue`.
///
/// - `.dropOldest` (live sources, `--realtime`): the producer never waits; when the consumer falls behind, the
///   oldest frames are dropped and counted.
/// - `.backpressure` (a file as fast as possible): the producer waits for room, so no frame is lost.
final class FrameChannel<Element>: @unchecked Sendable {
    enum Policy: Sendable { case dropOldest, backpressure }

    let policy: Policy
    private var queue: FrameQueue<Element>
    private var finished = false
    private let condition = NSCondition()

    init(capacity: Int, policy: Policy) {
        self.policy = policy
        queue = FrameQueue(capacity: capacity)
    }

    /// Offers a frame. Returns `false` once the channel is finished (the producer should stop), and whether a stale
    /// frame was dropped to make room.
    @discardableResult
    func push(_ element: Element) -> (accepted: Bool, droppedOne: Bool) {
        condition.lock()
        defer { condition.unlock() }
        if policy == .backpressure {
            while queue.isFull && !finished { condition.wait() }
        }
        guard !finished else { return (false, false) }
        let evicted = queue.push(element)
        condition.broadcast()
        return (true, evicted != nil)
    }

    /// The next frame; `nil` once the channel is finished and drained.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        let element = queue.pop()
        condition.broadcast()
        return element
    }

    /// No more frames will be pushed; the consumer drains what is queued, then gets `nil`.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Finishes and throws away what is queued (shutdown: only the frame in hand is completed).
    func cancel() {
        condition.lock()
        finished = true
        while queue.pop() != nil {}
        condition.broadcast()
        condition.unlock()
    }

    /// Frames dropped so far.
    var dropped: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.dropped
    }
}
