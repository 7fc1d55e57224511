import ArgumentParser
import FaceEngine
import Foundation

/// Where the model packs are installed; for verbs that only list or manage them.
struct ModelsDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("models"), help: "Folder of installed model packs (default: $ROLLCALL_MODELS or $HOME/.cache/rollcall/models).")
    var modelsDirectory: String?

    var store: ModelStore { ModelStore.resolve(modelsDirectory) }
}

/// Where the model packs are and which one to use; for verbs that detect faces (or manage one pack) but never embed
/// them, so the embedding settings (`--flip`, `--opencv-convolution`) are not listed in their help.
struct ModelOptions: ParsableArguments {
    @OptionGroup var directory: ModelsDirectoryOptions

    @Option(help: "Model pack (env ROLLCALL_PACK): sface (default), w600k-mbf (most accurate, East-Asian faces too; weights licensed for non-commercial research only), sface-dlib (two networks fused), dlib, or a site pack.")
    var pack = ProcessInfo.processInfo.environment["ROLLCALL_PACK"] ?? "sface"

    var store: ModelStore { directory.store }

    /// Loads and verifies the pack: an engine with the pack's own settings.
    func engine(workers: Int = 1) throws -> FaceEngine {
        try FaceEngine(pack: store.load(packNamed: pack), workers: workers, flip: nil)
    }
}

/// A pack and how faces are embedded; for verbs that embed (compare, identify, enroll, evaluate, watch, bench).
struct EngineOptions: ParsableArguments {
    @OptionGroup var model: ModelOptions

    @Flag(inversion: .prefixedNo, help: "Embed each face's chip and its mirror image and average them (default: the pack's setting).")
    var flip: Bool?

    @Flag(help: "Run every convolution on OpenCV's own kernels, as before RollCall's convolution kernels (slower; for comparisons).")
    var opencvConvolution = false

    var pack: String { model.pack }
    var store: ModelStore { model.store }

    /// Loads and verifies the pack, and builds an engine with `workers` parallel workers.
    /// - Parameter flipUnlessTold: the flip setting when neither --flip nor --no-flip was given
    ///   (nil: the pack's).
    func engine(workers: Int = 1, flipUnlessTold: Bool? = nil) throws -> FaceEngine {
        FaceEngine.useOwnConvolution(!opencvConvolution)
        return try FaceEngine(pack: store.load(packNamed: pack), workers: workers, flip: flip ?? flipUnlessTold)
    }
}

/// Prints a value as pretty, key-sorted JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // A threshold nothing crosses is infinite (e.g. FAR 0.1 % when no impostor was scored): JSON has no number
    // for it, so it is written as the string "inf" (still valid JSON; Python's float() reads it).
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                  nan: "nan")
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Writes a line to standard error (progress and warnings stay out of machine output).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
