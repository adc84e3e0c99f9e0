import Foundation

/// Why a definition file cannot be used; the start stops with these lines.
public struct DefinitionProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public let aid: String
    public let message: String
    public init(_ aid: String, _ message: String) { self.aid = aid; self.message = message }
    public var description: String { "decision aid '\(aid)': \(message)" }
}

extension DecisionAid {
    /// Every problem of the definition: duplicate ids, rules or cautions naming missing questions, choices or
    /// options, conditions that do not fit their question, an unknown fallback, options no rule can recommend.
    public func validate() -> [DefinitionProblem] {
        var problems: [DefinitionProblem] = []
        func fail(_ m: String) { problems.append(DefinitionProblem(id, m)) }
        if id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) { fail("the id must be lowercase letters, digits and dashes") }
        if version.isEmpty { fail("a version is required") }
        if ISODate.parse(reviewedOn) == nil { fail("reviewedOn must be a date YYYY-MM-DD, got '\(reviewedOn)'") }
        if reviewedBy.isEmpty { fail("the medical reviewer is required") }
        if sources.isEmpty { fail("name the sources the content relies on") }
        for (kind, ids) in [("question", questions.map(\.id)), ("option", options.map(\.id)), ("rule", rules.map(\.id)), ("caution", cautions.map(\.id))] {
            for dup in Dictionary(grouping: ids, by: { $0 }).filter({ $0.value.count > 1 }).keys.sorted() { fail("\(kind) id '\(dup)' is used twice") }
        }
        for q in questions {
            switch q.kind {
            case .scale:
                guard let s = q.scale, s.min < s.max else { fail("question '\(q.id)' is a scale without a valid range"); continue }
            case .single, .multiple:
                guard let c = q.choices, c.count >= 2 else { fail("question '\(q.id)' needs at least two choices"); continue }
                for dup in Dictionary(grouping: c.map(\.id), by: { $0 }).filter({ $0.value.count > 1 }).keys.sorted() { fail("question '\(q.id)' has choice '\(dup)' twice") }
            }
        }
        if option(fallbackOption) == nil { fail("the fallback option '\(fallbackOption)' is not an option") }
        func check(_ conditions: [Condition], in place: String) {
            if conditions.isEmpty { fail("\(place) has no condition") }
            for c in conditions {
                guard let q = question(c.question) else { fail("\(place) names the missing question '\(c.question)'"); continue }
                if q.kind == .scale {
                    if c.anyOf != nil || c.noneOf != nil || (c.atLeast == nil && c.atMost == nil) { fail("\(place) must compare the scale '\(q.id)' with atLeast/atMost") }
                    if let s = q.scale, let lo = c.atLeast, !(s.min...s.max).contains(lo) { fail("\(place) compares '\(q.id)' with \(lo), outside its scale") }
                    if let s = q.scale, let hi = c.atMost, !(s.min...s.max).contains(hi) { fail("\(place) compares '\(q.id)' with \(hi), outside its scale") }
                } else {
                    if c.atLeast != nil || c.atMost != nil || (c.anyOf == nil && c.noneOf == nil) { fail("\(place) must name choices of '\(q.id)' with anyOf/noneOf") }
                    let known = Set((q.choices ?? []).map(\.id))
                    for choice in (c.anyOf ?? []) + (c.noneOf ?? []) where !known.contains(choice) { fail("\(place) names the missing choice '\(choice)' of '\(q.id)'") }
                }
            }
        }
        for r in rules {
            if option(r.option) == nil { fail("rule '\(r.id)' names the unknown option '\(r.option)'") }
            if r.reason.isEmpty { fail("rule '\(r.id)' gives no reason") }
            check(r.when, in: "rule '\(r.id)'")
        }
        for c in cautions { check(c.when, in: "caution '\(c.id)'") }
        for o in options where o.id != fallbackOption {
            if !rules.contains(where: { $0.option == o.id && $0.fit != .notAFit }) { fail("option '\(o.id)' is unreachable: no rule can recommend it") }
        }
        return problems
    }

    /// For each option, the answer paths (rules) that recommend it or rule it out, as text for editors.
    public func coverage() -> [(option: String, fit: Fit, rule: String, path: String)] {
        var rows: [(String, Fit, String, String)] = []
        func describe(_ conditions: [Condition]) -> String {
            conditions.map { c -> String in
                    if let lo = c.atLeast, let hi = c.atMost { return "\(c.question) in \(lo)…\(hi)" }
                    if let lo = c.atLeast { return "\(c.question) ≥ \(lo)" }
                    if let hi = c.atMost { return "\(c.question) ≤ \(hi)" }
                    var parts: [String] = []
                    if let any = c.anyOf { parts.append("\(c.question) ∋ \(any.joined(separator: "|"))") }
                    if let none = c.noneOf { parts.append("\(c.question) ∌ \(none.joined(separator: "|"))") }
                    return parts.joined(separator: ", ")
                }.joined(separator: " and ")
        }
        for o in options {
            for r in rules where r.option == o.id { rows.append((o.id, r.fit, r.id, describe(r.when))) }
            if o.id == fallbackOption {
                for c in cautions where c.level == .doctorFirst { rows.append((o.id, .suits, "caution:\(c.id)", describe(c.when))) }
                rows.append((o.id, .suits, "(no other option fits)", "any answers"))
            }
        }
        return rows
    }
}
