import Foundation
import Logging
import RollCallPostgres
import Testing

/// `--db postgres://…` on whole command lines: the roll call in a PostgreSQL database, and errors that name the
/// server without the password.
@Suite struct PostgresCLITests {
    private static var serverURL: String? { ProcessInfo.processInfo.environment["ROLLCALL_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 } }
    private static var serverRequired: Bool { ProcessInfo.processInfo.environment["ROLLCALL_REQUIRE_POSTGRES"] == "1" }

    @Test func unreachableServer_Fail_namesItWithoutThePassword() async throws {
        var w = try CLITests.Workspace()
        w.env["ROLLCALL_DB"] = "postgres://gate:secretpw@127.0.0.1:1/congress"
        let run = try await w.launch("session", "list")
        #expect(run.status != 0)
        #expect(run.stderr.contains("cannot reach PostgreSQL at 127.0.0.1:1 (postgres://gate@127.0.0.1:1/congress)"), "\(run.stderr)")
        #expect(!run.stderr.contains("secretpw"))
    }

    @Test func malformedURL_Fail_namesWhatIsMissing() async throws {
        let w = try CLITests.Workspace()
        let run = try await w.launch("report", "--db", "postgresql://gate:secretpw@db.local:5432")
        #expect(run.status != 0)
        #expect(run.stderr.contains("database URL postgresql://gate:***@db.local:5432: it names no database"), "\(run.stderr)")
        #expect(!run.stderr.contains("secretpw"))
    }

    @Test func sqliteOnlyCommand_Fail_saysSo() async throws {
        let w = try CLITests.Workspace()
        let run = try await w.launch("tokens", "list", "--db", "postgres://gate:secretpw@db.local:5432/congress")
        #expect(run.status != 0)
        #expect(run.stderr.contains("is not available on PostgreSQL yet (postgres://gate@db.local:5432/congress)"), "\(run.stderr)")
        #expect(!run.stderr.contains("secretpw"))
    }

    @Test(.enabled(if: serverURL != nil || serverRequired, "ROLLCALL_TEST_POSTGRES is not set: PostgreSQL CLI test skipped (make test starts a server)"))
    func rollCallInPostgres_twoProcessesOneRecord() async throws {
        let text = try #require(Self.serverURL, "ROLLCALL_TEST_POSTGRES is not set, but make test requires it")
        let server = try PostgresURL(text)
        let name = "rollcall_cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        try PostgresDatabases.create(name, on: server, logger: logger)
        defer { try? PostgresDatabases.drop(name, on: server, logger: logger) }
        var w = try CLITests.Workspace()
        var url = server
        url.database = name
        // The password through PGPASSWORD, as the README advises: the URL on the command line carries none.
        w.env["PGPASSWORD"] = server.password
        w.env["ROLLCALL_DB"] = url.description
        let csv = try w.file("roster.csv", "id,name,unit\nD1,Nguyễn Thị Ánh Tuyết,Hà Nội\nD2,Trần Văn Bình,Huế\n")
        #expect(try await w.launch("roster", "import", csv).status == 0)
        let open = try await w.launch("session", "open", "Phiên 1", "--quorum", "1/2")
        #expect(open.status == 0, "\(open.stderr)")
        let checkin = try await w.launch("checkin", "D1", "--reason", "badge reader down")
        #expect(checkin.status == 0, "\(checkin.stderr)")
        let report = try await w.launch("report", "--format", "csv", "--no-bom")
        #expect(report.status == 0, "\(report.stderr)")
        let rows = report.stdout.split(whereSeparator: \.isNewline)
        #expect(rows.contains { $0.hasPrefix("D1,Nguyễn Thị Ánh Tuyết,Hà Nội,,present,") && $0.hasSuffix(",manual,badge reader down,intact") },
                "\(report.stdout)")
        #expect(rows.contains { $0.hasPrefix("D2,Trần Văn Bình,Huế,,absent") })
        let verify = try await w.launch("audit", "verify")
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test(.enabled(if: serverURL != nil || serverRequired, "ROLLCALL_TEST_POSTGRES is not set: PostgreSQL CLI test skipped (make test starts a server)"))
    func fourWatchProcesses_oneDatabase_eachDelegateCheckedInOnce() async throws {
        let text = try #require(Self.serverURL, "ROLLCALL_TEST_POSTGRES is not set, but make test requires it")
        let server = try PostgresURL(text)
        let name = "rollcall_gates_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        try PostgresDatabases.create(name, on: server, logger: logger)
        defer { try? PostgresDatabases.drop(name, on: server, logger: logger) }
        var w = try CLITests.Workspace()
        var url = server
        url.database = name
        w.env["PGPASSWORD"] = server.password
        w.env["ROLLCALL_DB"] = url.description
        let photos = (ProcessInfo.processInfo.environment["ROLLCALL_MODELS"] ?? "") + "/test-photos"
        let csv = try w.file("roster.csv", """
            id,name,unit,seat,photo
            D-001,Barack Obama,Đoàn Hoa Kỳ,A1,\(photos)/obama2.jpg;\(photos)/obama3.jpg
            D-002,Nguyễn Thị Ánh Tuyết,Đoàn Hà Nội,B1,

            """)
        #expect(try await w.launch("roster", "import", csv).status == 0)
        let enroll = try await w.launch("enroll", "--roster", csv)
        #expect(enroll.status == 0, "\(enroll.stderr)")
        #expect(try await w.launch("session", "open", "Phiên", "--quorum", "1/3").status == 0)
        let clip = w.dir.appendingPathComponent("entrance.avi").path
        #expect(try await w.launch("make-clip", "\(photos)/obama.jpg", "\(photos)/biden.jpg", "--out", clip).status == 0)
        // When four gates watch the same people walk in, at once, into one database
        let workspace = w
        let runs = try await withThrowingTaskGroup(of: CLITests.Run.self) { group in
            for gate in 1...4 { group.addTask { try await workspace.launch("watch", clip, "--gate", "gate-\(gate)") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Then every gate ran to the end, one of them checked Obama in, the others saw him, and the chain verifies
        #expect(runs.allSatisfy { $0.status == 0 }, "\(runs.map(\.stderr))")
        #expect(runs.filter { $0.stdout.contains("checked in D-001") }.count == 1, "\(runs.map(\.stdout))")
        let report = try await w.launch("report", "--format", "csv", "--no-bom")
        let rows = report.stdout.split(whereSeparator: \.isNewline)
        #expect(rows.filter { $0.contains(",present,") }.count == 1 && rows.contains { $0.hasPrefix("D-001,") && $0.contains(",present,") },
                "\(report.stdout)")
        let verify = try await w.launch("audit", "verify")
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
