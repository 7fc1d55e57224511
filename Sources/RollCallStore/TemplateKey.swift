import Crypto
import Foundation

/// Where the 256-bit AES-GCM key that seals templates comes from. The key never enters the database.
///
/// Resolution order used by the CLI (`fromEnvironment`): `ROLLCALL_KEY` (base64 of 32 bytes), then `--key-file`,
/// then `ROLLCALL_KEY_FILE`, then `$XDG_DATA_HOME/rollcall/template.key` (default `~/.local/share/rollcall/template.key`).
/// A key file is created on first use — only for a database that has no templates key yet — with mode 0600 in a
/// 0700 directory; an existing key file readable by group or others is refused.
public enum TemplateKeySource: Sendable {
    /// 32 key bytes given directly (tests, embedding).
    case raw(Data)

    /// A key given directly.
    public static func key(_ key: SymmetricKey) -> Self { .raw(key.withUnsafeBytes { Data($0) }) }
    /// Base64 text, e.g. from `ROLLCALL_KEY`.
    case base64(String)
    /// A key file path.
    case file(String)

    /// The CLI's resolution order.
    public static func fromEnvironment(keyFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        if let text = environment["ROLLCALL_KEY"], !text.isEmpty { return .base64(text) }
        if let keyFile { return .file(keyFile) }
        if let path = environment["ROLLCALL_KEY_FILE"], !path.isEmpty { return .file(path) }
        return .file(defaultKeyFile(environment: environment))
    }

    /// `$XDG_DATA_HOME/rollcall/template.key`, else `~/.local/share/rollcall/template.key`.
    public static func defaultKeyFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/rollcall/template.key" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/rollcall/template.key"
    }

    /// Human-readable origin, for errors (never the key itself).
    public var origin: String {
        switch self {
        case .raw: "the caller"
        case .base64: "ROLLCALL_KEY"
        case .file(let path): "key file \(path)"
        }
    }

    /// Loads the key; `nil` if it is a file that does not exist and `create` is false.
    public func load(create: Bool) throws -> SymmetricKey? {
        switch self {
        case .raw(let data):
            guard data.count == 32 else { throw StoreError.keyFile("(given key)", reason: "must be exactly 32 bytes") }
            return SymmetricKey(data: data)
        case .base64(let text):
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
                throw StoreError.keyFile("ROLLCALL_KEY", reason: "must be base64 of exactly 32 bytes")
            }
            return SymmetricKey(data: data)
        case .file(let path):
            if FileManager.default.fileExists(atPath: path) { return try Self.read(path) }
            guard create else { return nil }
            return try Self.create(path)
        }
    }

    private static func read(_ path: String) throws -> SymmetricKey {
        guard let raw = Data(base64Encoded: try SecretFile.read(path, what: "template key file")), raw.count == 32 else {
            throw StoreError.keyFile(path, reason: "does not hold base64 of 32 bytes")
        }
        return SymmetricKey(data: raw)
    }

    private static func create(_ path: String) throws -> SymmetricKey {
        let key = SymmetricKey(size: .bits256)
        guard try SecretFile.create(path, text: text(of: key), what: "template key file") else { return try read(path) }
        return key
    }

    /// The key file's content: base64 and a newline.
    static func text(of key: SymmetricKey) -> String { key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n" }
}

/// Sealing and opening of embeddings with AES-GCM (every store seals the same way, so a key opens either).
public enum TemplateSealer {
    /// The key check value stored in `meta`: HMAC-SHA256 of a fixed label, so a wrong key is detected without
    /// touching any template and without storing anything that helps recover the key.
    public static func checkValue(_ key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("rollcall template key check v1".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Seals little-endian float bytes; the delegate id is authenticated data, so a blob moved to another delegate
    /// does not open.
    public static func seal(_ embedding: [Float], delegateID: String, key: SymmetricKey) throws -> Data {
        var bytes = Data(capacity: embedding.count * 4)
        for value in embedding { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        let box = try AES.GCM.seal(bytes, using: key, authenticating: Array(delegateID.utf8))
        return box.combined!  // the default 12-byte nonce always yields a combined representation
    }

    public static func open(_ sealed: Data, delegateID: String, key: SymmetricKey) throws -> [Float] {
        let box = try AES.GCM.SealedBox(combined: sealed)
        let bytes = try AES.GCM.open(box, using: key, authenticating: Array(delegateID.utf8))
        return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            let b = bytes.startIndex + i
            let bits = UInt32(bytes[b]) | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b + 2]) << 16 | UInt32(bytes[b + 3]) << 24
            return Float(bitPattern: bits)
        }
    }
}
