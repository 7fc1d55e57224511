import Crypto
import Foundation
import GRDB

/// What `rotateTemplateKey` did.
public struct KeyRotationSummary: Sendable, Equatable {
    /// Templates re-sealed with the new key.
    public var resealed: Int
    /// The key file that now holds the new key (the old one's bytes were overwritten, then it was replaced).
    public var keyFile: String
    /// Whether this run finished a rotation that an earlier one had committed but not moved into place.
    public var finishedInterruptedRotation: Bool
}

extension RollCallStore {
    /// Replaces the template key: a new random key, every template opened with the old one and sealed with the new one
    /// in one transaction (with the key check value and a `keys.rotate` audit event), then the old key file destroyed.
    ///
    /// The steps, so that a crash at any point loses no template:
    /// 1. the new key is written to `KEYFILE.new` (0600) and synced;
    /// 2. one transaction re-seals every template and records the new key's check value: before it commits the old
    ///    key opens everything, after it the new one does;
    /// 3. the WAL is checkpointed and truncated, so no page sealed with the old key stays there;
    /// 4. the old key file is overwritten and `KEYFILE.new` renamed onto it.
    ///
    /// A crash between 2 and 4 leaves the database on the new key and `KEYFILE.new` holding it: opening the store then
    /// fails with a key mismatch, and running this again finishes the move (`finishedInterruptedRotation`). Other
    /// processes with the store open (a daemon) read the new key file at their next template access.
    ///
    /// - Throws: `badArgument` when the key does not come from a file (`ROLLCALL_KEY`, or one given directly: the
    ///   caller owns that key and must replace it); `keyMissing`, `corruptTemplate` (nothing changed then).
    @discardableResult
    public func rotateTemplateKey(actor: String, at date: Date = Date()) throws -> KeyRotationSummary {
        guard case .file(let path) = keySource else {
            throw StoreError.badArgument("keys rotate replaces a key file, but this key comes from \(keySource.origin); "
                + "unset ROLLCALL_KEY and use --key-file")
        }
        let pending = path + ".new"
        let oldKey = try requireKey()
        if FileManager.default.fileExists(atPath: pending) {
            // Left by an earlier rotation that crashed before its commit: this store opened with the old key, so the
            // database never recorded the pending one (after a commit, opening fails until finishInterruptedRotation).
            try FileManager.default.removeItem(atPath: pending)
        }
        let newKey = SymmetricKey(size: .bits256)
        guard try SecretFile.create(pending, text: TemplateKeySource.text(of: newKey), what: "new template key file") else {
            throw StoreError.keyFile(pending, reason: "another rotation is writing it; try again")
        }
        let resealed: Int
        do {
            resealed = try write { db -> Int in
                guard try Self.meta("template_key_check", db) == TemplateSealer.checkValue(oldKey) else {
                    throw StoreError.keyRotated(keySource.origin)
                }
                var count = 0
                for record in try TemplateRecord.fetchAll(db) {
                    let embedding: [Float]
                    do { embedding = try TemplateSealer.open(record.sealed, delegateID: record.delegateID, key: oldKey) } catch {
                        throw StoreError.corruptTemplate(record.id!, delegateID: record.delegateID)
                    }
                    let sealed = try TemplateSealer.seal(embedding, delegateID: record.delegateID, key: newKey)
                    try db.execute(sql: "UPDATE template SET sealed = ? WHERE id = ?", arguments: [sealed, record.id!])
                    count += 1
                }
                try Self.setMeta("template_key_check", TemplateSealer.checkValue(newKey), db)
                try Self.appendAuditEvent(action: "keys.rotate", actor: actor, detail: "\(count) templates re-sealed with a new key", at: date, db)
                return count
            }
        } catch {
            try? FileManager.default.removeItem(atPath: pending)  // nothing committed: the old key stays in force
            throw error
        }
        adoptKey(newKey)
        try checkpoint()
        try SecretFile.destroy(path, what: "old template key file")
        try SecretFile.move(pending, to: path, what: "template key file")
        logger.notice("template key rotated", metadata: ["templates.resealed": "\(resealed)"])
        return KeyRotationSummary(resealed: resealed, keyFile: path, finishedInterruptedRotation: false)
    }

    /// Finishes a rotation interrupted after its commit: when `KEYFILE.new` holds the key the database records, it
    /// replaces the old key file. Call before opening a store that fails with a key mismatch.
    ///
    /// - Returns: whether a rotation was finished.
    public static func finishInterruptedRotation(databasePath: String, keyFile path: String) throws -> Bool {
        let pending = path + ".new"
        guard FileManager.default.fileExists(atPath: pending),
              let raw = Data(base64Encoded: try SecretFile.read(pending, what: "new template key file")), raw.count == 32
        else { return false }
        let queue = try DatabaseQueue(path: databasePath)
        let stored = try queue.read { db in try meta("template_key_check", db) }
        try queue.close()
        guard stored == TemplateSealer.checkValue(SymmetricKey(data: raw)) else { return false }
        try SecretFile.destroy(path, what: "old template key file")
        try SecretFile.move(pending, to: path, what: "template key file")
        return true
    }
}
