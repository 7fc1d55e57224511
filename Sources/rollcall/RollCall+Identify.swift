import ArgumentParser
import FaceEngine
import Foundation
import LiveRecognition
import RollCall

extension RollCallCommand {
    struct Identify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recognise every face in images against the enrolled delegates (open-set: strangers stay unknown)."
        )

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var engineOptions: EngineOptions

        @Argument(help: "Image files.")
        var images: [String]

        @Flag(help: "Print JSON.")
        var json = false

        struct FaceResult: Encodable {
            struct DelegateRef: Encodable { var id: String; var name: String }
            struct Candidate: Encodable { var id: String; var distance: Float }
            var box: [Float]
            var delegate: DelegateRef?
            var distance: Float?
            var decision: String
            var candidates: [Candidate]
        }

        struct ImageResult: Encodable {
            var image: String
            var faces: [FaceResult]?
            var error: String?
        }

        func run() throws {
            let store = try storeOptions.openStore(mustExist: true)
            let engine = try engineOptions.engine()
            let matcher = try MatcherAssembly.makeMatcher(store: store, engine: engine)
            let names = Dictionary(uniqueKeysWithValues: try store.delegates().map { ($0.id, $0.name) })
            var results: [ImageResult] = []
            for path in images {
                do {
                    let image = try Image(contentsOf: path)
                    let faces = try engine.analyze(image).map { found -> FaceResult in
                        let match = matcher.match(found.embedding.vector)
                        return FaceResult(
                            box: [found.face.box.x, found.face.box.y, found.face.box.width, found.face.box.height],
                            delegate: match.delegateID.map { .init(id: $0, name: names[$0] ?? "") },
                            distance: match.distance, decision: match.decision.label,
                            candidates: match.candidates.map { .init(id: $0.delegateID, distance: $0.distance) })
                    }
                    results.append(ImageResult(image: path, faces: faces))
                } catch {
                    results.append(ImageResult(image: path, error: "\(error)"))
                }
            }
            if json {
                try printJSON(results)
            } else {
                for r in results {
                    if let error = r.error { printError("error: \(error)"); continue }
                    print("\(r.image): \(r.faces!.count) face(s)")
                    for f in r.faces! {
                        let who = f.delegate.map { "\($0.id) \($0.name)" } ?? "unknown (\(f.decision))"
                        let best = f.candidates.first.map { String(format: "%.3f", max(0, $0.distance)) } ?? "-"
                        print("  [\(f.box.map { String(Int($0)) }.joined(separator: ","))] \(who), best distance \(best)")
                    }
                }
            }
            if results.contains(where: { $0.error != nil }) { throw ExitCode.failure }
        }
    }
}

extension MatchResult.Decision {
    var label: String {
        switch self {
        case .accepted: "accepted"
        case .emptyGallery: "no delegates enrolled"
        case .aboveThreshold: "no delegate close enough"
        case .ambiguous(let runnerUp): "ambiguous with \(runnerUp)"
        }
    }
}
