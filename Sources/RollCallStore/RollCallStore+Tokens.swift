import Crypto
import Foundation
import GRDB
import RollCall

/// An HTTP API token as the store lists it: never the secret, which only its holder has.
public struct APITokenInfo: Sendable, Equatable, Codable {
    public var id: Int64
    /// The person it was made for; recorded in the audit chain with everything done with it.
    public var name: String
    public var role: AccessRole
    public var createdAt: Date
    /// After this the token is refused; `nil`: it does not expire.
    public var expiresAt: Date?
    /// When it was revoked; `nil` while it is live.
    public var revokedAt: Date?

    /// Whether the token is accepted at `date`.
    public func isLive(at date: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { date < $0 } ?? true)
    }
}

/// A token just made: the secret is here once, to be handed to its holder; the store keeps only its SHA-256.
public struct NewAPIToken: Sendable {
    public var info: APITokenInfo
    public var secret: String
}

/// What a presented token turned out to be.
public enum TokenCheck: Sendable, Equatable {
    case accepted(APITokenInfo)
    case expired(APITokenInfo)
    case revoked(APITokenInfo)
    /// No token has this secret.
    case unknown
}

/// An `api_token` row.
struct APITokenRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "api_token"
    var id: Int64?
    var name: String
    var role: String
    var secretSHA256: String
    var createdAt: Int64
    var expiresAt: Int64?
    var revokedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id, name, role
        case secretSHA256 = "secret_sha256"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
    }
    enum Columns {
        static let name = Column(CodingKeys.name)
        static let secretSHA256 = Column(CodingKeys.secretSHA256)
        static let revokedAt = Column(CodingKeys.revokedAt)
    }
    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var info: APITokenInfo {
        APITokenInfo(id: id!, name: name, role: AccessRole(rawValue: role) ?? .viewer, createdAt: Date(milliseconds: createdAt),
                     expiresAt: expiresAt.map { Date(milliseconds: $0) }, revokedAt: revokedAt.map { Date(milliseconds: $0) })
    }
}

/// Per-person API tokens. The secret is 32 random bytes (base64url, `rct_` in front so it is recognisable in a
/// leaked paste); the table keeps its SHA-256 only, so a copy of the database lets nobody in. A presented token is
/// found by the hash of what was presented: with 256-bit secrets nothing is learnt from how long that lookup takes.
/// Each request reads the table, so a token added or revoked is in force at the next request, without a restart.
extension RollCallStore {
    /// Makes a token for `name` with `role`, chained in the audit trail as `token.add` by `actor`.
    ///
    /// - Throws: `badArgument` when `name` already has a live token (revoke it first), or `expiresAt` is past.
    public func addToken(name: String, role: AccessRole, expiresAt: Date? = nil, actor: String, at date: Date = Date()) throws -> NewAPIToken {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines).nfc
        guard !name.isEmpty, !name.contains(where: \.isNewline) else { throw StoreError.badArgument("a token needs a person's name (one line)") }
        if let expiresAt, expiresAt <= date {
            throw StoreError.badArgument("token for \(name): expiry \(expiresAt) is not in the future")
        }
        let secret = "rct_" + Self.base64URL(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
        let info = try write { db -> APITokenInfo in
            let now = date.millisecondsSince1970
            for var old in try APITokenRecord.filter(APITokenRecord.Columns.name == name && APITokenRecord.Columns.revokedAt == nil).fetchAll(db) {
                guard let expiry = old.expiresAt, expiry <= now else {
                    throw StoreError.tokenAlreadyLive(name, role: old.role, id: old.id!)
                }
                old.revokedAt = now  // expired: retired, so the name is free again
                try old.update(db)
            }
            var record = APITokenRecord(id: nil, name: name, role: role.rawValue, secretSHA256: Self.sha256Hex(secret), createdAt: now,
                                        expiresAt: expiresAt?.millisecondsSince1970, revokedAt: nil)
            try record.insert(db)
            let expiry = expiresAt.map { ", expires \(Self.iso($0))" } ?? ""
            try Self.appendAuditEvent(action: "token.add", actor: actor, detail: "token \(record.id!) for \(name), role \(role.rawValue)\(expiry)",
                                      at: date, db)
            return record.info
        }
        logger.notice("api token added", metadata: ["token.id": "\(info.id)", "token.role": "\(role.rawValue)"])
        return NewAPIToken(info: info, secret: secret)
    }

    /// Revokes `name`'s live token, chained as `token.revoke` by `actor`. A running server refuses it from its next
    /// request on.
    @discardableResult
    public func revokeToken(name: String, actor: String, at date: Date = Date()) throws -> APITokenInfo {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines).nfc
        let info = try write { db -> APITokenInfo in
            guard var record = try APITokenRecord.filter(APITokenRecord.Columns.name == name && APITokenRecord.Columns.revokedAt == nil)
                .fetchOne(db) else {
                throw StoreError.noLiveToken(name)
            }
            record.revokedAt = date.millisecondsSince1970
            try record.update(db)
            try Self.appendAuditEvent(action: "token.revoke", actor: actor, detail: "token \(record.id!) of \(name)", at: date, db)
            return record.info
        }
        logger.notice("api token revoked", metadata: ["token.id": "\(info.id)"])
        return info
    }

    /// Every token, oldest first (revoked ones too, for the record).
    public func tokens() throws -> [APITokenInfo] {
        try read { db in try APITokenRecord.order(Column("id")).fetchAll(db).map(\.info) }
    }

    /// Whether any token is live at `date` (a server on loopback without one stays open to read-only local use).
    public func hasLiveTokens(at date: Date = Date()) throws -> Bool {
        try read { db in
            try APITokenRecord.filter(APITokenRecord.Columns.revokedAt == nil)
                .filter(Column("expires_at") == nil || Column("expires_at") > date.millisecondsSince1970).fetchCount(db) > 0
        }
    }

    /// Looks up a presented secret.
    public func checkToken(_ secret: String, at date: Date = Date()) throws -> TokenCheck {
        guard secret.hasPrefix("rct_"), secret.utf8.count < 200 else { return .unknown }
        let hash = Self.sha256Hex(secret)
        guard let record = try read({ db in try APITokenRecord.filter(APITokenRecord.Columns.secretSHA256 == hash).fetchOne(db) }) else {
            return .unknown
        }
        let info = record.info
        if info.revokedAt != nil { return .revoked(info) }
        if !info.isLive(at: date) { return .expired(info) }
        return .accepted(info)
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func iso(_ date: Date) -> String {
        AttendanceReport.iso8601(date, timeZone: TimeZone(identifier: "UTC")!)
    }
}
