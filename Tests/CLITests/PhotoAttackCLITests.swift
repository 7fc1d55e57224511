import Foundation
import Testing

/// `rollcall eval photo-attack`: the photo cue's measurement from the command line.
@Suite struct PhotoAttackCLITests {
    static let photos = DoorAccuracyCLITests.photos

    /// The plumbing on the test photos (a clip made of a photo stands in for the real video the benchmark uses): every
    /// presentation is counted in one half, with its thresholds chosen on the tuning half.
    @Test func evalPhotoAttack_countsEveryPresentationOnce() throws {
        let w = try CLITests.Workspace()
        let clip = w.dir.appendingPathComponent("people.avi").path
        #expect(try w.run("make-clip", Self.photos + "/obama.jpg", "--out", clip, "--frames-per-person", "40").status == 0)
        let list = try w.file("photos.tsv", "biden.jpg\tbiden\nobama2.jpg\tobama\n")
        let out = w.dir.appendingPathComponent("presentations.tsv").path
        let run = try w.run("eval", "photo-attack", "--bona-fide-video", clip, "--backgrounds", clip, "--photos", list,
                            "--root", Self.photos, "--presentations", "2", "--presentations-out", out, "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let tuning = try #require(result["tuning"] as? [String: Any]), heldOut = try #require(result["held_out"] as? [String: Any])
        let attacks = (tuning["attacks"] as? Int ?? -1) + (heldOut["attacks"] as? Int ?? -1)
        #expect(attacks + (result["attacks_not_tracked"] as? Int ?? -1) == 4)
        for half in [tuning, heldOut] {
            let n = half["attacks"] as? Int ?? 0
            let counted = (half["attacks_flagged"] as? Int ?? 0) + (half["attacks_undecided"] as? Int ?? 0)
                + (half["attacks_judged_bona_fide"] as? Int ?? 0)
            #expect(counted == n)
        }
        // One line per presentation, attacks and bona fide windows alike.
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.first?.hasPrefix("attack\thalf\tkind\tframes") == true)
        #expect(lines.filter { $0.hasPrefix("true\t") }.count == attacks)
        #expect(lines.contains { $0.hasPrefix("false\t") })
    }

    @Test func evalPhotoAttack_Fail_namesTheBadInput() throws {
        let w = try CLITests.Workspace()
        let list = try w.file("photos.tsv", "biden.jpg\tbiden\n")
        let missing = try w.run("eval", "photo-attack", "--bona-fide-video", "nowhere.mp4", "--backgrounds", "nowhere.mp4", "--photos", list)
        #expect(missing.status != 0 && missing.stderr.contains("nowhere.mp4: no such file"), "\(missing.stderr)")
        let zero = try w.run("eval", "photo-attack", "--bona-fide-video", list, "--backgrounds", list, "--photos", list, "--presentations", "0")
        #expect(zero.status != 0 && zero.stderr.contains("--presentations must lie in 1...20, got 0"), "\(zero.stderr)")
        let target = try w.run("eval", "photo-attack", "--bona-fide-video", list, "--backgrounds", list, "--photos", list, "--bpcer-target", "2")
        #expect(target.status != 0 && target.stderr.contains("--bpcer-target must lie in 0...1, got 2.0"), "\(target.stderr)")
    }
}
