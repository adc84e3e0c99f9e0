import Foundation
import Testing
@testable import Domain

/// The definitions shipped with the app, read from the source tree.
private func definition(_ id: String) throws -> DecisionAid {
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    url.appendPathComponent("Sources/App/Resources/DecisionAids/\(id).json")
    return try JSONDecoder().decode(DecisionAid.self, from: Data(contentsOf: url))
}


/// Random complete answers to every question of `aid`.
private func randomAnswers(_ aid: DecisionAid, _ g: inout SplitMix64) -> DecisionAnswers {
    var a = DecisionAnswers()
    for q in aid.questions {
        switch q.kind {
        case .scale: a.scales[q.id] = Int.random(in: q.scale!.min...q.scale!.max, using: &g)
        case .single: a.choices[q.id] = [q.choices!.randomElement(using: &g)!.id]
        case .multiple:
            var picked = q.choices!.filter { _ in Bool.random(using: &g) }.map(\.id)
            if picked.isEmpty && q.allowsNone != true { picked = [q.choices![0].id] }
            a.choices[q.id] = picked
        }
    }
    return a
}

/// The two properties every result must have.
private func checkProperties(_ aid: DecisionAid, _ result: DecisionResult, _ answers: DecisionAnswers, sourceLocation: SourceLocation = #_sourceLocation) {
    let recommended = result.options.filter { $0.fit != .notAFit }
    #expect(!recommended.isEmpty, "no option and no 'talk to a doctor' for \(answers)", sourceLocation: sourceLocation)
    #expect(Set(result.options.map(\.option)).count == result.options.count, "an option appears twice (suits and not a fit?)", sourceLocation: sourceLocation)
    if result.doctorFirst { #expect(result.options.first?.option == aid.fallbackOption, sourceLocation: sourceLocation) }
}

@Suite("Decision aids")
struct DecisionAidTests {
    static let aids = ["lip-rejuvenation", "facial-ageing"]

    @Test("The shipped definitions are valid", arguments: aids)
    func valid(_ id: String) throws {
        let aid = try definition(id)
        #expect(aid.id == id)
        #expect(aid.validate() == [])
        #expect(!aid.coverage().isEmpty)
    }

    @Test("Every rule can fire, and then shows in the result with its reason (or is outweighed by a 'not a fit')", arguments: aids)
    func everyRuleFires(_ id: String) throws {
        let aid = try definition(id)
        var g = SplitMix64(state: 42)
        var seen = Set<String>()
        // Random complete answers reach every rule in a few thousand draws; each firing is checked.
        for _ in 0..<20_000 where seen.count < aid.rules.count {
            let answers = randomAnswers(aid, &g)
            let result = aid.evaluate(answers)
            for ruleID in aid.firedRules(answers) {
                seen.insert(ruleID)
                let rule = aid.rules.first { $0.id == ruleID }!
                let shown = try #require(result.options.first { $0.option == rule.option }, "rule \(ruleID) fired but its option is missing")
                let outweighed = shown.fit == .notAFit || (rule.fit == .maySuit && shown.fit == .suits)
                #expect(shown.fit == rule.fit || outweighed, "rule \(ruleID): \(shown.fit) shown, rule says \(rule.fit)")
                if shown.fit == rule.fit { #expect(shown.reasons.contains(rule.reason), "rule \(ruleID)'s reason is not shown") }
            }
        }
        #expect(seen == Set(aid.rules.map(\.id)), "never fired: \(Set(aid.rules.map(\.id)).subtracting(seen).sorted())")
    }

    @Test("Property: any answers give at least one recommendation or 'talk to a doctor', and never both 'suits' and 'not a fit' for one option", arguments: aids)
    func properties(_ id: String) throws {
        let aid = try definition(id)
        var g = SplitMix64(state: 7)
        for _ in 0..<30_000 {
            let answers = randomAnswers(aid, &g)
            #expect(aid.check(answers) == [])
            checkProperties(aid, aid.evaluate(answers), answers)
        }
    }

    @Test("Property, exhaustively over every combination of concerns and health factors of the lip aid")
    func exhaustiveLips() throws {
        let aid = try definition("lip-rejuvenation")
        let concerns = aid.question("concerns")!.choices!.map(\.id)
        let health = aid.question("health")!.choices!.map(\.id)
        var g = SplitMix64(state: 99)
        for c in 1..<(1 << concerns.count) {
            for h in stride(from: 0, to: 1 << health.count, by: 7) {
                var answers = randomAnswers(aid, &g)
                answers.choices["concerns"] = concerns.indices.filter { c & (1 << $0) != 0 }.map { concerns[$0] }
                answers.choices["health"] = health.indices.filter { h & (1 << $0) != 0 }.map { health[$0] }
                checkProperties(aid, aid.evaluate(answers), answers)
            }
        }
    }

    struct Persona: Sendable, CustomStringConvertible {
        let name: String
        let aid: String
        let choices: [String: [String]]
        let scales: [String: Int]
        let suits: [String]
        let notAFit: [String]
        let cautions: [String]
        let doctorFirst: Bool
        var description: String { name }
    }

    static let personas: [Persona] = [
        Persona(name: "a smoker with filler overfill who wants no downtime", aid: "lip-rejuvenation",
                choices: ["concerns": ["overfilled"], "change": ["subtle"], "surgery": ["open"], "downtime": ["none"], "soon": ["weeks"], "last": ["years"], "health": ["smoking"]],
                scales: [:], suits: ["dissolve-first"], notAFit: ["ha-filler", "microfat", "nanofat-needling"], cautions: ["smoking"], doctorFirst: false),
        Persona(name: "a 55-year-old with a lengthened upper lip and lines around the mouth", aid: "lip-rejuvenation",
                choices: ["concerns": ["long-upper-lip", "vertical-lines"], "change": ["subtle"], "surgery": ["open"], "downtime": ["weeks"], "soon": ["months"], "last": ["years"], "health": []],
                scales: [:], suits: ["nanofat", "nanofat-needling"], notAFit: ["ha-filler"], cautions: [], doctorFirst: false),
        Persona(name: "thin lips, no surgery, a subtle change", aid: "lip-rejuvenation",
                choices: ["concerns": ["thin", "border"], "change": ["subtle"], "surgery": ["no-surgery"], "downtime": ["days"], "soon": ["weeks"], "last": ["months"], "health": []],
                scales: [:], suits: ["ha-filler"], notAFit: ["microfat", "nanofat"], cautions: [], doctorFirst: false),
        Persona(name: "permanent filler in the lips", aid: "lip-rejuvenation",
                choices: ["concerns": ["overfilled", "thin"], "change": ["subtle"], "surgery": ["open"], "downtime": ["weeks"], "soon": ["months"], "last": ["years"], "health": ["permanent-filler"]],
                scales: [:], suits: ["doctor"], notAFit: ["ha-filler", "microfat", "dissolve-first"], cautions: ["permanent-filler"], doctorFirst: true),
        Persona(name: "pregnant, wanting fuller lips", aid: "lip-rejuvenation",
                choices: ["concerns": ["thin"], "change": ["noticeable"], "surgery": ["open"], "downtime": ["weeks"], "soon": ["months"], "last": ["years"], "health": ["pregnancy"]],
                scales: [:], suits: ["doctor", "microfat"], notAFit: ["ha-filler"], cautions: ["pregnancy"], doctorFirst: true),
        Persona(name: "jowls, open to surgery, two weeks off", aid: "facial-ageing",
                choices: ["concerns": ["jowls", "hollows"], "surgery": ["yes"], "downtime": ["weeks"], "health": []], scales: ["severity": 3],
                suits: ["macs-lift", "fat-grafting"], notAFit: ["nanofat"], cautions: [], doctorFirst: false),
        Persona(name: "early changes, no surgery", aid: "facial-ageing",
                choices: ["concerns": ["skin"], "surgery": ["no"], "downtime": ["days"], "health": ["smoking"]], scales: ["severity": 1],
                suits: ["nanofat", "non-surgical"], notAFit: ["macs-lift", "facelift", "fat-grafting"], cautions: ["smoking"], doctorFirst: false),
        Persona(name: "marked sagging with a loose neck, ready for surgery", aid: "facial-ageing",
                choices: ["concerns": ["jowls", "neck"], "surgery": ["yes"], "downtime": ["weeks"], "health": ["blood-thinners"]], scales: ["severity": 5],
                suits: ["facelift", "macs-lift"], notAFit: ["non-surgical", "nanofat"], cautions: ["blood-thinners"], doctorFirst: false),
        Persona(name: "a bleeding disorder, wanting a lift", aid: "facial-ageing",
                choices: ["concerns": ["jowls"], "surgery": ["yes"], "downtime": ["weeks"], "health": ["bleeding"]], scales: ["severity": 3],
                suits: ["doctor", "macs-lift"], notAFit: ["nanofat"], cautions: ["bleeding"], doctorFirst: true),
    ]

    @Test("Personas reach their expected outcome", arguments: personas)
    func persona(_ p: Persona) throws {
        let aid = try definition(p.aid)
        let answers = DecisionAnswers(choices: p.choices, scales: p.scales)
        #expect(aid.check(answers) == [])
        let result = aid.evaluate(answers)
        for option in p.suits { #expect(result.fit(of: option) == .suits, "\(option): \(String(describing: result.fit(of: option)))") }
        for option in p.notAFit { #expect(result.fit(of: option) == .notAFit, "\(option): \(String(describing: result.fit(of: option)))") }
        #expect(Set(result.cautions.map(\.id)) == Set(p.cautions))
        #expect(result.doctorFirst == p.doctorFirst)
        #expect(result.options.allSatisfy { !$0.reasons.isEmpty })
        checkProperties(aid, result, answers)
    }

    @Test("The texts read at about age 12 to 14 (Flesch–Kincaid grade 9 or lower)", arguments: aids)
    func readingAge(_ id: String) throws {
        let score = Readability.score(try definition(id).proseTexts)
        #expect(score.words > 500)
        #expect(score.grade <= 9.0, "grade \(score.grade)")
    }

    @Test("Readability: syllables and grades of known sentences")
    func readability() {
        #expect(Readability.syllables("cat") == 1)
        #expect(Readability.syllables("table") == 2)
        #expect(Readability.syllables("recovery") == 4)
        #expect(Readability.syllables("make") == 1)
        #expect(Readability.score(["The cat sat on the mat."]).grade < 2)
        #expect(Readability.score(["Autologous adipose-derived regenerative cellular concentrates facilitate neovascularisation."]).grade > 15)
    }

    @Test("Answers are checked: missing, unknown, two answers to a single question, out of range")
    func answerChecks() throws {
        let aid = try definition("facial-ageing")
        let problems = aid.check(DecisionAnswers(choices: ["concerns": ["jowls", "jowls"], "surgery": ["yes", "no"], "downtime": ["forever"], "bogus": ["x"]],
                                                 scales: ["severity": 9]))
        #expect(problems.contains(AnswerProblem("concerns", .contradictory)))
        #expect(problems.contains(AnswerProblem("surgery", .tooMany)))
        #expect(problems.contains(AnswerProblem("downtime", .unknownChoice)))
        #expect(problems.contains(AnswerProblem("bogus", .unknownQuestion)))
        #expect(problems.contains(AnswerProblem("severity", .outOfRange)))
        #expect(problems.contains(AnswerProblem("health", .missing)) == false) // "none of these" is allowed
        #expect(aid.check(DecisionAnswers()).contains(AnswerProblem("concerns", .missing)))
    }

    @Test("Validation stops a definition with an unknown option, a rule naming a missing question or choice, or an unreachable option")
    func validation() throws {
        var aid = try definition("lip-rejuvenation")
        aid.rules[0].option = "laser"
        aid.rules[1].when[0].question = "eye-colour"
        aid.rules[2].when[0].anyOf = ["purple"]
        aid.rules.removeAll { $0.option == "nanofat-needling" && $0.fit != .notAFit }
        aid.fallbackOption = "nobody"
        let messages = aid.validate().map(\.message)
        #expect(messages.contains { $0.contains("unknown option 'laser'") })
        #expect(messages.contains { $0.contains("missing question 'eye-colour'") })
        #expect(messages.contains { $0.contains("missing choice 'purple'") })
        #expect(messages.contains { $0.contains("option 'nanofat-needling' is unreachable") })
        #expect(messages.contains { $0.contains("fallback option 'nobody'") })
    }
}
