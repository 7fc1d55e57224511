import Documents
import Foundation
import Prometheus
import RollCall
import RollCallServer
import Testing
import Texts

/// The printed sign-in sheet, as Chromium prints it to A4 PDF and poppler reads the pages back.
struct DocumentPrintTests {
    /// A delegation of 70 (longer than a page) and one of 5, with the congress's longest name.
    static func longReport() -> AttendanceReport {
        let opened = CongressFixture.opened
        var rows: [AttendanceReport.Row] = []
        for i in 1...75 {
            let d = CongressFixture.delegate(((i - 1) % CongressFixture.size) + 1)
            rows.append(.init(delegateID: String(format: "ĐB-%03d", i), name: i == 3 ? CongressFixture.longName : d.name,
                              unit: i <= 70 ? "Đoàn Thành phố Hồ Chí Minh" : "Đoàn Cần Thơ", seat: "K\(i)",
                              status: i % 4 == 0 ? .absent : .present, firstSeen: i % 4 == 0 ? nil : opened.addingTimeInterval(Double(i) * 20),
                              method: .face))
        }
        return AttendanceReport(session: SessionInfo(id: 1, name: "Kỳ họp thứ 9 — phiên khai mạc", quorumRule: .atLeast(2, 3),
                                                     openedAt: opened, closedAt: nil),
                                rows: rows, generatedAt: opened.addingTimeInterval(3600), chainHead: String(repeating: "c", count: 64))
    }

    @Test func signInSheet_printsOnA4WithRepeatedHeadersPageNumbersAndNamesOnOneLine() async throws {
        _ = try #require(Chromium.binary, "chromium is not installed (scripts/install-system-packages.sh installs it)")
        let directory = try ServerFixtures.temporaryDirectory()
        defer { if ProcessInfo.processInfo.environment["ROLLCALL_KEEP_PRINTS"] == nil { try? FileManager.default.removeItem(at: directory) } }
        let html = directory.appendingPathComponent("ky-ten.html")
        try ReportDocument.signIn.html(Self.longReport(), Presentation()).write(to: html, atomically: true, encoding: .utf8)
        let pdf = directory.appendingPathComponent("ky-ten.pdf").path
        try await Chromium.printToPDF(html.absoluteString, to: pdf, profile: directory.appendingPathComponent("chromium").path)

        let pages = try await LiveServer.onThread { try Poppler.pages(pdf) }
        #expect(pages.count >= 4, "70 + 5 delegates with a signature row each need several pages: \(pages.count)")
        for (index, text) in pages.enumerated() {
            // Every page: its number out of all, and the table header with the delegation's name repeated
            #expect(text.contains("Trang \(index + 1) / \(pages.count)"), "page \(index + 1): \(text.prefix(400))")
            #expect(text.contains("Họ và tên") && text.contains("Ký tên"), "page \(index + 1) repeats the header")
            #expect(text.contains("Đoàn: Đoàn Thành phố Hồ Chí Minh") || text.contains("Đoàn: Đoàn Cần Thơ"), "page \(index + 1)")
        }
        // The second delegation starts on a page of its own
        let canTho = try #require(pages.firstIndex { $0.contains("Đoàn: Đoàn Cần Thơ") })
        #expect(!pages[canTho].contains("Đoàn: Đoàn Thành phố Hồ Chí Minh"))
        // The longest name stays on one line
        #expect(pages.joined().split(separator: "\n").contains { $0.contains(CongressFixture.longName) }, "the long name wrapped")
        #expect(pages[0].contains("DANH SÁCH ĐẠI BIỂU KÝ TÊN"))
    }
}

/// poppler's command-line tools (Debian's poppler-utils, installed by scripts/install-system-packages.sh).
enum Poppler {
    /// The text of each page, laid out as printed.
    static func pages(_ pdf: String) throws -> [String] {
        let all = try run("/usr/bin/pdftotext", ["-layout", pdf, "-"])
        return all.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
