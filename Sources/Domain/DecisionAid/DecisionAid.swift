import Foundation

/// A treatment decision aid: questions, treatment options, rules that relate answers to options, cautions
/// triggered by health answers, and what to expect from each option. It is data (a JSON file), validated on
/// load; `evaluate` turns answers into an explained, educational result. It never diagnoses.
public struct DecisionAid: Codable, Sendable, Equatable {
    public var id: String
    public var version: String
    public var title: String
    public var summary: String
    public var reviewedBy: String
    public var reviewedOn: String
    public var sources: [Source]
    public var questions: [Question]
    public var options: [Option]
    public var rules: [Rule]
    public var cautions: [Caution]
    /// The option shown when cautions call for a doctor first, or when no option fits.
    public var fallbackOption: String

    public struct Source: Codable, Sendable, Equatable {
        public var title: String
        public var publisher: String?
        public var year: Int?
        public var url: String?
        /// What the definition takes from it.
        public var supports: String
    }

    public struct Choice: Codable, Sendable, Equatable {
        public var id: String
        public var label: String
    }

    public struct Question: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case single, multiple, scale }
        public var id: String
        public var prompt: String
        public var help: String?
        public var kind: Kind
        /// For single and multiple choice.
        public var choices: [Choice]?
        /// For scales: the lowest and highest value with their labels.
        public var scale: Scale?
        /// A multiple-choice question may be left empty ("none of these"); single and scale need an answer.
        public var allowsNone: Bool?

        public struct Scale: Codable, Sendable, Equatable {
            public var min: Int
            public var max: Int
            public var minLabel: String
            public var maxLabel: String
        }
    }

    public struct Expectations: Codable, Sendable, Equatable {
        public var how: String
        public var recovery: String
        public var resultsShow: String
        public var lasts: String
        public var cannotDo: String
    }

    public struct Option: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var summary: String
        /// Procedure guides (slugs) that describe it; providers offering them are shown with the result.
        public var procedures: [String]
        public var expectations: Expectations
    }

    /// Holds when the answer to `question` includes one of `anyOf`, or (for scales) lies within `atLeast…atMost`.
    public struct Condition: Codable, Sendable, Equatable {
        public var question: String
        public var anyOf: [String]?
        public var noneOf: [String]?
        public var atLeast: Int?
        public var atMost: Int?
    }

    public enum Fit: String, Codable, Sendable, Comparable, CaseIterable {
        case suits, maySuit = "may-suit", notAFit = "not-a-fit"
        var rank: Int { self == .suits ? 0 : self == .maySuit ? 1 : 2 }
        public static func < (a: Fit, b: Fit) -> Bool { a.rank < b.rank }
    }

    /// When every condition holds, `option` gets `fit`, explained by `reason`.
    public struct Rule: Codable, Sendable, Equatable {
        public var id: String
        public var when: [Condition]
        public var option: String
        public var fit: Fit
        public var reason: String
    }

    public struct Caution: Codable, Sendable, Equatable {
        public enum Level: String, Codable, Sendable {
            /// Worth raising with the doctor.
            case note
            /// A doctor's judgement is needed before any option.
            case doctorFirst = "doctor-first"
        }
        public var id: String
        public var when: [Condition]
        public var level: Level
        public var text: String
    }
}

/// Answers: question id → chosen choice ids (one for single choice, any number for multiple) or a scale value.
public struct DecisionAnswers: Codable, Sendable, Equatable {
    public var choices: [String: [String]]
    public var scales: [String: Int]

    public init(choices: [String: [String]] = [:], scales: [String: Int] = [:]) {
        self.choices = choices
        self.scales = scales
    }
}

/// What an aid concludes for a set of answers.
public struct DecisionResult: Codable, Sendable, Equatable {
    public struct OptionResult: Codable, Sendable, Equatable {
        public var option: String
        public var fit: DecisionAid.Fit
        public var reasons: [String]
        public var rules: [String]
    }
    public var aid: String
    public var version: String
    /// Options with a fit, best first (suits, may suit, not a fit), in the definition's order within a fit.
    public var options: [OptionResult]
    public var cautions: [DecisionAid.Caution]
    /// True when cautions call for a doctor before anything (the fallback option leads).
    public var doctorFirst: Bool

    public func fit(of option: String) -> DecisionAid.Fit? { options.first { $0.option == option }?.fit }
}

/// Why answers cannot be evaluated; the API answers 422 with these.
public struct AnswerProblem: Error, Equatable, Sendable {
    public enum Code: String, Sendable, Codable { case missing, unknownQuestion, unknownChoice, tooMany, outOfRange, contradictory }
    public var question: String
    public var code: Code
    public init(_ question: String, _ code: Code) { self.question = question; self.code = code }
}

extension DecisionAid {
    public func question(_ id: String) -> Question? { questions.first { $0.id == id } }
    public func option(_ id: String) -> Option? { options.first { $0.id == id } }

    /// Checks answers against the questions: every question answered (or allowed empty), known choices, scales in range,
    /// and no "none of these" together with another choice.
    public func check(_ answers: DecisionAnswers) -> [AnswerProblem] {
        var problems: [AnswerProblem] = []
        for id in answers.choices.keys.sorted() where question(id) == nil || question(id)?.kind == .scale { problems.append(AnswerProblem(id, .unknownQuestion)) }
        for id in answers.scales.keys.sorted() where question(id)?.kind != .scale { problems.append(AnswerProblem(id, .unknownQuestion)) }
        for q in questions {
            switch q.kind {
            case .scale:
                guard let value = answers.scales[q.id] else { problems.append(AnswerProblem(q.id, .missing)); continue }
                if let s = q.scale, !(s.min...s.max).contains(value) { problems.append(AnswerProblem(q.id, .outOfRange)) }
            case .single, .multiple:
                let chosen = answers.choices[q.id] ?? []
                let known = Set((q.choices ?? []).map(\.id))
                if chosen.contains(where: { !known.contains($0) }) { problems.append(AnswerProblem(q.id, .unknownChoice)); continue }
                if q.kind == .single && chosen.count > 1 { problems.append(AnswerProblem(q.id, .tooMany)) }
                if chosen.isEmpty && !(q.kind == .multiple && q.allowsNone == true) { problems.append(AnswerProblem(q.id, .missing)) }
                if Set(chosen).count != chosen.count { problems.append(AnswerProblem(q.id, .contradictory)) }
            }
        }
        return problems
    }

    func holds(_ c: Condition, _ answers: DecisionAnswers) -> Bool {
        if let value = answers.scales[c.question] {
            if let lo = c.atLeast, value < lo { return false }
            if let hi = c.atMost, value > hi { return false }
            return c.atLeast != nil || c.atMost != nil
        }
        let chosen = Set(answers.choices[c.question] ?? [])
        if let any = c.anyOf, chosen.isDisjoint(with: any) { return false }
        if let none = c.noneOf, !chosen.isDisjoint(with: none) { return false }
        return c.anyOf != nil || c.noneOf != nil
    }

    /// Ids of the rules whose conditions all hold for `answers`.
    public func firedRules(_ answers: DecisionAnswers) -> [String] {
        rules.filter { $0.when.allSatisfy { holds($0, answers) } }.map(\.id)
    }

    /// The result for checked answers (call `check` first; unknown answers simply match nothing).
    public func evaluate(_ answers: DecisionAnswers) -> DecisionResult {
        var fired: [String: [Rule]] = [:]
        for rule in rules where rule.when.allSatisfy({ holds($0, answers) }) { fired[rule.option, default: []].append(rule) }
        let cautions = self.cautions.filter { $0.when.allSatisfy { holds($0, answers) } }
        let doctorFirst = cautions.contains { $0.level == .doctorFirst }
        var results: [DecisionResult.OptionResult] = []
        for option in options where option.id != fallbackOption {
            guard let list = fired[option.id], !list.isEmpty else { continue }
            // "Not a fit" outweighs any reason for (one option never both suits and is not a fit); otherwise the
            // strongest reason for wins.
            let fits = Set(list.map(\.fit))
            let fit: Fit = fits.contains(.notAFit) ? .notAFit : fits.contains(.suits) ? .suits : .maySuit
            let decisive = list.filter { $0.fit == fit }
            results.append(.init(option: option.id, fit: fit, reasons: decisive.map(\.reason), rules: decisive.map(\.id)))
        }
        let anyFit = results.contains { $0.fit != .notAFit }
        if doctorFirst || !anyFit || fired[fallbackOption] != nil {
            var reasons = cautions.filter { $0.level == .doctorFirst }.map(\.text)
            reasons += (fired[fallbackOption] ?? []).map(\.reason)
            if reasons.isEmpty { reasons = ["No option matches these answers well; a doctor can look at your situation as a whole."] }
            results.append(.init(option: fallbackOption, fit: .suits, reasons: reasons, rules: (fired[fallbackOption] ?? []).map(\.id)))
        }
        let order = Dictionary(uniqueKeysWithValues: options.enumerated().map { ($1.id, $0) })
        results.sort {
            if doctorFirst && ($0.option == fallbackOption) != ($1.option == fallbackOption) { return $0.option == fallbackOption }
            if $0.fit != $1.fit { return $0.fit < $1.fit }
            return (order[$0.option] ?? 0) < (order[$1.option] ?? 0)
        }
        return DecisionResult(aid: id, version: version, options: results, cautions: cautions, doctorFirst: doctorFirst)
    }
}
