import Foundation
import Testing

/// The door-accuracy verbs as a secretariat runs them: an entrance measured, a delegate enrolled at the desk, a
/// roster calibrated.
@Suite struct DoorAccuracyCLITests {
    static let photos = (ProcessInfo.processInfo.environment["ROLLCALL_MODELS"] ?? "") + "/test-photos"

    @Test func evalEntrance_queue_checksInTheDelegateAndNobodyElse() throws {
        let w = try CLITests.Workspace()
        let gallery = try w.file("gallery.tsv", "obama2.jpg\tD-OBAMA\nobama3.jpg\tD-OBAMA\n")
        let walkers = try w.file("walkers.tsv", "obama.jpg\tD-OBAMA\nbiden.jpg\t-\n")
        let video = w.dir.appendingPathComponent("entrance.avi").path
        let run = try w.run("eval", "entrance", "--gallery", gallery, "--walkers", walkers, "--root", Self.photos,
                            "--composition", "queue", "--lanes", "1", "--size", "640x360", "--faces", "60-110",
                            "--write-video", video, "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let live = try #require(result?["live"] as? [String: Any])
        #expect(live["checked_in"] as? Int == 1)
        #expect(live["wrong_check_ins"] as? Int == 0)
        #expect(live["identity_switches"] as? Int == 0)
        #expect((result?["stills"] as? [String: Any])?["recognised"] as? Int == 1)
        #expect((result?["enrollment"] as? [String: Any])?["enrolled"] as? Int == 2)

        // The entrance written as a video, read back by `watch` as a gate would: Obama checked in, Biden never.
        let csv = try w.file("roster.csv", "id,name\nD-OBAMA,Barack Obama\n")
        #expect(try w.run("roster", "import", csv).status == 0)
        #expect(try w.run("enroll", "D-OBAMA", Self.photos + "/obama2.jpg", Self.photos + "/obama3.jpg").status == 0)
        #expect(try w.run("session", "open", "Plenary").status == 0)
        let watch = try w.run("watch", video, "--json")
        #expect(watch.status == 0, "\(watch.stderr)")
        let checkIns = watch.stdout.split(separator: "\n").filter { $0.contains("\"delegate_id\"") }
        #expect(checkIns.count == 1 && checkIns[0].contains("D-OBAMA"), "\(watch.stdout)")
    }

    @Test func evalEntrance_Fail_needsWalkersOrAVideo() throws {
        let w = try CLITests.Workspace()
        let gallery = try w.file("gallery.tsv", "obama2.jpg\tD-OBAMA\n")
        let run = try w.run("eval", "entrance", "--gallery", gallery, "--root", Self.photos)
        #expect(run.status != 0)
        #expect(run.stderr.contains("Give exactly one of --walkers or --video"), "\(run.stderr)")
    }

    /// At the desk: a clip of Obama walking past the camera, the best distinct views enrolled, and a photo of him
    /// recognised against them.
    @Test func enrollFromTheDeskCamera_enrollsDistinctViews() throws {
        let w = try CLITests.Workspace()
        let clip = w.dir.appendingPathComponent("desk.avi").path
        #expect(try w.run("make-clip", Self.photos + "/obama.jpg", "--out", clip, "--frames-per-person", "60").status == 0)
        let csv = try w.file("roster.csv", "id,name\nD-OBAMA,Barack Obama\n")
        #expect(try w.run("roster", "import", csv).status == 0)
        let enroll = try w.run("enroll", "D-OBAMA", "--camera", clip, "--seconds", "3", "--views", "4", "--json")
        #expect(enroll.status == 0, "\(enroll.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(enroll.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count >= 2 && rows.count <= 4, "\(enroll.stdout)")
        #expect(rows.allSatisfy { $0["enrolled"] as? Bool == true }, "\(enroll.stdout)")
        #expect(rows.allSatisfy { ($0["photo"] as? String)?.hasPrefix("camera desk.avi frame ") == true })
        let identify = try w.run("identify", Self.photos + "/obama2.jpg")
        #expect(identify.stdout.contains("D-OBAMA Barack Obama"), "\(identify.stdout)")
        // Nothing of the capture was written next to the database.
        let files = try FileManager.default.contentsOfDirectory(atPath: w.dir.path).filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }
        #expect(files.isEmpty)
    }

    @Test func enrollFromTheDeskCamera_Fail_withoutAFace() throws {
        let w = try CLITests.Workspace()
        // A "camera" (a folder of images) showing one grey pixel: no face in it.
        let folder = w.dir.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
        try Data(base64Encoded: pixel)!.write(to: folder.appendingPathComponent("frame0.png"))
        let csv = try w.file("roster.csv", "id,name\nD1,Nguyễn Văn An\n")
        #expect(try w.run("roster", "import", csv).status == 0)
        let run = try w.run("enroll", "D1", "--camera", folder.path)
        #expect(run.status != 0)
        #expect(run.stderr.contains("no usable view of one face in 1 frames"), "\(run.stderr)")
    }

    @Test func calibrate_Fail_onARosterTooSmallToEstimateFrom() throws {
        let w = try CLITests.Workspace()
        let csv = try w.file("roster.csv", "id,name\nD1,Barack Obama\nD2,Joe Biden\n")
        #expect(try w.run("roster", "import", csv).status == 0)
        #expect(try w.run("enroll", "D1", Self.photos + "/obama.jpg").status == 0)
        #expect(try w.run("enroll", "D2", Self.photos + "/biden.jpg").status == 0)
        let run = try w.run("calibrate")
        #expect(run.status != 0)
        #expect(run.stderr.contains("2 delegates enrolled: too few to estimate from (at least 20)"), "\(run.stderr)")
    }
}
