import ArgumentParser
import Foundation
import Logging
import RollCallStore

/// Where the roll-call database and the template key are; shared by every command that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "SQLite database file (env ROLLCALL_DB).")
    var databasePath: String = ProcessInfo.processInfo.environment["ROLLCALL_DB"] ?? "rollcall.db"

    @Option(help: "Template key file (env ROLLCALL_KEY_FILE; default ~/.local/share/rollcall/template.key; env ROLLCALL_KEY, base64, wins over both).")
    var keyFile: String?

    @Option(help: "Seconds a write waits for another rollcall process's lock before giving up.")
    var busyTimeout: Double = 5

    func validate() throws {
        guard !databasePath.isEmpty else { throw ValidationError("--db must not be empty.") }
        guard busyTimeout >= 0 else { throw ValidationError("--busy-timeout must not be negative, got \(busyTimeout).") }
    }

    /// Opens the store.
    ///
    /// - Parameter mustExist: Refuse a missing file instead of creating an empty database (for read-only verbs).
    func openStore(mustExist: Bool = false) throws -> RollCallStore {
        if mustExist && !FileManager.default.fileExists(atPath: databasePath) {
            throw StoreError.cannotOpen(databasePath, reason: "no such file (import a roster first with `rollcall roster import FILE.csv`, or pass --db)")
        }
        var logger = Logger(label: "rollcall.store")
        // Store events (ids only) stay quiet on the terminal unless asked for: ROLLCALL_LOG_LEVEL=info|debug|trace.
        logger.logLevel = ProcessInfo.processInfo.environment["ROLLCALL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return try RollCallStore(
            path: databasePath, keySource: .fromEnvironment(keyFile: keyFile), busyTimeout: busyTimeout, logger: logger)
    }
}
