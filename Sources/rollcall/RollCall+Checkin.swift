import ArgumentParser
import Foundation
import RollCallStore

extension RollCallCommand {
    struct Checkin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a delegate present by hand in the open session (method manual), with a reason."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The delegate id.")
        var id: String

        @Option(help: "Why the secretariat checks the delegate in (recorded in the audit chain).")
        var reason: String

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--reason must not be empty.") }
        }

        func run() async throws {
            let result = try store.openStore(mustExist: true).checkin(delegateID: id, reason: reason, operator: operatorName())
            print(result.newlyPresent
                ? "delegate \(id) checked in to session \(result.sessionID)"
                : "delegate \(id) was already present in session \(result.sessionID); check-in logged, arrival time unchanged")
        }
    }

    struct Checkout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a delegate's check-out in the open session, with a reason; before arrival it excuses them."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "The delegate id.")
        var id: String

        @Option(help: "Why the delegate leaves or is excused (recorded in the audit chain).")
        var reason: String

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--reason must not be empty.") }
        }

        func run() async throws {
            let result = try store.openStore(mustExist: true).checkout(delegateID: id, reason: reason, operator: operatorName())
            print("delegate \(id) checked out of session \(result.sessionID)")
        }
    }
}

/// The login name recorded with manual events.
private func operatorName() -> String? {
    ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"]
}
