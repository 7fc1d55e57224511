import Foundation
import RollCall
import Texts

/// Errors from the store, each one line naming the thing concerned and the reason.
///
/// `description` is English (logs, tests); the errors a secretariat meets also carry a catalogue key, so
/// `errorDescription` (what the CLI prints) speaks the interface language.
public struct StoreError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    /// What went wrong, for tests and callers that branch on it.
    public enum Code: Sendable, Equatable {
        case busy, notSQLite, cannotOpen, keyMismatch, keyMissing, keyFile, unknownDelegate, noOpenSession
        case sessionAlreadyOpen, unknownSession, sessionClosed, badArgument, corruptTemplate
        case packMismatch, unknownTemplatePack, keyRotated
    }

    public let code: Code
    public let description: String
    /// The catalogue text and its arguments, for the errors people at the desk meet.
    private var textKey: String?
    private var arguments: [String: String] = [:]

    init(code: Code, description: String, textKey: String? = nil, arguments: [String: String] = [:]) {
        self.code = code
        self.description = description
        self.textKey = textKey
        self.arguments = arguments
    }

    /// The message in `texts`' language (English `description` when the error has no catalogue text).
    public func localized(_ texts: Texts) -> String {
        textKey.map { texts.format($0, arguments) } ?? description
    }

    public var errorDescription: String? { localized(.interface) }

    public static func busy(_ path: String) -> Self {
        Self(code: .busy, description: "database is busy: another rollcall process holds the write lock on \(path); try again",
             textKey: "error.store.busy", arguments: ["path": path])
    }
    public static func notSQLite(_ path: String) -> Self {
        Self(code: .notSQLite, description: "\(path) is not a rollcall database: the file is not SQLite",
             textKey: "error.store.not_sqlite", arguments: ["path": path])
    }
    public static func cannotOpen(_ path: String, reason: String) -> Self {
        Self(code: .cannotOpen, description: "cannot open database \(path): \(reason)")
    }
    public static func keyMismatch(_ keyDescription: String) -> Self {
        Self(code: .keyMismatch, description: "template key does not match this database (key from \(keyDescription))")
    }
    public static func keyMissing(_ keyDescription: String) -> Self {
        Self(code: .keyMissing, description: "template key not found (\(keyDescription)); this database's templates were sealed with a key that is not here, so no template can be read")
    }
    public static func keyFile(_ path: String, what: String = "template key file", reason: String) -> Self {
        Self(code: .keyFile, description: "\(what) \(path): \(reason)")
    }
    public static func unknownDelegate(_ id: String) -> Self {
        Self(code: .unknownDelegate, description: "no delegate with id \(id) on the roster",
             textKey: "error.store.unknown_delegate", arguments: ["id": id])
    }
    public static let noOpenSession = Self(
        code: .noOpenSession, description: "no session is open (open one with: rollcall session open NAME)",
        textKey: "error.store.no_open_session")
    /// A report was asked for before any session was opened.
    public static let noSessionYet = Self(
        code: .badArgument, description: "no session yet (open one with: rollcall session open NAME)",
        textKey: "error.store.no_session_yet")
    /// A read-only verb was pointed at a database that does not exist.
    public static func noDatabase(_ path: String) -> Self {
        Self(code: .cannotOpen,
             description: "cannot open database \(path): no such file (import a roster first with `rollcall roster import FILE`, or pass --db)",
             textKey: "error.store.no_database", arguments: ["path": path])
    }
    public static func sessionAlreadyOpen(_ id: Int64, name: String) -> Self {
        Self(code: .sessionAlreadyOpen, description: "session \(id) is already open; close it first (rollcall session close)",
             textKey: "error.store.session_already_open", arguments: ["id": "\(id)", "name": name])
    }
    public static func unknownSession(_ id: Int64) -> Self {
        Self(code: .unknownSession, description: "no session with id \(id)", textKey: "error.store.unknown_session", arguments: ["id": "\(id)"])
    }
    public static func sessionClosed(_ id: Int64) -> Self {
        Self(code: .sessionClosed, description: "session \(id) is closed; attendance can no longer change",
             textKey: "error.store.session_closed", arguments: ["id": "\(id)"])
    }
    public static func badArgument(_ text: String) -> Self { Self(code: .badArgument, description: text) }
    /// A person may hold one live API token at a time, so the audit chain's names say who.
    public static func tokenAlreadyLive(_ name: String, role: String, id: Int64) -> Self {
        Self(code: .badArgument, description: "\(name) already has a live \(role) token (id \(id)); revoke it first: rollcall tokens revoke \(name)",
             textKey: "error.store.token_live", arguments: ["name": name, "role": role, "id": "\(id)"])
    }
    public static func noLiveToken(_ name: String) -> Self {
        Self(code: .badArgument, description: "no live token for \(name) (rollcall tokens list shows them)",
             textKey: "error.store.no_live_token", arguments: ["name": name])
    }
    /// Another process rotated the template key and this one's key source does not hold the new key.
    public static func keyRotated(_ keyDescription: String) -> Self {
        Self(code: .keyRotated, description: "the template key of this database was rotated (rollcall keys rotate) and \(keyDescription) "
            + "does not hold the new key; point this process at the rotated key file, or restart it")
    }
    /// The database's templates were made by `stored`, and a run with `requested` wants to match or enroll.
    public static func packMismatch(_ path: String, stored: TemplatePack, count: Int, requested: TemplatePack) -> Self {
        let erase = "erase them (rollcall delegates erase-templates) and enroll again"
        let advice: String
        if stored.name == requested.name {
            advice = "the pack's model changed since they were enrolled, so distances to them mean nothing: \(erase), "
                + "or reinstall the version of pack \(stored.name) that made them"
        } else {
            advice = "use --pack \(stored.name), or \(erase) with pack \(requested.name)"
        }
        let what = "the \(templates(count)) in \(path) \(count == 1 ? "was" : "were") made by pack \(stored); this run uses pack \(requested)"
        return Self(code: .packMismatch, description: "\(what): \(advice)")
    }
    /// Templates stored before the store recorded packs (`v2 template pack`): nothing says which pack made them.
    public static func unknownTemplatePack(_ path: String, count: Int, requested: TemplatePack) -> Self {
        let what = "\(templates(count)) in \(path) \(count == 1 ? "was" : "were") stored before rollcall recorded which "
            + "model pack made each template, so they cannot be matched against pack \(requested)"
        let why = "packs can make vectors of the same size whose distances mean nothing to each other"
        let advice = "if you know pack \(requested.name) made them, record it with "
            + "`rollcall delegates assign-pack --pack \(requested.name)`; otherwise erase them "
            + "(rollcall delegates erase-templates) and enroll again"
        return Self(code: .unknownTemplatePack, description: "\(what) (\(why)): \(advice)")
    }
    private static func templates(_ count: Int) -> String { count == 1 ? "1 template" : "\(count) templates" }
    public static func corruptTemplate(_ id: Int64, delegateID: String) -> Self {
        Self(code: .corruptTemplate, description: "template \(id) of delegate \(delegateID) cannot be opened (altered or sealed with another key)")
    }
}
