#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Spreadsheets
import Testing

/// The roll call as a Vietnamese secretariat runs it from the command line: their language, their Excel files, their
/// quorum rules, their reports — and the defects found on the way, each with the test that failed before its fix.
extension CLITests {
    static var photos: String { (ProcessInfo.processInfo.environment["ROLLCALL_MODELS"] ?? "") + "/test-photos" }

    /// A roster of `count` delegates `D1`… in two delegations.
    private func roster(_ w: Workspace, count: Int) throws -> String {
        try w.file("ds.csv", "Mã;Họ và tên;Đoàn\n" + (1...count).map { "D\($0);Đại biểu số \($0);Đoàn \($0 % 2 == 0 ? "Huế" : "Hà Nội")" }
            .joined(separator: "\n") + "\n")
    }

    private func json(_ run: Run) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout) \(run.stderr)")
    }

    @Test func defaultLanguage_isVietnamese_andEnglishIsOneOptionAway() async throws {
        var w = try Workspace()
        w.env["ROLLCALL_LANG"] = nil
        let csv = try w.file("ds.csv", "Mã đại biểu,Họ và tên,Đoàn\nD1,Nguyễn Thị Ánh Tuyết,Hà Nội\nD2,Trần Văn Bình,Huế\n")
        let imported = try await w.launch("roster", "import", csv)
        #expect(imported.stdout.hasPrefix("Đã nhập 2 đại biểu (2 mới, 0 cập nhật), 0 ảnh được liệt kê"), "\(imported.stdout)")
        let opened = try await w.launch("session", "open", "Phiên khai mạc", "--quorum", "2/3")
        #expect(opened.stdout == "Đã mở phiên 1 «Phiên khai mạc»; túc số: ít nhất 2/3 tổng số đại biểu\n", "\(opened.stdout)")
        let checkin = try await w.launch("checkin", "D1", "--reason", "đầu đọc thẻ hỏng")
        let stamp = try #require(checkin.stdout.range(of: #"lúc \d\d/\d\d/\d{4} \d\d:\d\d$"#, options: .regularExpression), "\(checkin.stdout)")
        #expect(checkin.stdout.hasPrefix("Đại biểu D1 (Nguyễn Thị Ánh Tuyết) đã được điểm danh vào phiên 1 "), "\(checkin.stdout) \(stamp)")
        let unknown = try await w.launch("checkin", "D9", "--reason", "x")
        #expect(unknown.stderr.contains("không có đại biểu mã D9 trong danh sách"), "\(unknown.stderr)")
        let english = try await w.launch("checkout", "D2", "--reason", "sick", "--lang", "en")
        #expect(english.stdout == "delegate D2 (Trần Văn Bình) recorded as excused from session 1\n", "\(english.stdout)")
        w.env["ROLLCALL_LANG"] = "en"
        // session.open (chained with who opened it), the check-in's attendance row and manual event, the check-out
        #expect(try await w.launch("audit", "verify").stdout.hasPrefix("audit chain intact: 4 rows"))
        #expect(try await w.launch("audit", "verify", "--lang", "vi").stdout.hasPrefix("Chuỗi kiểm toán nguyên vẹn: 4 bản ghi"))
    }

    /// A roster typed in Excel three ways — .xlsx, ;-CSV (Vietnamese locale), Windows-1258 — imports byte-exact.
    @Test func rosterImport_xlsxSemicolonCSVAndWindows1258_keepVietnameseNamesIntact() async throws {
        let names = ["Nguyễn Thị Ánh Tuyết", "Đặng Quốc Ưng"]
        func imported(_ file: String, _ w: Workspace) async throws -> ([String], Run) {
            let run = try await w.launch("roster", "import", file)
            #expect(run.status == 0, "\(file): \(run.stderr)")
            let list = try JSONSerialization.jsonObject(with: Data(try await w.launch("delegates", "list", "--json").stdout.utf8)) as? [[String: Any]]
            return ((list ?? []).compactMap { $0["name"] as? String }, run)
        }
        // .xlsx with Vietnamese headers and a numbering column
        let w1 = try Workspace()
        let xlsx = w1.dir.appendingPathComponent("Danh sách đại biểu.xlsx")
        try XLSXWriter(sheets: [.init(name: "Đại biểu", rows: [[.text("STT"), .text("Mã ĐB"), .text("Họ và tên"), .text("Đơn vị")],
                                                                [.number(1), .text("D1"), .text(names[0]), .text("Hà Nội")],
                                                                [.number(2), .text("D2"), .text(names[1]), .text("Huế")]])]).data().write(to: xlsx)
        let (fromXLSX, xlsxRun) = try await imported(xlsx.path, w1)
        #expect(fromXLSX.map { Array($0.utf8) } == names.map { Array($0.utf8) })
        #expect(xlsxRun.stderr.contains("reading sheet \"Đại biểu\""), "\(xlsxRun.stderr)")
        // ;-CSV with a byte-order mark, as Excel's "CSV UTF-8" writes it in a Vietnamese locale
        let w2 = try Workspace()
        let semicolon = w2.dir.appendingPathComponent("ds.csv")
        try (Data([0xEF, 0xBB, 0xBF]) + Data("Mã đại biểu;Họ và tên;Đoàn\r\nD1;\(names[0]);\"Hà Nội; khối A\"\r\nD2;\(names[1]);Huế\r\n".utf8)).write(to: semicolon)
        #expect(try await imported(semicolon.path, w2).0 == names)
        // Windows-1258, tone marks as combining bytes: decoded, and said so
        let w3 = try Workspace()
        let legacy = w3.dir.appendingPathComponent("ds-1258.csv")
        var bytes = Array("id;name\r\nD1;Nguy".utf8) + [0xEA, 0xDE] + Array("n Thi".utf8) + [0xF2, 0x20, 0xC1] + Array("nh Tuy".utf8) + [0xEA, 0xEC]
        bytes += Array("t\r\nD2;".utf8) + [0xD0, 0xE3, 0xF2] + Array("ng Qu".utf8) + [0xF4, 0xEC] + Array("c ".utf8) + [0xDD] + Array("ng\r\n".utf8)
        try Data(bytes).write(to: legacy)
        let (fromLegacy, legacyRun) = try await imported(legacy.path, w3)
        #expect(fromLegacy.map { Array($0.utf8) } == names.map { Array($0.utf8) })
        #expect(legacyRun.stderr.contains("read as Windows-1258"), "\(legacyRun.stderr)")
        // A header Excel users get wrong: the error lists what would do
        let bad = try await w3.launch("roster", "import", try w3.file("bad.csv", "STT;Tên đại biểu\n1;An\n"))
        #expect(bad.status != 0 && bad.stderr.contains("no id column; name it one of:") && bad.stderr.contains("«Mã đại biểu»"), "\(bad.stderr)")
    }

    @Test func quorum_isAnExactFraction_twoThirdsOf39_moreThanHalfOf40() async throws {
        /// (required, met) after each count of check-ins in `counts`.
        func quorum(count: Int, rule: String, checkedIn counts: [Int]) async throws -> [[String]] {
            let w = try Workspace()
            #expect(try await w.launch("roster", "import", try roster(w, count: count)).status == 0)
            #expect(try await w.launch("session", "open", "S", "--quorum", rule).status == 0)
            var seen: [[String]] = [], done = 0
            for target in counts {
                while done < target { done += 1; #expect(try await w.launch("checkin", "D\(done)", "--reason", "thẻ").status == 0) }
                let quorum = try #require(try json(try await w.launch("report", "--format", "json"))["quorum"] as? [String: Any])
                seen.append(["\(quorum["required"] ?? "")", "\(quorum["met"] ?? "")"])
            }
            return seen
        }
        #expect(try await quorum(count: 39, rule: "2/3", checkedIn: [25, 26]) == [["26", "0"], ["26", "1"]])
        #expect(try await quorum(count: 40, rule: ">1/2", checkedIn: [20, 21]) == [["21", "0"], ["21", "1"]])
        let w = try Workspace()
        let bad = try await w.launch("session", "open", "S", "--quorum", "hai phần ba")
        #expect(bad.status != 0 && bad.stderr.contains("is not a quorum: write 2/3"), "\(bad.stderr)")
    }

    /// A delegate who leaves early is `left` at that time in every format, and no longer counts as present.
    @Test func checkoutAfterArrival_isLeftInEveryFormat() async throws {
        let w = try Workspace()
        #expect(try await w.launch("roster", "import", try roster(w, count: 3)).status == 0)
        #expect(try await w.launch("session", "open", "S", "--quorum", ">1/2").status == 0)
        for id in ["D1", "D2"] { _ = try await w.launch("checkin", id, "--reason", "thẻ") }
        let out = try await w.launch("checkout", "D2", "--reason", "về sớm: việc gia đình")
        #expect(out.stdout.hasPrefix("delegate D2 (Đại biểu số 2) recorded as leaving early at "), "\(out.stdout)")
        let report = try json(try await w.launch("report", "--format", "json"))
        let rows = try #require(report["delegates"] as? [[String: Any]])
        #expect(rows[1]["status"] as? String == "left" && (rows[1]["left_at"] as? String)?.hasSuffix("+07:00") == true)
        #expect(rows[1]["first_seen"] != nil, "the arrival is kept")
        #expect((report["quorum"] as? [String: Any])?["present"] as? Int == 1)
        #expect((report["quorum"] as? [String: Any])?["met"] as? Bool == false)
        #expect(try await w.launch("report", "--format", "csv").stdout.contains("D2,Đại biểu số 2,Đoàn Huế,,left,"))
        let html = try await w.launch("report", "--format", "html", "--lang", "vi").stdout
        #expect(html.contains("Đã về sớm") && html.contains("về sớm: việc gia đình"))
        let xlsx = w.dir.appendingPathComponent("bc.xlsx").path
        let written = try await w.launch("report", "--format", "xlsx", "-o", xlsx, "--lang", "vi")
        #expect(written.status == 0, "\(written.stderr)")
        #expect(try XLSXReader(contentsOf: URL(fileURLWithPath: xlsx)).rows(ofSheet: "Điểm danh")[2].cells[5] == "Đã về sớm")
        #expect(written.stderr.contains("Túc số: 1/3 đại biểu có mặt; cần 2 (quá 1/2 tổng số) — Chưa đủ túc số"), "\(written.stderr)")
    }

    /// A database edited behind RollCall's back: every report format says so itself, and the command exits 3.
    @Test func report_onATamperedDatabase_saysSoInTheReportAndExits3() async throws {
        let w = try Workspace()
        #expect(try await w.launch("roster", "import", try roster(w, count: 2)).status == 0)
        _ = try await w.launch("session", "open", "S")
        _ = try await w.launch("checkin", "D1", "--reason", "thẻ")
        let sql = Process()
        sql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sql.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE attendance SET seen_at = seen_at - 3600000\"); c.commit()",
                         w.dir.appendingPathComponent("rollcall.db").path]
        try sql.run()
        sql.waitUntilExit()
        let csv = try await w.launch("report", "--format", "csv")
        #expect(csv.status == 3)
        #expect(csv.stdout.split(separator: "\r\n").dropFirst().allSatisfy { $0.hasSuffix(",broken") }, "\(csv.stdout)")
        #expect(csv.stderr.contains("the audit chain is BROKEN at attendance row 1"), "\(csv.stderr)")
        let html = try await w.launch("report", "--format", "html", "--lang", "vi")
        #expect(html.status == 3 && html.stdout.contains("CẢNH BÁO: chuỗi kiểm toán BỊ PHÁ VỠ tại attendance row 1"))
        let report = try json(try await w.launch("report", "--format", "json"))
        #expect((report["audit"] as? [String: Any])?["intact"] as? Bool == false)
    }

    // MARK: - Defects found on the way

    /// Models are found under `$HOME`, not the account's home directory (sudo, services, containers).
    @Test func models_areLookedForUnderHOME() async throws {
        var w = try Workspace()
        w.env["ROLLCALL_MODELS"] = nil
        let home = w.dir.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        w.env["HOME"] = home.path
        let empty = try await w.launch("models", "list")
        #expect(empty.stdout.contains("sface\tnot installed"), "\(empty.stdout)")   // the account's home has them; $HOME does not
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".cache/rollcall"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: home.appendingPathComponent(".cache/rollcall/models"),
                                                   withDestinationURL: URL(fileURLWithPath: Self.photos).deletingLastPathComponent())
        let found = try await w.launch("models", "list")
        #expect(found.stdout.contains("sface\tinstalled"), "\(found.stdout)")
    }

    /// Enrolling a roster again enrolls nothing twice.
    @Test func enrollRosterAgain_addsNoTemplate() async throws {
        let w = try Workspace()
        let csv = try w.file("ds.csv", "id;name;photo\nD1;Barack Obama;\"\(Self.photos)/obama2.jpg;\(Self.photos)/obama3.jpg\"\nD2;Joe Biden;\(Self.photos)/biden.jpg\n")
        #expect(try await w.launch("roster", "import", csv).status == 0)
        let first = try await w.launch("enroll", "--roster", csv)
        #expect(first.status == 0 && first.stdout.hasPrefix("3 of 3 photos enrolled for 2 delegates; 0 refused"), "\(first.stdout) \(first.stderr)")
        let again = try await w.launch("enroll", "--roster", csv)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 of 3 photos enrolled") && again.stdout.contains("3 photos were already enrolled, skipped"), "\(again.stdout)")
        #expect(again.stderr.contains("skipped: D1: obama2.jpg is already enrolled (template 1)"), "\(again.stderr)")
        let list = try JSONSerialization.jsonObject(with: Data(try await w.launch("delegates", "list", "--json").stdout.utf8)) as? [[String: Any]]
        #expect(list?.map { $0["templates"] as? Int } == [2, 1])
    }

    /// `enroll ID FOLDER` enrolls the folder's photos (it said "file is over 1 GiB").
    @Test func enrollIDFolder_enrollsItsPhotos() async throws {
        let w = try Workspace()
        #expect(try await w.launch("roster", "import", try w.file("ds.csv", "id,name\nD1,Barack Obama\n")).status == 0)
        let folder = w.dir.appendingPathComponent("anh-D1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.photos + "/obama2.jpg", toPath: folder.appendingPathComponent("1.jpg").path)
        try Data("notes".utf8).write(to: folder.appendingPathComponent("ghi-chu.txt"))
        let run = try await w.launch("enroll", "D1", folder.path)
        #expect(run.status == 0 && run.stdout.hasPrefix("1 of 1 photos enrolled for 1 delegates"), "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("anh-D1: 1 photos in the folder") && !run.stderr.contains("GiB"), "\(run.stderr)")
    }

    /// A folder where an image file is expected is named as a folder (OpenCV's stream opened it and reported a size
    /// over 1 GiB).
    @Test func folderWhereAnImageIsExpected_isCalledAFolder() async throws {
        let w = try Workspace()
        let folder = w.dir.appendingPathComponent("anh")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let detect = try await w.launch("detect", folder.path)
        #expect(detect.status != 0 && detect.stderr.contains("anh: is a folder, not an image file") && !detect.stderr.contains("GiB"),
                "\(detect.stderr)")
    }

    /// A busy port is named, with what to do (it was NIO's "bind(descriptor:ptr:bytes:): Address already in use").
    @Test func serveOnAPortInUse_namesThePort() async throws {
        let w = try Workspace()
        #expect(try await w.launch("roster", "import", try w.file("ds.csv", "id,name\nD1,Barack Obama\n")).status == 0)
        #expect(try await w.launch("enroll", "D1", Self.photos + "/obama2.jpg").status == 0)
        #expect(try await w.launch("session", "open", "S").status == 0)
        // Given a port another program listens on
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 1)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let config = try w.file("gates.yaml", "database: rollcall.db\nhttp: { port: \(port) }\ngates:\n  - { name: cong-chinh, source: \(Self.photos) }\n")
        // When serve is started on it
        let run = try await w.launch("serve", "--config", config, "--log-level", "critical")
        // Then it fails naming the address and what to do
        #expect(run.status != 0)
        #expect(run.stderr.contains("cannot listen on 127.0.0.1:\(port): port \(port) is already in use"), "\(run.stderr)")
        #expect(run.stderr.contains("choose another http.port"))
    }

    /// A key nobody reads is an error naming it and the near one (it was silently ignored).
    @Test func serveConfigWithAnUnknownKey_isRefusedNamingIt() async throws {
        let w = try Workspace()
        let config = try w.file("gates.yaml", "database: rollcall.db\ngate:\n  - { name: cong-chinh, source: /dev/video0 }\n")
        let run = try await w.launch("serve", "--config", config)
        #expect(run.status != 0)
        #expect(run.stderr.contains("unknown key `gate` at the top level (did you mean `gates`?)"), "\(run.stderr)")
        var vi = w
        vi.env["ROLLCALL_LANG"] = "vi"
        #expect(try await vi.launch("serve", "--config", config).stderr.contains("khoá «gate» không có ở cấp ngoài cùng (có phải ý là «gates»?)"))
    }

    /// `serve --example-config` prints a configuration that serve accepts as it is.
    @Test func serveExampleConfig_isAcceptedAsItIs() async throws {
        let w = try Workspace()
        for lang in ["vi", "en"] {
            let example = try await w.launch("serve", "--example-config", "--lang", lang)
            #expect(example.status == 0 && example.stdout.contains("gates:") && example.stdout.contains("lang: \(lang)"))
            let config = try w.file("gates-\(lang).yaml", example.stdout)
            // It passes every check of the configuration; what stops it is the empty database, not the file.
            let run = try await w.launch("serve", "--config", config)
            #expect(run.status != 0)
            #expect(run.stderr.contains("no session is open") || run.stderr.contains("chưa có phiên nào đang mở"), "\(run.stderr)")
        }
    }

    /// Verbs that never embed a face do not offer the embedding options.
    @Test func helpOfVerbsThatDoNotEmbed_listsNoEmbeddingOptions() async throws {
        let w = try Workspace()
        for verb in [["detect"], ["make-clip"], ["models", "list"], ["models", "fetch"], ["chips"]] {
            let help = try await w.launch(verb + ["--help"]).stdout
            #expect(!help.contains("--flip") && !help.contains("--opencv-convolution"), "\(verb): \(help)")
        }
        #expect(!(try await w.launch("models", "list", "--help").stdout.contains("--pack")))
        for verb in [["compare"], ["identify"], ["enroll"], ["watch"]] {
            #expect(try await w.launch(verb + ["--help"]).stdout.contains("--flip"), "\(verb) embeds")
        }
    }

    @Test func oneDelegate_isSingular() async throws {
        let w = try Workspace()
        let run = try await w.launch("roster", "import", try w.file("ds.csv", "id,name\nD1,An\n"))
        #expect(run.stdout.hasPrefix("1 delegate imported/updated (1 new, 0 updated)"), "\(run.stdout)")
        #expect(try await w.launch("delegates", "list").stdout.contains("1 delegate, 1 without templates"))
        #expect(try await w.launch("delegates", "list").stdout.contains("\t0 templates"))
    }
}
