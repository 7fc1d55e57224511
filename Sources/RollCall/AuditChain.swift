import Crypto
import Foundation

/// One hash-chained row (an attendance record or a manual event) as stored.
public struct ChainLink: Sendable, Equatable {
    /// Table the row lives in (`attendance`, `manual_event`).
    public var table: String
    /// The row's id in that table.
    public var rowID: Int64
    /// Position in the chain, 1-based, across both tables.
    public var sequence: Int64
    /// The row's content in a fixed order; `nil` for SQL NULL.
    public var fields: [String?]
    /// Hash of the previous link (`AuditChain.genesis` for the first).
    public var previousHash: String
    /// SHA-256 over the canonical content and `previousHash`, lowercase hex.
    public var hash: String

    public init(table: String, rowID: Int64, sequence: Int64, fields: [String?], previousHash: String, hash: String) {
        self.table = table; self.rowID = rowID; self.sequence = sequence
        self.fields = fields; self.previousHash = previousHash; self.hash = hash
    }

    /// "attendance row 12".
    public var name: String { "\(table) row \(rowID)" }
}

/// The tamper-evidence rule: each row carries SHA-256(canonical content ‖ previous row's hash), and the store keeps
/// the chain head (last sequence and hash) apart, so editing, deleting or inserting any row — including the last —
/// breaks a link that `verify` names.
///
/// The hash is plain SHA-256 so anyone can check a chain without a secret. It detects changes made behind the
/// program's back with SQL; it does not stop someone who recomputes every later hash (print the head hash on the
/// signed report to anchor it).
public enum AuditChain {
    /// `previousHash` of the first link.
    public static let genesis = String(repeating: "0", count: 64)

    /// Canonical bytes of a row: a version tag, table, sequence, then each field length-prefixed (`n` for NULL), so no
    /// two different rows share an encoding.
    public static func canonicalContent(table: String, sequence: Int64, fields: [String?]) -> [UInt8] {
        var text = "rollcall-chain-v1\n\(table)\n\(sequence)\n"
        for field in fields {
            if let field { text += "\(field.utf8.count):\(field)\n" } else { text += "n\n" }
        }
        return Array(text.utf8)
    }

    /// The hash a row must carry.
    public static func hash(table: String, sequence: Int64, fields: [String?], previousHash: String) -> String {
        var hasher = SHA256()
        hasher.update(data: canonicalContent(table: table, sequence: sequence, fields: fields))
        hasher.update(data: Array(previousHash.utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Walks the chain in sequence order and reports the first broken link.
    ///
    /// - Parameters:
    ///   - links: Every chained row, in any order.
    ///   - head: The recorded chain head (`sequence` 0 and `genesis` when nothing was ever chained).
    public static func verify(_ links: [ChainLink], head: (sequence: Int64, hash: String)) -> AuditVerdict {
        let ordered = links.sorted { ($0.sequence, $0.table, $0.rowID) < ($1.sequence, $1.table, $1.rowID) }
        var previousHash = genesis
        var expected: Int64 = 1
        for (index, link) in ordered.enumerated() {
            func broken(_ problem: String) -> AuditVerdict {
                AuditVerdict(checked: index, brokenLink: link.name, problem: problem, headHash: head.hash)
            }
            if link.sequence < expected {
                return broken("sequence \(link.sequence) is used twice (a row was inserted)")
            }
            if link.sequence > head.sequence {
                return broken("sequence \(link.sequence) is past the recorded chain head \(head.sequence) (a row was inserted)")
            }
            if link.sequence > expected {
                return broken("sequence \(expected)\(link.sequence - expected > 1 ? "...\(link.sequence - 1)" : "") is missing before it (a row was deleted)")
            }
            if link.previousHash != previousHash {
                return broken("its previous-hash does not match the row before it (a row before it was deleted, inserted or rewritten)")
            }
            if hash(table: link.table, sequence: link.sequence, fields: link.fields, previousHash: link.previousHash) != link.hash {
                return broken("its content does not match its hash (the row was edited)")
            }
            previousHash = link.hash
            expected += 1
        }
        let last = expected - 1
        if head.sequence != last {
            let after = ordered.last.map { "after \($0.name)" } ?? "at the start"
            return AuditVerdict(checked: ordered.count, brokenLink: "chain end (\(after))",
                problem: "the chain head records \(head.sequence) rows but only \(last) remain (the last rows were deleted)", headHash: head.hash)
        }
        if head.hash != previousHash {
            return AuditVerdict(checked: ordered.count, brokenLink: ordered.last?.name ?? "chain end",
                problem: "the last row's hash does not match the recorded chain head (the last row was replaced)", headHash: head.hash)
        }
        return AuditVerdict(checked: ordered.count, brokenLink: nil, problem: nil, headHash: head.hash)
    }
}

/// What `AuditChain.verify` found.
public struct AuditVerdict: Sendable, Equatable, Codable {
    /// Links checked before the first broken one (all of them when intact).
    public var checked: Int
    /// The first broken link ("attendance row 12"), `nil` when intact.
    public var brokenLink: String?
    /// What is wrong with it.
    public var problem: String?
    /// The recorded chain head hash.
    public var headHash: String

    /// Whether the chain is intact.
    public var isIntact: Bool { brokenLink == nil }

    /// One line for the operator.
    public var summary: String {
        if let brokenLink, let problem { return "audit chain BROKEN at \(brokenLink): \(problem)" }
        return "audit chain intact: \(checked) rows, head \(headHash)"
    }
}
