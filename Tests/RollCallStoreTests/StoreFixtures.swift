import Crypto
import Foundation
import Logging
import RollCall

@testable import RollCallStore

/// A fresh folder for one test's database and key files.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "rollcall-store-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// A fixed test key.
var testKey: SymmetricKey { SymmetricKey(data: Data(repeating: 7, count: 32)) }

/// The pack the store tests' templates are recorded as made by (any name and digest do: the store never reads models).
let testPack = TemplatePack(name: "sface", digest: String(repeating: "a1", count: 32))

/// Opens a store on a file in `directory` with the test key.
func makeStore(
    _ directory: TemporaryDirectory, name: String = "rollcall.db", key: TemplateKeySource = .key(testKey),
    busyTimeout: TimeInterval = 5, logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
) throws -> RollCallStore {
    try RollCallStore(path: directory.file(name), keySource: key, busyTimeout: busyTimeout, logger: logger)
}

/// A roster of `ids` with Vietnamese names.
func makeRoster(_ ids: [String]) throws -> Roster {
    let names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Châu", "Phạm Minh Dũng", "Võ Thị Ánh Tuyết"]
    let csv = "id,name,unit\n" + ids.enumerated().map { "\($1),\(names[$0 % names.count]),Đoàn \($0)" }.joined(separator: "\n")
    return try Roster.parse(Array(csv.utf8), source: "test.csv", baseDirectory: "/")
}

/// A deterministic unit vector.
func makeEmbedding(seed: UInt64, dimension: Int = 128) -> [Float] {
    var generator = SplitMix64(seed: seed)
    return MatcherBenchmark.randomUnitVector(dimension, using: &generator)
}

/// Bytes of the database file and its WAL.
func rawBytes(_ store: RollCallStore) -> [UInt8] {
    let main = FileManager.default.contents(atPath: store.path) ?? Data()
    let wal = FileManager.default.contents(atPath: store.path + "-wal") ?? Data()
    return Array(main) + Array(wal)
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}

/// Little-endian bytes of floats, as they would sit in memory.
func floatBytes(_ values: ArraySlice<Float>) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}

/// Captures every log line, for checking what the store writes.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        lock.withLock { lines.append("\(message) \(metadata ?? [:])") }
    }

    var entries: [String] { lock.withLock { lines } }
}
