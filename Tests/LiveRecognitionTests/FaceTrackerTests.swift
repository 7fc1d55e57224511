import RollCall
import Testing

/// The tracker follows moving boxes, predicts where they go, and says which links are not smooth.
struct FaceTrackerTests {
    private func box(_ x: Double, _ y: Double, _ side: Double) -> Box { Box(x: x, y: y, width: side, height: side) }

    @Test func followsAMovingBox_andClosesItAfterMisses() {
        var configuration = FaceTracker.Configuration()
        configuration.maximumMisses = 2
        var tracker = FaceTracker(configuration: configuration)
        let first = tracker.update(frame: 0, boxes: [box(0, 0, 100)])
        let second = tracker.update(frame: 1, boxes: [box(20, 0, 100), box(400, 0, 80)])
        #expect(second.assignments[0].trackID == first.assignments[0].trackID)
        #expect(second.assignments[1].trackID != first.assignments[0].trackID && second.assignments[1].isNew)
        let closed = tracker.update(frame: 5, boxes: [])
        #expect(closed.closed.count == 2)
        #expect(tracker.tracks.isEmpty)
    }

    /// A walker moving 12 px a frame is followed by the prediction: their box in the next frame overlaps where they
    /// were heading, and the link is steady.
    @Test func aSmoothWalkIsSteady() {
        var tracker = FaceTracker()
        var id: Int?
        for frame in 0..<10 {
            let a = tracker.update(frame: frame, boxes: [box(Double(frame) * 12, 100, 80 + Double(frame))]).assignments[0]
            if frame == 0 { id = a.trackID; #expect(a.isNew && !a.steady) } else { #expect(a.trackID == id && a.steady) }
        }
    }

    /// The next person in a queue steps into the place the last one left, a little smaller: the box joins the track
    /// (nothing tells them apart by place) but the link is not steady, so the pipeline checks the face.
    @Test func aSuddenChangeOfSizeIsNotSteady() {
        var tracker = FaceTracker()
        for frame in 0..<5 { _ = tracker.update(frame: frame, boxes: [box(300, 100, 90 + Double(frame))]) }
        let next = tracker.update(frame: 5, boxes: [box(305, 95, 76)]).assignments[0]
        #expect(!next.isNew)
        #expect(!next.steady)
        // A gap of frames is not steady either, even at the same place and size.
        var gap = FaceTracker()
        _ = gap.update(frame: 0, boxes: [box(300, 100, 90)])
        _ = gap.update(frame: 1, boxes: [box(300, 100, 90)])
        #expect(!gap.update(frame: 4, boxes: [box(300, 100, 90)]).assignments[0].steady)
    }

    @Test func splitEndsTheTrackAndContinuesUnderANewID() throws {
        var tracker = FaceTracker()
        let old = tracker.update(frame: 0, boxes: [box(0, 0, 100)]).assignments[0].trackID
        _ = tracker.update(frame: 1, boxes: [box(2, 0, 100)])
        let result = tracker.split(old)
        let split = try #require(result)
        #expect(split.ended.id == old && split.newID != old)
        #expect(tracker.tracks.map(\.id) == [split.newID])
        #expect(tracker.update(frame: 2, boxes: [box(4, 0, 100)]).assignments[0].trackID == split.newID)
        let again = tracker.split(old)
        #expect(again == nil)
    }
}
