import Foundation

/// Research output of `rollcall eval entrance --evidence FILE`: what the pipeline saw, one JSON object per line, so that
/// decision rules can be studied offline without running the networks again (as `rollcall eval embed` does for
/// stills). Biometric data: for evaluation sets only.
///
/// - `{"kind": "template", "delegate", "embedding"}`: every enrolled template.
/// - `{"kind": "still", "identity", "decision", "best", "distance"}`: each walking photo as a still.
/// - `{"kind": "detection", "frame", "track", "walker", "prior", "identity", "side", "score", "look", "track_distance",
///   "split", "embedding"}`: every detection matched to a walker (built entrances), or every embedded face (videos;
///   walker -1); `prior` is the walker the track followed before, `embedding` empty when not embedded in that frame.
public final class EvidenceLog: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends one record (its values must be JSON: numbers, strings, booleans, arrays of them).
    public func write(_ kind: String, _ record: [String: Any]) {
        var record = record
        record["kind"] = kind
        guard let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        lock.withLock { handle.write(data + Data("\n".utf8)) }
    }
}
