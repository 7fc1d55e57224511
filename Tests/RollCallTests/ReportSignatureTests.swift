import Crypto
import Foundation
import Testing

@testable import RollCall

/// The detached Ed25519 signature of a report: what it covers and what breaks it.
struct ReportSignatureTests {
    private let report = Data("delegate_id,name,status\r\nD1,Nguyễn Văn An,present\r\n# Audit chain head: ab12\r\n".utf8)
    private let key = Curve25519.Signing.PrivateKey()

    private func signed() throws -> ReportSignature {
        try ReportSignature.sign(report: report, sessionID: 3, chainHead: String(repeating: "ab", count: 32), chainLength: 17,
                                 signedAt: "2026-05-01T09:00:00+07:00", key: key)
    }

    @Test func verifiesWithTheSitesPublicKey() throws {
        let signature = try signed()
        #expect(signature.problem(report: report, publicKey: key.publicKey) == nil)
        #expect(signature.statement.contains("chain_head \(String(repeating: "ab", count: 32))\nchain_length 17\n"))
        // Survives the JSON file it travels in.
        let decoded = try JSONDecoder().decode(ReportSignature.self, from: JSONEncoder().encode(signature))
        #expect(decoded.problem(report: report, publicKey: key.publicKey) == nil)
    }

    @Test func oneChangedByte_anotherKey_orAnEditedStatement_fail() throws {
        let signature = try signed()
        var altered = report
        altered[altered.startIndex + 30] ^= 0x01
        #expect(signature.problem(report: altered, publicKey: key.publicKey)?.contains("altered") == true)
        #expect(signature.problem(report: report + Data("\n".utf8), publicKey: key.publicKey) != nil)
        let other = Curve25519.Signing.PrivateKey().publicKey
        #expect(signature.problem(report: report, publicKey: other)?.contains("does not verify with public key") == true)
        for edit in [\ReportSignature.chainLength] as [WritableKeyPath<ReportSignature, Int64>] {
            var edited = signature
            edited[keyPath: edit] += 1
            #expect(edited.problem(report: report, publicKey: key.publicKey) != nil)
        }
        var edited = signature
        edited.chainHead = String(repeating: "00", count: 32)
        #expect(edited.problem(report: report, publicKey: key.publicKey) != nil)
        // A signature over other bytes, with this file's hash pasted in, still fails: the hash is inside the statement.
        var pasted = try ReportSignature.sign(report: Data("other".utf8), sessionID: 3, chainHead: signature.chainHead, chainLength: 17,
                                              signedAt: signature.signedAt, key: key)
        pasted.reportSHA256 = signature.reportSHA256
        pasted.reportBytes = signature.reportBytes
        #expect(pasted.problem(report: report, publicKey: key.publicKey) != nil)
    }

    @Test func fingerprintIsStableAndReadable() {
        let fingerprint = ReportSignature.fingerprint(key.publicKey)
        #expect(fingerprint == ReportSignature.fingerprint(key.publicKey))
        #expect(fingerprint.split(separator: ":").count == 8 && fingerprint.count == 39)
    }
}
