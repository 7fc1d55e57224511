import ArgumentParser
import FaceEngine
import Foundation
import LiveRecognition
import RollCall

extension RollCallCommand {
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "This roster's own operating point, with no labels: expected false check-ins per 1,000 strangers.",
            discussion: """
                The enrolled delegates are different people, so the distances between them are this site's own \
                impostor distribution. From them: the false check-ins to expect per 1,000 strangers walking in at the \
                pack's identify threshold, and the threshold that gives --target per 1,000; from delegates enrolled \
                from two or more photos, how often a still of a delegate would be missed at each. --apply writes the \
                proposed threshold as a site manifest (as `rollcall models set-thresholds` does). The estimate is \
                checked against measured FPIR in BENCHMARKS.md ("Calibration without labels").
                """
        )

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var engineOptions: EngineOptions

        @Option(help: "False check-ins per 1,000 strangers to propose a threshold for.") var target = 1.0
        @Flag(help: "Write the proposed identify threshold into the pack's site manifest.") var apply = false
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard target > 0 && target < 1000 else { throw ValidationError("--target must lie in 0 <..< 1000, got \(target).") }
        }

        struct Report: Encodable {
            struct Point: Encodable {
                var threshold: Float
                var false_check_ins_per_1000_strangers: Double
                /// Share of a delegate's photo pairs the threshold would refuse; nil without delegates of several photos.
                var still_miss_rate: Double?
            }
            var pack: String
            var delegates: Int
            var templates: Int
            var delegate_pairs: Int
            var same_person_pairs: Int
            var current: Point
            var proposed: Point
            var target_per_1000: Double
        }

        func run() throws {
            let store = try storeOptions.openStore(mustExist: true)
            let engine = try engineOptions.engine()
            let matcher = try MatcherAssembly.makeMatcher(store: store, engine: engine)
            let calibration = RosterCalibration(
                gallery: matcher.gallery, templates: try store.templates(madeBy: MatcherAssembly.templatePack(of: engine)))
            guard calibration.delegates >= 20 else {
                throw ValidationError("\(calibration.delegates) delegates enrolled: too few to estimate from (at least 20)")
            }
            func point(_ t: Float) -> Report.Point {
                .init(threshold: t, false_check_ins_per_1000_strangers: calibration.falseCheckInsPerThousand(at: t),
                      still_miss_rate: calibration.genuineMissRate(at: t))
            }
            let current = engine.thresholds.identify
            let proposed = calibration.threshold(forFalseCheckInsPerThousand: target)
            let report = Report(pack: engine.pack.pack.name, delegates: calibration.delegates,
                                templates: matcher.gallery.enrolledTemplateCount, delegate_pairs: calibration.impostorDistances.count,
                                same_person_pairs: calibration.genuineDistances.count, current: point(current),
                                proposed: point(proposed), target_per_1000: target)
            let reason = String(format: "rollcall calibrate: %.2g false check-ins per 1,000 strangers on this roster of %d delegates",
                                target, calibration.delegates)
            if apply {
                let name = engine.pack.pack.name
                try engineOptions.store.setThresholds(ofPack: name, reason: reason) { $0.identify = proposed }
            }
            if json { try printJSON(report); return }
            func describe(_ p: Report.Point) -> String {
                String(format: "%.4f: %.2f false check-ins per 1,000 strangers", p.threshold, p.false_check_ins_per_1000_strangers)
                    + (p.still_miss_rate.map { String(format: ", a delegate's still missed %.1f %% of the time", $0 * 100) } ?? "")
            }
            print("roster: \(report.delegates) delegates (\(report.templates) templates; \(report.same_person_pairs) same-person photo pairs), pack \(report.pack)")
            print("current threshold  \(describe(report.current))")
            print("proposed threshold \(describe(report.proposed)) (target \(target) per 1,000)")
            if apply {
                print("applied: the identify threshold of pack \(report.pack) is now \(proposed) (site manifest \(engineOptions.store.siteManifestURL(ofPack: report.pack).path))")
            } else {
                print("to apply: rollcall calibrate --apply, or rollcall models set-thresholds --pack \(report.pack) --identify \(String(format: "%.4f", proposed)) --reason \"\(reason)\"")
            }
        }
    }
}
