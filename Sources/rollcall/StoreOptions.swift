import ArgumentParser
import Foundation
import Logging
import RollCall
import RollCallPostgres
import RollCallStore
import Texts

/// Where the roll-call database and the template key are; shared by every command that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "SQLite database file, or postgres://USER@HOST:PORT/DATABASE for a shared PostgreSQL database (env ROLLCALL_DB; password in the URL or PGPASSWORD).")
    var databasePath: String = ProcessInfo.processInfo.environment["ROLLCALL_DB"] ?? "rollcall.db"

    @Option(help: "Template key file (env ROLLCALL_KEY_FILE; default ~/.local/share/rollcall/template.key; env ROLLCALL_KEY, base64, wins over both).")
    var keyFile: String?

    @Option(help: "Seconds a write waits for another rollcall process's lock before giving up.")
    var busyTimeout: Double = 5

    func validate() throws {
        guard !databasePath.isEmpty else { throw ValidationError("--db must not be empty.") }
        guard busyTimeout >= 0 else { throw ValidationError("--busy-timeout must not be negative, got \(busyTimeout).") }
    }

    /// Whether `--db` names a PostgreSQL database.
    var isPostgres: Bool { PostgresURL.isPostgres(databasePath) }

    /// Opens the store `--db` names: a PostgreSQL database for a `postgres://` or `postgresql://` URL, else the
    /// SQLite file.
    ///
    /// - Parameter mustExist: Refuse a missing file instead of creating an empty database (for read-only verbs).
    func openStore(mustExist: Bool = false) throws -> any RollCallStorage {
        guard isPostgres else { return try openSQLiteStore(mustExist: mustExist) }
        return try PostgresRollCallStore(url: try PostgresURL(databasePath), keySource: .fromEnvironment(keyFile: keyFile), logger: Self.storeLogger)
    }

    /// Opens the SQLite file, for the verbs that PostgreSQL does not serve yet (`verb` names the command in the error).
    func openSQLiteStore(mustExist: Bool = false, verb: String? = nil) throws -> RollCallStore {
        if isPostgres {
            throw PostgresStoreError.unsupported("`rollcall \(verb ?? "this command")`", location: (try? PostgresURL(databasePath).description) ?? "postgres://…")
        }
        if mustExist && !FileManager.default.fileExists(atPath: databasePath) {
            throw StoreError.cannotOpen(databasePath, reason: "no such file (import a roster first with `rollcall roster import FILE.csv`, or pass --db)")
        }
        return try RollCallStore(
            path: databasePath, keySource: .fromEnvironment(keyFile: keyFile), busyTimeout: busyTimeout, logger: Self.storeLogger)
    }

    private static var storeLogger: Logger {
        var logger = Logger(label: "rollcall.store")
        // Store events (ids only) stay quiet on the terminal unless asked for: ROLLCALL_LOG_LEVEL=info|debug|trace.
        logger.logLevel = ProcessInfo.processInfo.environment["ROLLCALL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }
}

extension StoreOptions {
    /// Who runs this command, as the audit chain records it: `cli:` and the login name.
    var actor: String {
        let environment = ProcessInfo.processInfo.environment
        if let name = environment["USER"] ?? environment["LOGNAME"], !name.isEmpty { return "cli:" + name }
        // No login variables (a service, cron, CI): the account the process runs as.
        return "cli:" + (getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(getuid())")
    }
}

/// A date on the command line: `2026-05-01` (midnight on the site's clock: `--time-zone`, `ROLLCALL_TIME_ZONE`, else
/// Asia/Ho_Chi_Minh, as every time the CLI shows) or ISO 8601 with a time and offset.
struct DateArgument: ExpressibleByArgument, Sendable {
    /// The day, when only a day was given (its midnight depends on the site's zone, known after parsing).
    private var day: DateComponents?
    private var instant: Date?

    init?(argument: String) {
        // A bare date first: ISO8601DateFormatter would read it as midnight UTC.
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        if argument.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
           (1...12).contains(month), (1...31).contains(day) {
            self.day = DateComponents(year: year, month: month, day: day)
            return
        }
        guard let date = ISO8601DateFormatter().date(from: argument) else { return nil }
        instant = date
    }

    /// The instant meant, a bare day taken as midnight on `time`'s clock.
    func date(in time: SiteTime) -> Date {
        if let instant { return instant }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = time.timeZone
        return calendar.date(from: day!)!
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
