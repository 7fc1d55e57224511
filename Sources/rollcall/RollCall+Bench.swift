import ArgumentParser
import FaceEngine
import Foundation
import LiveRecognition
import RollCall

extension RollCallCommand {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the engine's speed on this machine: medians over repeated runs (not a test).",
            discussion: """
                Needs photos with one face each (default: the test photos, installed with
                `rollcall models fetch --manifest Fixtures/test-photos.json`). The 4-face frame is four of them
                pasted into a 640x480 frame.
                """
        )

        @OptionGroup var engine: EngineOptions

        @Option(help: "Photos with one face each (default: the installed test-photos pack).")
        var photos: [String] = []

        @Option(help: "Repetitions per measurement.")
        var repeats = 30

        @Flag(help: "Print JSON.")
        var json = false

        struct Report: Encodable {
            var detect_640x480_ms: Double
            var detect_320x240_ms: Double
            var embed_batch1_ms: Double
            var embed_batch8_ms_per_face: Double
            var embed_2workers_ms_per_face: Double
            var frame_4faces_ms: Double
            /// Throughput with one single-threaded worker per core, each analysing whole frames (how several gates
            /// share the cores; the peer's figure is two processes doing the same).
            var frames_4faces_per_second_all_cores: Double
            /// The same three figures with OpenCV 4.6's own kernel for every convolution (`--opencv-convolution`),
            /// measured in the same run: the before of RollCall's convolution kernels.
            var embed_batch1_ms_opencv_convolution: Double
            var frame_4faces_ms_opencv_convolution: Double
            var frames_4faces_per_second_all_cores_opencv_convolution: Double
            var startup_ms: Double
            var peak_rss_mb: Double
            var matcher_1000_ms: Double
            var matcher_42000_ms: Double
            var opencv: String
            var cores: Int
        }

        func run() throws {
            let paths = photos.isEmpty ? try defaultPhotos() : photos
            // Live-frame settings (one pass per chip); stills (enroll, identify) add the mirror pass.
            let single = try engine.engine(workers: 1, flipUnlessTold: false)
            var crops: [Image] = []
            for path in paths.prefix(4) {
                let image = try Image(contentsOf: path)
                guard let face = try single.detect(image).largest else { throw ValidationError("\(path): no face") }
                crops.append(try image.crop(around: face))
            }
            guard crops.count == 4 else { throw ValidationError("need 4 photos with a face, got \(crops.count)") }
            var composer = FrameComposer(width: 640, height: 480)
            for (i, crop) in crops.enumerated() {
                try composer.paste(crop, x: (i % 2) * 320 + 50, y: (i / 2) * 240 + 10, width: 220, height: 220)
            }
            let frame = try composer.image()
            let small = try frame.resized(width: 320, height: 240)
            // Frames are analysed as the live pipeline does: detection on a copy as wide as its defaults choose for
            // this frame (from `minimum_face_size`), every face embedded from the full-resolution frame.
            let liveWidth = PipelineConfiguration().detectionWidth(forFrameWidth: frame.width)
            let faces = try single.detect(frame, maxWidth: liveWidth)
            guard faces.count == 4 else { throw ValidationError("the composed 640x480 frame shows \(faces.count) faces, expected 4") }
            let chips = try faces.map { try single.chip(frame, face: $0) }
            let eight = Array((chips + chips).prefix(8))

            let detect640 = try median(repeats) { _ = try single.detect(frame) }
            let detect320 = try median(repeats) { _ = try single.detect(small) }
            let embed8 = try median(max(5, repeats / 4)) { _ = try single.rawDescriptors(chips: eight) } / 8
            /// `body` as configured, then with OpenCV's own convolution kernels (the before of RollCall's).
            func withBothKernels<T>(_ body: () throws -> T) rethrows -> (T, T) {
                let configured = try body()
                FaceEngine.useOwnConvolution(false)
                defer { FaceEngine.useOwnConvolution(!engine.opencvConvolution) }
                return (configured, try body())
            }
            // One call at a time, all cores inside it.
            let ((embed1, frame4), (embed1Before, frame4Before)) = try withBothKernels {
                (try median(repeats) { _ = try single.rawDescriptors(chips: [chips[0]]) },
                 try median(repeats) { _ = try single.analyze(frame, detectionWidth: liveWidth) })
            }

            // One single-threaded worker per core. (OpenCV's thread count is process-wide: building this engine sets
            // it to one, so everything above is measured first.)
            let pair = try engine.engine(workers: ProcessInfo.processInfo.activeProcessorCount, flipUnlessTold: false)
            let perWorker = 40
            let start = Date()
            DispatchQueue.concurrentPerform(iterations: pair.workerCount) { w in
                for i in 0..<perWorker { _ = try? pair.rawDescriptors(chips: [chips[(i + w) % chips.count]]) }
            }
            let embedParallel = Date().timeIntervalSince(start) * 1000 / Double(perWorker * pair.workerCount)
            let (framesPerSecond, framesPerSecondBefore) = withBothKernels {
                let framesPerWorker = max(20, repeats)   // ≥ 40 frames: a second or more, so one slow frame does not decide
                let framesStart = Date()
                DispatchQueue.concurrentPerform(iterations: pair.workerCount) { _ in
                    for _ in 0..<framesPerWorker { _ = try? pair.analyze(frame, detectionWidth: liveWidth) }
                }
                return Double(framesPerWorker * pair.workerCount) / Date().timeIntervalSince(framesStart)
            }

            let matcher = MatcherBenchmark.run(sizes: [1_000, 42_000], dimension: single.dimension)   // the pack's templates
            let report = Report(
                detect_640x480_ms: detect640, detect_320x240_ms: detect320, embed_batch1_ms: embed1,
                embed_batch8_ms_per_face: embed8, embed_2workers_ms_per_face: embedParallel, frame_4faces_ms: frame4,
                frames_4faces_per_second_all_cores: framesPerSecond,
                embed_batch1_ms_opencv_convolution: embed1Before, frame_4faces_ms_opencv_convolution: frame4Before,
                frames_4faces_per_second_all_cores_opencv_convolution: framesPerSecondBefore,
                startup_ms: try startupMilliseconds(), peak_rss_mb: peakRSSMegabytes(),
                matcher_1000_ms: matcher[0].medianMilliseconds, matcher_42000_ms: matcher[1].medianMilliseconds,
                opencv: FaceEngine.openCVVersion, cores: ProcessInfo.processInfo.activeProcessorCount)
            if json { try printJSON(report); return }
            print(String(format: """
                detect 640x480:          %.2f ms
                detect 320x240:          %.2f ms
                embed, batch 1:          %.2f ms per face (1 worker, %d threads)
                embed, 8 chips a call:   %.2f ms per face
                embed, %d workers:        %.2f ms per face of throughput
                4-face 640x480 frame:    %.2f ms (detect at the live pipeline's width + align + embed)
                4-face frames, %d workers: %.1f frames/s
                OpenCV's own convolution kernels (--opencv-convolution), same run:
                  embed, batch 1:        %.2f ms per face
                  4-face frame:          %.2f ms
                  4-face frames:         %.1f frames/s
                start-up (--help):       %.1f ms
                peak RSS:                %.1f MB
                match 1:N, 1,000 tpl:    %.4f ms
                match 1:N, 42,000 tpl:   %.4f ms
                """, detect640, detect320, embed1, report.cores, embed8, pair.workerCount, embedParallel, frame4, pair.workerCount, framesPerSecond,
                embed1Before, frame4Before, framesPerSecondBefore,
                report.startup_ms, report.peak_rss_mb, report.matcher_1000_ms, report.matcher_42000_ms))
        }

        private func defaultPhotos() throws -> [String] {
            let dir = engine.store.directory.appendingPathComponent("test-photos")
            let names = ["obama.jpg", "biden.jpg", "obama2.jpg", "obama3.jpg"]
            let paths = names.map { dir.appendingPathComponent($0).path }
            guard paths.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
                throw ValidationError("no photos given and the test photos are not installed: run `rollcall models fetch --manifest Fixtures/test-photos.json`")
            }
            return paths
        }

        /// Median wall time of `body` in milliseconds, after one warm-up run.
        private func median(_ runs: Int, _ body: () throws -> Void) throws -> Double {
            try body()
            var times: [Double] = []
            for _ in 0..<max(1, runs) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            return times.sorted()[times.count / 2]
        }

        /// Median time for this executable to start, parse `--help` and exit.
        private func startupMilliseconds() throws -> Double {
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
            return try median(10) {
                let process = Process()
                process.executableURL = executable
                process.arguments = ["--help"]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
            }
        }

        private func peakRSSMegabytes() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
        }
    }
}
