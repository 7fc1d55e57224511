#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RollCall
import RollCallStore
import Testing

/// `rollcall watch` killed with SIGKILL mid-run, then restarted on the same input.
struct WatchCrashTests {
    @Test func killDashNine_thenRestart_losesAndDuplicatesNothing() async throws {
        // Given an enrolled store and the moving-faces clip
        let directory = try ServerFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, session) = try ServerFixtures.makeStore(in: directory)
        let video = directory.appendingPathComponent("entrance.avi").path
        // Obama's first pass is confirmed early; 6,000 empty frames follow, so the kill lands mid-file however
        // fast or slow the machine is (file mode drops no frame, unlike --realtime under load).
        try ServerFixtures.writeMovingFacesVideo(to: video, emptyTail: 6_000)
        let arguments = ["watch", video, "--gate", "north", "--db", store.path, "--key-file", ServerFixtures.keyFile(in: directory)]

        // When the first run is killed right after it acknowledged a check-in
        let first = try CLI.start(arguments)
        let acknowledged = try await first.waitForLine(containing: "checked in", timeout: 60)
        let acknowledgedAt = Date()
        kill(first.process.processIdentifier, SIGKILL)
        await first.waitForExit()
        #expect(acknowledged.contains("D-OBAMA"))
        #expect(first.process.terminationReason == .uncaughtSignal)
        let afterCrash = try store.report(sessionID: session.id)
        let recorded = try #require(afterCrash.rows.first { $0.delegateID == "D-OBAMA" })
        #expect(recorded.status == .present)
        #expect(try #require(recorded.firstSeen) <= acknowledgedAt)

        // And the same input is watched again to the end
        let second = try CLI.start(arguments)
        await second.waitForExit()
        #expect(second.process.terminationStatus == 0)

        // Then the acknowledged record is still there, unchanged and not duplicated, and the chain verifies
        let report = try store.report(sessionID: session.id)
        #expect(report.rows.filter { $0.status == .present }.map(\.delegateID) == ["D-OBAMA"])
        #expect(report.rows.first { $0.delegateID == "D-OBAMA" }?.firstSeen == recorded.firstSeen)
        #expect(!second.output.contains("checked in D-"))   // nothing new to acknowledge
        let verify = try CLI.start(["audit", "verify", "--db", store.path, "--key-file", ServerFixtures.keyFile(in: directory)])
        await verify.waitForExit()
        #expect(verify.process.terminationStatus == 0, "\(verify.output)")
        #expect(try store.verifyAudit().isIntact)
    }
}

/// The `rollcall` executable built next to the tests.
final class CLI: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var text = ""

    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("rollcall")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return Bundle.main.bundleURL.appendingPathComponent("rollcall")
    }

    /// Everything written to standard output so far.
    var output: String { lock.withLock { text } }

    static func start(_ arguments: [String]) throws -> CLI {
        let cli = CLI()
        cli.process.executableURL = executable
        cli.process.arguments = arguments
        // The assertions read English messages (the CLI speaks Vietnamese by default).
        cli.process.environment = ProcessInfo.processInfo.environment.merging(["ROLLCALL_LANG": "en"]) { $1 }
        let pipe = Pipe()
        cli.process.standardOutput = pipe
        cli.process.standardError = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            cli.lock.withLock { cli.text += String(decoding: data, as: UTF8.self) }
        }
        try cli.process.run()
        return cli
    }

    /// The first output line containing `needle`.
    func waitForLine(containing needle: String, timeout: Double) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = output.split(separator: "\n").first(where: { $0.contains(needle) }) { return String(line) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CLIError(description: "no line containing \"\(needle)\" within \(timeout) s; output: \(output)")
    }

    /// Waits for the process to end on a thread of its own. The second `watch` reads 6,000 frames (seconds to tens of
    /// seconds under load): a cooperative thread blocked that long is one of the two this machine has, and every other
    /// test's tasks (servers, heartbeats, timeouts) wait for it.
    func waitForExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread { self.process.waitUntilExit(); continuation.resume() }.start()
        }
    }

    struct CLIError: Error, CustomStringConvertible { var description: String }
}
