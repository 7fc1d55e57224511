import Foundation

/// Headless Chromium, as the dashboard and document tests drive it (installed by scripts/install-system-packages.sh).
///
/// Every call waits for the browser on a thread of its own (`LiveServer.onThread`), never on the cooperative pool:
/// on two cores, a test blocking a pool thread for seconds starves the other tests' tasks.
enum Chromium {
    static var binary: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Loads `url` and returns the DOM once the page has settled.
    ///
    /// - Parameter virtualTime: Milliseconds of the page's own time to let pass (timers fire) before the DOM is taken.
    static func dumpDOM(_ url: String, profile: String, virtualTime: Int = 3000) async throws -> String {
        String(decoding: try await run(common(profile: profile) + ["--virtual-time-budget=\(virtualTime)", "--dump-dom", url]), as: UTF8.self)
    }

    /// The DOM Chromium builds from `html` with every script blocked: the first paint, before any script could run.
    ///
    /// The page is loaded from a file with a `script-src 'none'` policy added at the top of its head (headless
    /// Chromium's `scriptEnabled=false` setting also stops `--dump-dom`, which runs through the same switch).
    static func firstPaint(of html: String, in directory: URL, profile: String) async throws -> String {
        guard let head = html.range(of: "<head>") else { return "" }
        let blocked = html.replacingCharacters(in: head, with: "<head><meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\">")
        let file = directory.appendingPathComponent("first-paint-\(UUID().uuidString).html")
        try blocked.write(to: file, atomically: true, encoding: .utf8)
        return try await dumpDOM(file.absoluteString, profile: profile, virtualTime: 500)
    }

    /// Writes a PNG of `url` at `width`×`height`.
    static func screenshot(_ url: String, to path: String, width: Int, height: Int, profile: String, virtualTime: Int = 2000) async throws {
        _ = try await run(common(profile: profile) + ["--virtual-time-budget=\(virtualTime)", "--hide-scrollbars",
                                                "--window-size=\(width),\(height)", "--screenshot=\(path)", url])
    }

    /// Prints `url` to an A4 PDF (the page's own print CSS; no browser header or footer).
    static func printToPDF(_ url: String, to path: String, profile: String) async throws {
        _ = try await run(common(profile: profile) + ["--no-pdf-header-footer", "--print-to-pdf=\(path)", url])
    }

    private static func common(profile: String) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile)"]
    }

    private static func run(_ arguments: [String]) async throws -> Data {
        guard let binary else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "chromium"]) }
        return try await LiveServer.onThread { try runBlocking(binary, arguments) }
    }

    private static func runBlocking(_ binary: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}
