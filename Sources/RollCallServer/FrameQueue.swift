/// A bounded first-in, first-out queue of frames that never blocks its producer.
///
/// - Holds at most `capacity` elements.
/// - When full, `push` evicts the **oldest** element and counts it in `dropped`, because on a live source a stale
///   frame is worth less than a fresh one.
/// - `pop` returns the oldest element still held.
public struct FrameQueue<Element> {
    /// Most elements held at once.
    public let capacity: Int
    /// Elements evicted by `push` since creation.
    public private(set) var dropped = 0
    private var storage: [Element] = []
    private var head = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    /// Elements waiting.
    public var count: Int { storage.count - head }
    public var isEmpty: Bool { count == 0 }
    public var isFull: Bool { count >= capacity }

    /// Appends `element`; returns the element evicted to make room, if any.
    @discardableResult
    public mutating func push(_ element: Element) -> Element? {
        var evicted: Element?
        if isFull {
            // The oldest is the stalest: drop it rather than the frame that just arrived.
            evicted = storage[head]
            head += 1
            dropped += 1
        }
        storage.append(element)
        compactIfNeeded()
        return evicted
    }

    /// Removes and returns the oldest element.
    public mutating func pop() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        compactIfNeeded()
        return element
    }

    /// Keeps the dead prefix from growing without bound (amortised O(1)).
    private mutating func compactIfNeeded() {
        if head > 0 && head >= storage.count / 2 {
            storage.removeFirst(head)
            head = 0
        }
    }
}
