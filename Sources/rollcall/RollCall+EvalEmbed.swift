import ArgumentParser
import Evaluation
import FaceEngine
import Foundation

extension RollCallCommand {
    /// Research output: the embeddings behind `eval pairs` / `eval identify`, so that fusions and score
    /// normalisations can be tried offline (benchmarks/) without re-running the networks.
    struct EvalEmbed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "embed",
            abstract: "Write the main-subject face's embedding of each listed image (biometric data: for evaluation sets only).",
            discussion: """
                LIST has lines path<TAB>identity (`-` for none), as for `eval identify`. Output: one line per image,
                path<TAB>identity<TAB>v1 v2 ... (the path as resolved against --root; the vector unit length,
                space-separated), or path<TAB>identity<TAB>- when no face was found.
                """
        )

        @OptionGroup var engineOptions: EngineOptions
        @Argument(help: "List file: path<TAB>identity.") var list: String
        @Option(help: "Folder relative paths start from.") var root = "."
        @Option(name: .shortAndLong, help: "Output file.") var output: String
        @Option(help: "Parallel workers.") var workers = ProcessInfo.processInfo.activeProcessorCount

        func run() throws {
            guard let text = try? String(contentsOfFile: list, encoding: .utf8) else {
                throw ValidationError("\(list): cannot read")
            }
            let entries = try LabeledImageList.parse(text, file: list, root: root).entries
            let engine = try engineOptions.engine(workers: workers)
            let progress = ProgressLine(total: entries.count, label: "embedding")
            let found = engine.oneFacePerFile(entries.map(\.path), choice: .mainSubject) { progress.update($0) }
            progress.finish()
            var out = ""
            for (entry, outcome) in zip(entries, found) {
                let vector = outcome.embedding.map { $0.vector.map { String($0) }.joined(separator: " ") } ?? "-"
                out += "\(entry.path)\t\(entry.identity ?? "-")\t\(vector)\n"
            }
            try out.write(toFile: output, atomically: true, encoding: .utf8)
        }
    }
}
