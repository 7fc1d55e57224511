import Crypto
import Foundation

/// A detached Ed25519 signature over a rendered report and the audit chain head it was made at, so an auditor can
/// check offline, with only the site's public key, that a report file is the one the site produced and which state of
/// the chain it vouches for.
///
/// What is signed is `statement`: a few lines of text with a version tag, the report file's SHA-256 and size, the
/// session, the chain head (hash and length) and the time, so the signature covers the bytes exactly and the facts an
/// auditor compares with the database.
public struct ReportSignature: Sendable, Equatable, Codable {
    public static let format = "rollcall-signed-report-v1"

    public var format: String
    public var algorithm: String
    /// SHA-256 of the report file, lowercase hex, and its length in bytes.
    public var reportSHA256: String
    public var reportBytes: Int
    public var sessionID: Int64
    /// The audit chain's head when the report was made: its hash and how many links it has.
    public var chainHead: String
    public var chainLength: Int64
    /// ISO 8601 time of signing.
    public var signedAt: String
    /// The signer's public key (raw 32 bytes, base64) and its fingerprint, for the auditor to compare with the key
    /// they were given; the check itself uses the key they were given, never this one.
    public var publicKey: String
    public var keyFingerprint: String
    /// Ed25519 signature over `statement`, base64.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case format, algorithm, signature
        case reportSHA256 = "report_sha256", reportBytes = "report_bytes", sessionID = "session_id"
        case chainHead = "chain_head", chainLength = "chain_length", signedAt = "signed_at"
        case publicKey = "public_key", keyFingerprint = "key_fingerprint"
    }

    /// The signed text.
    public var statement: String {
        [format, "report_sha256 \(reportSHA256)", "report_bytes \(reportBytes)", "session_id \(sessionID)",
         "chain_head \(chainHead)", "chain_length \(chainLength)", "signed_at \(signedAt)"].joined(separator: "\n") + "\n"
    }

    /// Signs `report` (the exact bytes written to the file).
    public static func sign(report: Data, sessionID: Int64, chainHead: String, chainLength: Int64, signedAt: String,
                            key: Curve25519.Signing.PrivateKey) throws -> ReportSignature {
        var signature = ReportSignature(
            format: format, algorithm: "ed25519", reportSHA256: hex(SHA256.hash(data: report)), reportBytes: report.count,
            sessionID: sessionID, chainHead: chainHead, chainLength: chainLength, signedAt: signedAt,
            publicKey: key.publicKey.rawRepresentation.base64EncodedString(), keyFingerprint: fingerprint(key.publicKey), signature: "")
        signature.signature = try key.signature(for: Data(signature.statement.utf8)).base64EncodedString()
        return signature
    }

    /// Why a report does not verify; `nil` when it does.
    public func problem(report: Data, publicKey: Curve25519.Signing.PublicKey) -> String? {
        guard format == Self.format, algorithm == "ed25519" else { return "not a \(Self.format) ed25519 signature (\(format), \(algorithm))" }
        guard let raw = Data(base64Encoded: signature),
              publicKey.isValidSignature(raw, for: Data(statement.utf8)) else {
            return "the signature does not verify with public key \(Self.fingerprint(publicKey)): signed by another key, or the signature file was altered"
        }
        let digest = Self.hex(SHA256.hash(data: report))
        guard report.count == reportBytes, digest == reportSHA256 else {
            return "the report's bytes are not the ones signed (SHA-256 \(digest), \(report.count) bytes; signed: \(reportSHA256), \(reportBytes) bytes): it was altered"
        }
        return nil
    }

    /// First 16 bytes of the SHA-256 of the raw public key, hex in groups of four: what an auditor reads aloud.
    public static func fingerprint(_ key: Curve25519.Signing.PublicKey) -> String {
        let digest = hex(SHA256.hash(data: key.rawRepresentation)).prefix(32)
        return stride(from: 0, to: 32, by: 4).map { i in
            String(digest[digest.index(digest.startIndex, offsetBy: i)..<digest.index(digest.startIndex, offsetBy: i + 4)])
        }.joined(separator: ":")
    }

    private static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}
