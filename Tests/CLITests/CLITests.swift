import Foundation
import Testing

/// Whole command lines of the built `rollcall` binary: output and exit code, as a secretariat would see them.
@Suite struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable `swift build` put next to this test bundle.
    static let binary: URL = {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("rollcall")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/rollcall")
        return root.standardizedFileURL
    }()

    /// A fresh folder with its own database and key.
    struct Workspace {
        let dir: URL
        var env: [String: String]

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("rollcall-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            env = ProcessInfo.processInfo.environment
            env["ROLLCALL_DB"] = dir.appendingPathComponent("rollcall.db").path
            env["ROLLCALL_KEY_FILE"] = dir.appendingPathComponent("template.key").path
            env["ROLLCALL_KEY"] = nil
            // Messages in English unless a test asks for Vietnamese (the default, checked by
            // `defaultLanguage_isVietnamese`), so assertions on text read the same in every test file.
            env["ROLLCALL_LANG"] = "en"
            env["ROLLCALL_TIME_ZONE"] = nil
        }

        func file(_ name: String, _ text: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }

        /// Runs a command line to its end, blocking the calling thread: tests call `launch` instead.
        func run(_ arguments: String...) throws -> Run { try run(arguments) }

        /// `run` on a thread of its own, so a test that launches many processes does not hold one of the few
        /// cooperative threads (on two cores, that starves every other test's tasks).
        func launch(_ arguments: String...) async throws -> Run { try await launch(arguments) }

        func launch(_ arguments: [String]) async throws -> Run {
            let workspace = self
            return try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try workspace.run(arguments) }) }.start()
            }
        }

        func run(_ arguments: [String]) throws -> Run {
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = arguments
            process.environment = env
            process.currentDirectoryURL = dir
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    @Test func everyCommandHasHelp() async throws {
        let w = try Workspace()
        for command in ["models", "detect", "compare", "eval", "bench", "roster", "enroll", "identify", "delegates",
                        "session", "checkin", "checkout", "audit", "report", "chips", "make-clip", "watch", "serve",
                        "delegates assign-pack", "delegates erase-templates", "models set-thresholds", "tokens", "tokens add",
                        "tokens list", "tokens revoke", "keys rotate", "keys site-key", "purge templates", "privacy report",
                        "tls self-signed", "report verify", "audit log"] {
            let run = try await w.launch(command.split(separator: " ").map(String.init) + ["--help"])
            #expect(run.status == 0, "\(command) --help")
            #expect(run.stdout.contains("USAGE"), "\(command) --help")
        }
    }

    @Test func rosterImport_Fail_namesEveryBadLineAndAppliesNothing() async throws {
        let w = try Workspace()
        let csv = try w.file("roster.csv", "id,name,unit\nD1,Nguyễn Văn An,Hà Nội\n,Trần Thị Bình,Huế\nD1,Lê Văn Cường,Huế\n")
        let run = try await w.launch("roster", "import", csv)
        #expect(run.status != 0)
        #expect(run.stderr.contains("line 3"), "\(run.stderr)")
        #expect(run.stderr.contains("line 4"), "\(run.stderr)")
        let list = try await w.launch("delegates", "list", "--json")
        #expect(!list.stdout.contains("D1"))
    }

    @Test func rollCall_manualCheckinShowsInReportAndAuditPasses() async throws {
        let w = try Workspace()
        let csv = try w.file("roster.csv", "id,name,unit\nD1,Nguyễn Thị Ánh Tuyết,Hà Nội\nD2,Trần Văn Bình,Huế\n")
        #expect(try await w.launch("roster", "import", csv).status == 0)
        #expect(try await w.launch("session", "open", "Phiên 1", "--quorum", "0.5").status == 0)
        let checkin = try await w.launch("checkin", "D1", "--reason", "badge reader down")
        #expect(checkin.status == 0, "\(checkin.stderr)")
        let report = try await w.launch("report", "--format", "csv", "--no-bom")
        #expect(report.status == 0)
        let rows = report.stdout.split(whereSeparator: \.isNewline)  // RFC 4180: CRLF
        #expect(rows.first == "delegate_id,name,unit,seat,status,first_seen,left_at,gate,distance,method,note,audit_chain")
        #expect(rows.contains { $0.hasPrefix("D1,Nguyễn Thị Ánh Tuyết,Hà Nội,,present,") && $0.hasSuffix(",manual,badge reader down,intact") })
        #expect(rows.contains { $0.hasPrefix("D2,Trần Văn Bình,Huế,,absent") })
        #expect(try await w.launch("audit", "verify").status == 0)
        // For Excel by default: the same bytes after a UTF-8 byte-order mark.
        let excel = try await w.launch("report", "--format", "csv")
        #expect(Array(excel.stdout.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(excel.stdout.utf8.dropFirst(3).elementsEqual(report.stdout.utf8))
        #expect(!report.stdout.hasPrefix("\u{FEFF}"))
        #expect(try await w.launch("report", "--format", "json", "--no-bom").status != 0)
    }

    @Test func unknownDelegate_Fail() async throws {
        let w = try Workspace()
        let csv = try w.file("roster.csv", "id,name\nD1,An\n")
        _ = try await w.launch("roster", "import", csv)
        _ = try await w.launch("session", "open", "S")
        let run = try await w.launch("checkin", "D9", "--reason", "x")
        #expect(run.status != 0)
        #expect(run.stderr.contains("D9"))
    }

    @Test func databaseThatIsNotSQLite_Fail() async throws {
        var w = try Workspace()
        w.env["ROLLCALL_DB"] = try w.file("notes.db", "these are meeting notes, not a database\n")
        let run = try await w.launch("delegates", "list")
        #expect(run.status != 0)
        #expect(run.stderr.contains("notes.db"))
        #expect(run.stderr.contains("not SQLite"))
    }

    @Test func compareWithoutFace_Fail_namesTheFile() async throws {
        let w = try Workspace()
        let text = try w.file("blank.jpg", "not an image")
        let run = try await w.launch("compare", text, text)
        #expect(run.status != 0)
        #expect(run.stderr.contains("blank.jpg"))
    }

    @Test func evalEmbed_writesOneUnitVectorPerImage_andADashWithoutAFace() async throws {
        let w = try Workspace()
        let photos = (ProcessInfo.processInfo.environment["ROLLCALL_MODELS"] ?? "") + "/test-photos"
        _ = try w.file("blank.jpg", "not an image")
        let list = try w.file("list.tsv", "\(photos)/obama.jpg\tobama\nblank.jpg\t-\n")
        let run = try await w.launch("eval", "embed", list, "--root", w.dir.path, "-o", w.dir.appendingPathComponent("out.tsv").path)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOf: w.dir.appendingPathComponent("out.tsv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(lines.count == 2)
        #expect(lines[0].count == 3 && lines[0][1] == "obama")
        let vector = lines[0][2].split(separator: " ").compactMap { Float($0) }
        #expect(vector.count == 128)
        #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-3)
        #expect(lines[1].count == 3 && lines[1][0].hasSuffix("/blank.jpg") && lines[1][1] == "-" && lines[1][2] == "-")
    }

    /// A protocol file made elsewhere: CSV with a header, word labels, fewer pairs than LFW's 10 folds. Before:
    /// a precondition crash in the 10-fold split.
    @Test func evalPairs_shortCSVProtocol_usesOneFoldPerPair() async throws {
        let w = try Workspace()
        let photos = (ProcessInfo.processInfo.environment["ROLLCALL_MODELS"] ?? "") + "/test-photos"
        let list = try w.file("pairs.csv", """
            image_a,image_b,same
            \(photos)/obama.jpg,\(photos)/obama2.jpg,same
            \(photos)/obama.jpg,\(photos)/biden.jpg,different
            \(photos)/obama2.jpg,\(photos)/biden.jpg,different

            """)
        let run = try await w.launch("eval", "pairs", list, "--format", "tsv", "--root", w.dir.path, "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(report["pairs"] as? Int == 3 && report["folds"] as? Int == 3)
        #expect(report["tar_at_far_0_001"] as? Double == 1)
        // At the sface pack's own verify threshold (0.6543): Obama's pair accepted, the two impostors refused.
        let shipped = try #require(report["at_pack_threshold"] as? [String: Any])
        #expect(abs((shipped["threshold"] as? Double ?? 0) - 0.6543) < 1e-4)
        #expect(shipped["tar"] as? Double == 1 && shipped["far"] as? Double == 0)

        // One pair: a clear refusal before any image is read, naming the file.
        let one = try w.file("one.csv", "\(photos)/obama.jpg,\(photos)/obama2.jpg,1\n")
        let refused = try await w.launch("eval", "pairs", one, "--format", "tsv", "--root", w.dir.path)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("one.csv: 1 pair: cross-validated accuracy needs at least 2"))
        // One kind of pair only: measured (benchmarks time such a list), with a warning.
        let same = try w.file("same.csv", "\(photos)/obama.jpg,\(photos)/obama2.jpg,1\n\(photos)/obama.jpg,\(photos)/obama3.jpg,1\n")
        let warned = try await w.launch("eval", "pairs", same, "--format", "tsv", "--root", w.dir.path, "--json")
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("every pair is of the same person"))
    }

    /// `rollcall eval identify --json` over two lists of test photos (paths relative to the test photos' folder):
    /// the run, which must succeed, and its report.
    private func evalIdentify(gallery: String, probes: String) async throws -> (Run, [String: Any]) {
        let w = try Workspace()
        let photos = (ProcessInfo.processInfo.environment["ROLLCALL_MODELS"] ?? "") + "/test-photos"
        let run = try await w.launch("eval", "identify", "--gallery", try w.file("gallery.tsv", gallery),
                            "--probes", try w.file("probes.tsv", probes), "--root", photos, "--json")
        #expect(run.status == 0, "\(run.stderr)")
        return (run, try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]))
    }

    /// Lists made elsewhere: a header line, and probes labelled with names the gallery does not hold (non-mated by
    /// definition; counted as misses they would inflate FNIR).
    @Test func evalIdentify_probeOfSomeoneNotEnrolled_isNonMated() async throws {
        let (run, report) = try await evalIdentify(gallery: "path\tidentity\nobama.jpg\tobama\n",
                                             probes: "obama2.jpg\tobama\nbiden.jpg\tbiden\n")
        #expect(run.stderr.contains("1 probe(s) name someone the gallery does not hold: counted as non-mated"), "\(run.stderr)")
        #expect(report["gallery_images"] as? Int == 1)
        #expect(report["mated_probes"] as? Int == 1 && report["non_mated_probes"] as? Int == 1)
        #expect(report["fnir_at_fpir_0_01"] as? Double == 0)
    }

    /// No non-mated probe: FPIR thresholds are infinite, which JSON has no number for ("inf", not a crash).
    @Test func evalIdentify_withoutNonMatedProbes_writesInfAsAString() async throws {
        let (_, report) = try await evalIdentify(gallery: "obama.jpg\tobama\nbiden.jpg\tbiden\n", probes: "obama2.jpg\tobama\n")
        #expect(report["non_mated_probes"] as? Int == 0)
        #expect(report["threshold_at_fpir_0_003"] as? String == "inf")
        #expect(report["rank1"] as? Double == 1)
        #expect(report["template_fusion"] as? String == "mean")  // the sface pack's rule
        // The shipped operating point on these faces: Obama's second photo is accepted at sface's 0.5054.
        let shipped = try #require(report["at_pack_threshold"] as? [String: Any])
        #expect(abs((shipped["threshold"] as? Double ?? 0) - 0.5054) < 1e-4)
        #expect(shipped["fnir"] as? Double == 0)
    }

    /// Enroll with one pack, identify with the other: refused naming both, never meaningless distances.
    @Test func identifyWithAnotherPack_Fail_namesBothPacks() async throws {
        let w = try Workspace()
        let photos = (ProcessInfo.processInfo.environment["ROLLCALL_MODELS"] ?? "") + "/test-photos"
        let csv = try w.file("roster.csv", "id,name\nD1,Barack Obama\n")
        #expect(try await w.launch("roster", "import", csv).status == 0)
        let enroll = try await w.launch("enroll", "D1", photos + "/obama.jpg")  // default pack: sface
        #expect(enroll.status == 0, "\(enroll.stderr)")
        let show = try await w.launch("delegates", "show", "D1")
        #expect(show.stdout.contains("pack sface ("), "\(show.stdout)")

        let other = try await w.launch("identify", "--pack", "dlib", photos + "/obama2.jpg")
        #expect(other.status != 0)
        #expect(other.stderr.contains("made by pack sface (") && other.stderr.contains("this run uses pack dlib ("), "\(other.stderr)")
        #expect(other.stderr.contains("use --pack sface"), "\(other.stderr)")
        #expect(!other.stdout.contains("D1"))
        let otherEnroll = try await w.launch("enroll", "--pack", "dlib", "D1", photos + "/obama2.jpg")
        #expect(otherEnroll.status != 0 && otherEnroll.stderr.contains("use --pack sface"), "\(otherEnroll.stderr)")

        let same = try await w.launch("identify", photos + "/obama2.jpg")
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("D1 Barack Obama"), "\(same.stdout)")

        // Switching packs: erase the templates, keep the roster, enroll again.
        #expect(try await w.launch("delegates", "erase-templates").stdout.contains("1 template(s) erased"))
        #expect(try await w.launch("enroll", "--pack", "dlib", "D1", photos + "/obama.jpg").status == 0)
        #expect(try await w.launch("identify", "--pack", "dlib", photos + "/obama2.jpg").stdout.contains("D1 Barack Obama"))
        #expect(try await w.launch("identify", photos + "/obama2.jpg").stderr.contains("use --pack dlib"))
    }
}
