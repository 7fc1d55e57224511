import ArgumentParser
import Foundation
import RollCall
import RollCallStore
import Texts

extension RollCallCommand {
    struct Checkin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a delegate present by hand in the open session (method manual), with a reason; after a check-out, they are back."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Argument(help: "The delegate id.")
        var id: String

        @Option(help: "Why the secretariat checks the delegate in (recorded in the audit chain).")
        var reason: String

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--reason must not be empty.") }
        }

        func run() async throws {
            let store = try store.openStore(mustExist: true)
            let wasLeft = (try? store.report().rows.first { $0.delegateID == id.precomposedStringWithCanonicalMapping }?.status) == .left
            let result = try store.checkin(delegateID: id, reason: reason, operator: operatorName())
            let name = try store.delegate(id: id).name
            let values = ["id": id, "name": name, "session": "\(result.sessionID)", "time": language.presentation.time.display(result.at)]
            let key = result.newlyPresent ? "cli.checked_in" : wasLeft ? "cli.back_in" : "cli.already_present"
            print(language.texts.format(key, values))
        }
    }

    struct Checkout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a delegate's check-out in the open session, with a reason: before arrival it excuses them (Vắng có phép), after it they have left early (Đã về sớm)."
        )

        @OptionGroup var store: StoreOptions
        @OptionGroup var language: LanguageOptions

        @Argument(help: "The delegate id.")
        var id: String

        @Option(help: "Why the delegate leaves or is excused (recorded in the audit chain).")
        var reason: String

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--reason must not be empty.") }
        }

        func run() async throws {
            let store = try store.openStore(mustExist: true)
            let result = try store.checkout(delegateID: id, reason: reason, operator: operatorName())
            let name = try store.delegate(id: id).name
            let values = ["id": id, "name": name, "session": "\(result.sessionID)", "time": language.presentation.time.display(result.at)]
            print(language.texts.format(result.status == .left ? "cli.checked_out_left" : "cli.checked_out_excused", values))
        }
    }
}

/// The login name recorded with manual events.
private func operatorName() -> String? {
    ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"]
}
