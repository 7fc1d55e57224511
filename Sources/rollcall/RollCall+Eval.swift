import ArgumentParser

extension RollCallCommand {
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure accuracy: 1:1 verification on image pairs, 1:N identification on a gallery and probes.",
            subcommands: [EvalPairs.self, EvalIdentify.self, EvalEntrance.self, EvalEnrollment.self, EvalEmbed.self, EvalPhotoAttack.self]
        )
    }
}
