import Crypto
import Foundation

/// The site's Ed25519 signing key, which signs reports (`rollcall report --sign`), and its public half, which an
/// auditor uses to check them on another machine.
///
/// Both are PEM files in the standard encodings of RFC 8410 (PKCS #8 `PRIVATE KEY`, SubjectPublicKeyInfo
/// `PUBLIC KEY`), so OpenSSL reads them too. For Ed25519 those encodings are a fixed 16- or 12-byte header before the
/// 32 key bytes, written here directly. The private key file is a secret file (0600, refused when others may read it).
public enum SiteSigningKey {
    /// `$XDG_DATA_HOME/rollcall/site-signing.key`, else `~/.local/share/rollcall/site-signing.key`; `ROLLCALL_SITE_KEY_FILE` wins.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["ROLLCALL_SITE_KEY_FILE"], !path.isEmpty { return path }
        let template = TemplateKeySource.defaultKeyFile(environment: environment)
        return (template as NSString).deletingLastPathComponent + "/site-signing.key"
    }

    private static let privatePrefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    private static let publicPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// Reads the key at `path`, creating it first when `create` and it does not exist.
    ///
    /// - Returns: the key, and whether it was made now.
    public static func load(path: String, create: Bool) throws -> (key: Curve25519.Signing.PrivateKey, created: Bool) {
        if !FileManager.default.fileExists(atPath: path) {
            guard create else { throw StoreError.keyFile(path, what: "site signing key", reason: "does not exist") }
            let key = Curve25519.Signing.PrivateKey()
            if try SecretFile.create(path, text: pem("PRIVATE KEY", privatePrefix + key.rawRepresentation), what: "site signing key") {
                return (key, true)
            }
        }
        let der = try unpem(try SecretFile.read(path, what: "site signing key"), label: "PRIVATE KEY", path: path, what: "site signing key")
        guard der.count == 48, Array(der.prefix(16)) == privatePrefix,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)) else {
            throw StoreError.keyFile(path, what: "site signing key", reason: "is not an Ed25519 private key (PKCS #8 PEM)")
        }
        return (key, false)
    }

    /// The public key as a PEM `PUBLIC KEY` block.
    public static func publicPEM(_ key: Curve25519.Signing.PublicKey) -> String {
        pem("PUBLIC KEY", publicPrefix + key.rawRepresentation)
    }

    /// Reads a public key file written by `publicPEM` (or by `openssl pkey -pubout` from an Ed25519 key).
    public static func readPublic(path: String) throws -> Curve25519.Signing.PublicKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.keyFile(path, what: "public key file", reason: "cannot read")
        }
        let der = try unpem(String(decoding: data, as: UTF8.self), label: "PUBLIC KEY", path: path, what: "public key file")
        guard der.count == 44, Array(der.prefix(12)) == publicPrefix,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)) else {
            throw StoreError.keyFile(path, what: "public key file", reason: "is not an Ed25519 public key (PEM PUBLIC KEY)")
        }
        return key
    }

    private static func pem(_ label: String, _ der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }

    private static func unpem(_ text: String, label: String, path: String, what: String) throws -> [UInt8] {
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex),
              let der = Data(base64Encoded: String(text[start.upperBound..<stop.lowerBound]).filter { !$0.isWhitespace }) else {
            throw StoreError.keyFile(path, what: what, reason: "holds no PEM \(label) block")
        }
        return Array(der)
    }
}
