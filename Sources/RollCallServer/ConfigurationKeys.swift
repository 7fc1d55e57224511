import Foundation
import LiveRecognition
import Yams

/// Refuses a serve configuration with a key nobody reads (`gate:` for `gates:`, `http.prot`), naming the key, where
/// it is, and the known key it most resembles: a silently ignored key is a setting the operator believes in and
/// RollCall does not apply.
///
/// The known keys are the configuration types' own `CodingKeys`, so a key added to a type is known here at once.
enum ConfigurationKeys {
    /// Keys per place in the document: the top level, `http`, `http.tls`, each gate, `pipeline`, `reconnect`.
    static let known: [String: [String]] = [
        "": ServerConfiguration.CodingKeys.allCases.map(\.stringValue),
        "http": ServerConfiguration.HTTP.CodingKeys.allCases.map(\.stringValue),
        "http.tls": ServerConfiguration.HTTP.TLS.CodingKeys.allCases.map(\.stringValue),
        "gates[]": GateConfiguration.CodingKeys.allCases.map(\.stringValue),
        "pipeline": PipelineConfiguration.keys,
        "reconnect": ReconnectPolicy.CodingKeys.allCases.map(\.stringValue),
    ]

    /// Throws `ServerError.unknownKey` for the first unknown key, in document order.
    static func check(_ yaml: String, file: String) throws {
        guard let root = try Yams.compose(yaml: yaml), let top = root.mapping else { return }
        try check(top, at: "", known: known[""]!, file: file)
        for (key, value) in top {
            guard let name = key.string else { continue }
            switch name {
            case "http":
                guard let mapping = value.mapping else { continue }
                try check(mapping, at: name, known: known[name]!, file: file)
                if let tls = mapping.first(where: { $0.key.string == "tls" })?.value.mapping {
                    try check(tls, at: "http.tls", known: known["http.tls"]!, file: file)
                }
            case "pipeline", "reconnect":
                if let mapping = value.mapping { try check(mapping, at: name, known: known[name]!, file: file) }
            case "gates":
                for (index, gate) in (value.sequence ?? []).enumerated() {
                    if let mapping = gate.mapping { try check(mapping, at: "gates[\(index)]", known: known["gates[]"]!, file: file) }
                }
            default:
                break
            }
        }
    }

    private static func check(_ mapping: Node.Mapping, at path: String, known: [String], file: String) throws {
        for key in mapping.keys {
            guard let name = key.string, !known.contains(name) else { continue }
            throw ServerError.unknownKey(file: file, key: name, path: path, near: nearest(to: name, in: known), known: known)
        }
    }

    /// The known key within a few edits of `key` (case and `-`/`_` ignored), if one is.
    ///
    /// A plain Levenshtein distance, written out: none of the mirrored packages offers one, and it is a dozen lines.
    static func nearest(to key: String, in known: [String]) -> String? {
        func normal(_ s: String) -> [Character] { Array(s.lowercased().replacingOccurrences(of: "-", with: "_")) }
        let a = normal(key)
        let scored = known.map { candidate -> (String, Int) in
            let b = normal(candidate)
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1] + Array(repeating: 0, count: b.count)
                for (j, y) in b.enumerated() {
                    current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
                }
                previous = current
            }
            return (candidate, previous[b.count])
        }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let prefixMatch = known.first { normal($0).starts(with: a) || a.starts(with: normal($0)) }
        if best.1 <= Swift.max(2, (a.count + 1) / 3) { return best.0 }
        return prefixMatch
    }
}
