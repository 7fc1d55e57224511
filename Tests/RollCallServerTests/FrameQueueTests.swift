import Foundation
import RollCall
import RollCallServer
import Testing

/// The bounded frame queue.
struct FrameQueueTests {
    @Test func push_belowCapacity_dropsNothing() {
        var queue = FrameQueue<Int>(capacity: 3)
        #expect(queue.push(1) == nil)
        #expect(queue.push(2) == nil)
        #expect(queue.count == 2 && queue.dropped == 0)
    }

    @Test func push_atCapacity_dropsTheOldest() {
        var queue = FrameQueue<Int>(capacity: 3)
        for i in 1...3 { queue.push(i) }
        #expect(queue.isFull)
        #expect(queue.push(4) == 1)
        #expect(queue.dropped == 1)
        #expect(queue.pop() == 2)
    }

    @Test func push_farAboveCapacity_keepsTheNewestInOrder() {
        var queue = FrameQueue<Int>(capacity: 2)
        for i in 1...100 { queue.push(i) }
        #expect(queue.dropped == 98)
        #expect(queue.pop() == 99)
        #expect(queue.pop() == 100)
        #expect(queue.pop() == nil)
    }
}
