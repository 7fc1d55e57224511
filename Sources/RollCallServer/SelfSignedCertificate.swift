import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate and key for HTTPS on a closed network with no certificate authority: `rollcall tls self-signed`.
/// Clients trust it by being given the certificate itself (`curl --cacert rollcall.crt`, or the browser's store).
///
/// ECDSA P-256, SHA-256; the names given become the subject alternative names (DNS names, or IP addresses for
/// literals), which is what clients check; the first is also the common name.
public struct SelfSignedCertificate: Sendable {
    /// The certificate, PEM.
    public var certificatePEM: String
    /// Its private key, PKCS #8 PEM.
    public var privateKeyPEM: String
    public var notValidAfter: Date
    /// SHA-256 of the certificate's DER, hex pairs joined by colons (what browsers show).
    public var fingerprint: String

    /// - Parameters:
    ///   - hosts: Host names and IP addresses clients will use to reach the server (at least one).
    ///   - days: How long it is valid.
    public init(hosts: [String], days: Int, now: Date = Date()) throws {
        precondition(!hosts.isEmpty, "a certificate needs at least one host")
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName(hosts[0])
            OrganizationName("RollCall")
        }
        let names: [GeneralName] = hosts.map { host in
            Self.ipAddressBytes(host).map { .ipAddress(ASN1OctetString(contentBytes: $0[...])) } ?? .dnsName(host)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(names)
        }
        notValidAfter = now.addingTimeInterval(Double(days) * 86_400)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: notValidAfter, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: .init(key))
        certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
        privateKeyPEM = key.pemRepresentation + "\n"
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        fingerprint = SHA256.hash(data: serializer.serializedBytes).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// The bytes of an IPv4 or IPv6 literal; `nil` for a host name.
    static func ipAddressBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
