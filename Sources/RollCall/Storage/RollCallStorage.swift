import Foundation

/// What roll call needs from storage: the roster, sealed templates, sessions, sightings, attendance, the audit chain
/// and quorum counts. `RollCallStore` (SQLite) and `PostgresRollCallStore` (PostgreSQL) implement it; the gates, the
/// daemon and the commands that record or read attendance use only this.
///
/// The rules every implementation keeps (the shared behaviour suite checks them on both):
/// - every write is one transaction, and writes that carry an id made by the caller (`Sighting.id`) are idempotent;
/// - the first confirmed sighting of a delegate in a session checks them in, whichever gate made it; later ones are
///   sightings only;
/// - every chained row (attendance, manual events, audit events) is appended to one chain, under a lock held in the
///   transaction that writes the row, so concurrent writers never fork it;
/// - quorum is counted, not derived from a rebuilt report.
public protocol RollCallStorage: AnyObject, Sendable {
    /// Where the records are, for messages: a file path, or a PostgreSQL URL without its password.
    var location: String { get }

    // MARK: - Roster

    /// Applies a checked roster in one transaction: new ids inserted, known ids updated, missing ones kept.
    func importRoster(_ roster: Roster) throws -> RosterImportSummary
    /// Every delegate, roster order.
    func delegates() throws -> [Delegate]
    /// One delegate; throws when there is no such id.
    func delegate(id: String) throws -> Delegate

    // MARK: - Sealed templates

    /// Seals and stores one template for a delegate; returns its id.
    func addTemplate(delegateID: String, embedding: [Float], pack: TemplatePack, quality: Double?, sourcePhoto: String?,
                     sourceSHA256: String?, at date: Date) throws -> Int64
    /// Every template, unsealed, in id order; throws when any was made by another pack.
    func templates(madeBy pack: TemplatePack) throws -> [(delegateID: String, embedding: [Float])]
    /// Template ids by source photo digest, per delegate (the enrollment duplicate guard).
    func templateDigests() throws -> [String: [String: Int64]]
    /// Templates per delegate id.
    func templateCounts() throws -> [String: Int]
    /// Equal values mean the same templates (a reloader compares them).
    func templateVersion() throws -> TemplateVersion

    // MARK: - Sessions

    /// Opens a session under `quorum`; at most one is open. With `actor`, the opening is chained.
    func openSession(name: String, quorum: QuorumRule, at date: Date, actor: String?) throws -> SessionInfo
    /// Closes the open session. With `actor`, the closing is chained.
    func closeSession(at date: Date, actor: String?) throws -> SessionInfo
    /// Every session, newest first.
    func sessions() throws -> [SessionInfo]
    /// The open session, if any.
    func currentSession() throws -> SessionInfo?
    /// One session; throws when there is no such id.
    func session(id: Int64) throws -> SessionInfo

    // MARK: - Sightings and attendance

    /// Logs one recognition (accepted or not); never changes attendance. Idempotent on `sighting.id`.
    func recordSighting(_ sighting: Sighting) throws
    /// Logs a confirmed sighting and, when it is the delegate's first in the session, checks them in (attendance row
    /// and its chain link), all in one transaction. Idempotent on `sighting.id`.
    func recordConfirmedSighting(_ sighting: Sighting) throws -> Confirmation
    /// Sightings logged in a session (confirmed or not, every gate).
    func sightingCount(sessionID: Int64) throws -> Int
    /// Secretariat check-in into the open session, with its reason (chained).
    func checkin(delegateID: String, reason: String, operator operatorName: String?, at date: Date) throws -> ManualEventResult
    /// Secretariat check-out from the open session, with its reason (chained).
    func checkout(delegateID: String, reason: String, operator operatorName: String?, at date: Date) throws -> ManualEventResult

    // MARK: - Audit chain

    /// Chains one administrative event (who did what).
    func chainAuditEvent(action: String, actor: String, detail: String?, at date: Date) throws
    /// Walks the whole chain and names the first broken link.
    func verifyAudit() throws -> AuditVerdict

    // MARK: - Counts and reports

    /// Present now against expected in a session (default: the open one, else the latest), from counts.
    func quorum(sessionID: Int64?) throws -> Quorum
    /// The roll call of a session (default: the open one, else the latest), with the chain verified in the same read.
    func report(sessionID: Int64?, at date: Date) throws -> AttendanceReport
}

// MARK: - Defaults

extension RollCallStorage {
    /// Stores a template made now.
    public func addTemplate(delegateID: String, embedding: [Float], pack: TemplatePack, quality: Double? = nil,
                            sourcePhoto: String? = nil, sourceSHA256: String? = nil) throws -> Int64 {
        try addTemplate(delegateID: delegateID, embedding: embedding, pack: pack, quality: quality, sourcePhoto: sourcePhoto,
                        sourceSHA256: sourceSHA256, at: Date())
    }

    /// Opens a session now.
    public func openSession(name: String, quorum: QuorumRule, actor: String? = nil) throws -> SessionInfo {
        try openSession(name: name, quorum: quorum, at: Date(), actor: actor)
    }

    /// Closes the open session now.
    public func closeSession(actor: String? = nil) throws -> SessionInfo { try closeSession(at: Date(), actor: actor) }

    /// A check-in now.
    public func checkin(delegateID: String, reason: String, operator operatorName: String? = nil) throws -> ManualEventResult {
        try checkin(delegateID: delegateID, reason: reason, operator: operatorName, at: Date())
    }

    /// A check-out now.
    public func checkout(delegateID: String, reason: String, operator operatorName: String? = nil) throws -> ManualEventResult {
        try checkout(delegateID: delegateID, reason: reason, operator: operatorName, at: Date())
    }

    /// The quorum of the open session, else the latest.
    public func quorum() throws -> Quorum { try quorum(sessionID: nil) }

    /// The report of a session (default: the open one, else the latest), made now.
    public func report(sessionID: Int64? = nil) throws -> AttendanceReport { try report(sessionID: sessionID, at: Date()) }

    /// The gallery of every template made by `pack`, for a matcher.
    public func gallery(madeBy pack: TemplatePack, defaultDimension: Int = 128, fusion: TemplateFusion = .best) throws -> Gallery {
        let all = try templates(madeBy: pack)
        return try Gallery(dimension: all.first?.embedding.count ?? defaultDimension, templates: all, fusion: fusion)
    }

}

