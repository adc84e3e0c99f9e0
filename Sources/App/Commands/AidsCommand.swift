import Foundation
import Vapor
import Domain

/// `careabroad aids check`: validates every definition and prints, for each option, the answer paths that reach it.
struct AidsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "check")
        var action: String
    }

    var help: String { "Decision aids: `careabroad aids check` validates every definition and prints a coverage table." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "check" else {
            context.console.error("Unknown action '\(signature.action)'. Use: careabroad aids check")
            throw ExitCode(2)
        }
        let catalogue: DecisionAidCatalogue
        do { catalogue = try DecisionAidCatalogue.load() } catch {
            context.console.error("\(error)")
            throw ExitCode(1)
        }
        for aid in catalogue.aids {
            let reading = Readability.score(aid.proseTexts)
            context.console.info("\(aid.id) \(aid.version): \(aid.questions.count) questions, \(aid.options.count) options, \(aid.rules.count) rules, \(aid.cautions.count) cautions — valid")
            context.console.print("  reading level: Flesch–Kincaid grade \(reading.grade) over \(reading.words) words in \(reading.sentences) sentences (grades 6–9 ≈ age 12–14)")
            for row in aid.coverage() {
                context.console.print("  \(row.option.padding(toLength: 18, withPad: " ", startingAt: 0)) \(row.fit.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(row.rule.padding(toLength: 24, withPad: " ", startingAt: 0)) \(row.path)")
            }
        }
    }
}
