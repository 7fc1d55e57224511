import Foundation
import RollCall
import RollCallServer
import Testing

/// The bounded frame queue, the IoU tracker and K-of-track confirmation.
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

    @Test func tracker_followsAMovingBox_andClosesItAfterMisses() {
        var configuration = FaceTracker.Configuration()
        configuration.maximumMisses = 2
        var tracker = FaceTracker(configuration: configuration)
        let first = tracker.update(frame: 0, boxes: [.init(x: 0, y: 0, width: 100, height: 100)])
        let second = tracker.update(frame: 1, boxes: [.init(x: 20, y: 0, width: 100, height: 100), .init(x: 400, y: 0, width: 80, height: 80)])
        #expect(second.assignments[0] == first.assignments[0])
        #expect(second.assignments[1] != first.assignments[0])
        // A fast jump (no overlap, within 0.75 face widths) still joins the track.
        let third = tracker.update(frame: 2, boxes: [.init(x: 90, y: 0, width: 100, height: 100)])
        #expect(third.assignments[0] == first.assignments[0])
        let closed = tracker.update(frame: 5, boxes: [])
        #expect(closed.closed.count == 2)
        #expect(tracker.tracks.isEmpty)
    }

    @Test func confirmation_needsKAgreeingObservations() {
        var confirmation = TrackConfirmation(required: 3)
        #expect(confirmation.record(accepted: "A", distance: 0.3) == nil)
        #expect(confirmation.record(accepted: "A", distance: 0.2) == nil)
        #expect(confirmation.record(accepted: "A", distance: 0.4) == "A")
        #expect(confirmation.bestDistance["A"] == 0.2)
        #expect(confirmation.record(accepted: "A", distance: 0.1) == nil)   // final once confirmed
    }

    @Test func confirmation_isNotReachedWhileAnotherDelegateTies() {
        var confirmation = TrackConfirmation(required: 2)
        #expect(confirmation.record(accepted: "A", distance: 0.3) == nil)
        #expect(confirmation.record(accepted: "B", distance: 0.3) == nil)
        #expect(confirmation.record(accepted: "B", distance: 0.3) == "B")   // 2 for B, 1 for A
        var tie = TrackConfirmation(required: 3)
        for id in ["A", "B", "A", "B"] { #expect(tie.record(accepted: id, distance: 0.3) == nil) }
        #expect(tie.confirmed == nil)
    }

    @Test func confirmation_rejectionsNeitherHelpNorBlock() {
        var confirmation = TrackConfirmation(required: 2)
        for _ in 0..<5 { #expect(confirmation.record(accepted: nil, distance: nil) == nil) }
        #expect(confirmation.record(accepted: "A", distance: 0.3) == nil)
        #expect(confirmation.record(accepted: "A", distance: 0.3) == "A")
        #expect(confirmation.observations == 7)
    }

}
