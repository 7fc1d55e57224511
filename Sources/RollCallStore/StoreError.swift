/// Errors from the store, each one line naming the thing concerned and the reason.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for tests and callers that branch on it.
    public enum Code: Sendable, Equatable {
        case busy, notSQLite, cannotOpen, keyMismatch, keyMissing, keyFile, unknownDelegate, noOpenSession
        case sessionAlreadyOpen, unknownSession, sessionClosed, badArgument, corruptTemplate
    }

    public let code: Code
    public let description: String

    public static func busy(_ path: String) -> Self {
        Self(code: .busy, description: "database is busy: another rollcall process holds the write lock on \(path); try again")
    }
    public static func notSQLite(_ path: String) -> Self {
        Self(code: .notSQLite, description: "\(path) is not a rollcall database: the file is not SQLite")
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
    public static func keyFile(_ path: String, reason: String) -> Self {
        Self(code: .keyFile, description: "template key file \(path): \(reason)")
    }
    public static func unknownDelegate(_ id: String) -> Self {
        Self(code: .unknownDelegate, description: "no delegate with id \(id) on the roster")
    }
    public static let noOpenSession = Self(
        code: .noOpenSession, description: "no session is open (open one with: rollcall session open NAME)")
    public static func sessionAlreadyOpen(_ id: Int64, name: String) -> Self {
        Self(code: .sessionAlreadyOpen, description: "session \(id) is already open; close it first (rollcall session close)")
    }
    public static func unknownSession(_ id: Int64) -> Self {
        Self(code: .unknownSession, description: "no session with id \(id)")
    }
    public static func sessionClosed(_ id: Int64) -> Self {
        Self(code: .sessionClosed, description: "session \(id) is closed; attendance can no longer change")
    }
    public static func badArgument(_ text: String) -> Self { Self(code: .badArgument, description: text) }
    public static func corruptTemplate(_ id: Int64, delegateID: String) -> Self {
        Self(code: .corruptTemplate, description: "template \(id) of delegate \(delegateID) cannot be opened (altered or sealed with another key)")
    }
}
