import ArgumentParser
import Texts

@main
struct RollCallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollcall",
        abstract: "Face-recognition roll call for large meetings: enroll delegates, recognise them at the door, report attendance.",
        subcommands: [
            Models.self,
            Detect.self,
            Compare.self,
            Eval.self,
            Bench.self,
            BenchStore.self,
            Enroll.self,
            Identify.self,
            Calibrate.self,
            Chips.self,
            MakeClip.self,
            Roster.self,
            Delegates.self,
            Session.self,
            Checkin.self,
            Checkout.self,
            Audit.self,
            Report.self,
            Tokens.self,
            Keys.self,
            Purge.self,
            Privacy.self,
            TLS.self,
            Watch.self,
            Serve.self,
        ]
    )

    /// Sets the interface language from `ROLLCALL_LANG` before anything is parsed, so every message (errors
    /// included) speaks it; a verb's `--lang` then overrides it (`LanguageOptions`).
    static func main() async {
        Language.interface = (try? Language.resolve(nil)) ?? .default
        await main(nil)
    }
}
