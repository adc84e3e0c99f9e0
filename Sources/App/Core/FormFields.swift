import Foundation
import Plot
import Domain

/// What a form page shows: the values typed so far and the problems found, so nothing typed is lost.
struct FormState: Sendable {
    var input: FormInput
    var problems: [FieldProblem]

    init(_ input: FormInput = FormInput(), problems: [FieldProblem] = []) {
        self.input = input
        self.problems = problems
    }

    func value(_ name: String) -> String { input[name] ?? "" }
    func values(_ name: String) -> [String] { input.all(name) }
    func hasError(_ name: String) -> Bool { problems.contains { $0.field == name } }
}

extension Localizer {
    /// The message shown next to a refused field.
    func message(for problem: FieldProblem) -> String {
        switch problem.code {
        case .required: return self("form.error.required")
        case .tooLong(let max): return self("form.error.tooLong", ["max": Self.grouped(max)])
        case .tooShort(let min): return self("form.error.tooShort", ["min": Self.grouped(min)])
        case .outOfRange(let lo, let hi): return self("form.error.outOfRange", ["min": Self.grouped(lo), "max": Self.grouped(hi)])
        case .notANumber: return self("form.error.notANumber")
        case .unknownValue: return self("form.error.unknownValue")
        case .unknownCurrency: return self("form.error.unknownCurrency")
        case .invalidEmail: return self("form.error.invalidEmail")
        case .invalidDate: return self("form.error.invalidDate")
        case .dateInPast: return self("form.error.dateInPast")
        case .endBeforeStart: return self("form.error.endBeforeStart")
        case .minAboveMax: return self("form.error.minAboveMax")
        case .tooMany(let max): return self("form.error.tooMany", ["max": Self.grouped(max)])
        case .consentMissing: return self("form.error.consentMissing")
        case .passwordCommon: return self("form.error.passwordCommon")
        case .passwordContainsEmail: return self("form.error.passwordContainsEmail")
        case .mismatch: return self("form.error.mismatch")
        case .invalidTimeZone: return self("form.error.invalidTimeZone")
        case .invalidPhone: return self("form.error.invalidPhone")
        case .overlaps: return self("form.error.overlaps")
        case .unconfirmedAccount: return self("form.error.unconfirmedAccount")
        case .duplicate: return self("form.error.duplicate")
        }
    }
}

/// Accessible form controls: a label for every control, the problem next to it (linked with
/// `aria-describedby`), and the value typed so far.
enum Fields {
    static func csrf(_ token: String) -> Node<HTML.BodyContext> { hidden(CSRFProtection.field, token) }

    static func hidden(_ name: String, _ value: String) -> Node<HTML.BodyContext> {
        .selfClosedElement(named: "input", attributes: [.attr("type", "hidden"), .attr("name", name), .attr("value", value)])
    }

    /// A POST form carrying its CSRF token. Built as a plain element so that every control helper (which
    /// produces body content) can sit directly inside it.
    static func form(action: String, csrf: String, multipart: Bool = false, classes: String = "",
                     _ children: [Node<HTML.BodyContext>]) -> Node<HTML.BodyContext> {
        let head: [Node<HTML.BodyContext>] = [
            .attr("method", "post"), .attr("action", action), .attribute(named: "novalidate", value: nil, ignoreIfValueIsEmpty: false),
            multipart ? .attr("enctype", "multipart/form-data") : .empty, classes.isEmpty ? .empty : .attr("class", classes),
            Fields.csrf(csrf),
        ]
        return .element(named: "form", nodes: head + children)
    }

    static func errors(_ name: String, _ state: FormState, _ t: Localizer, id: String? = nil) -> Node<HTML.BodyContext> {
        let found = state.problems.filter { $0.field == name }
        guard !found.isEmpty else { return .empty }
        return .p(.class("field-error"), .id("\(id ?? name)-error"), .forEach(found) { .plain(t.message(for: $0) + " ") })
    }

    private static func describedBy(_ name: String, hint: String?, _ state: FormState) -> Attribute<HTML.InputContext> {
        let ids = [hint != nil ? "\(name)-hint" : nil, state.hasError(name) ? "\(name)-error" : nil].compactMap { $0 }
        return ids.isEmpty ? .empty : .attr("aria-describedby", ids.joined(separator: " "))
    }

    /// A one-line input.
    static func input(_ name: String, label: String, type: String = "text", state: FormState, _ t: Localizer,
                      hint: String? = nil, required: Bool = false, autocomplete: String? = nil, maxLength: Int? = nil,
                      extra: [Attribute<HTML.InputContext>] = []) -> Node<HTML.BodyContext> {
        let keepValue = type != "password"
        var attributes: [Attribute<HTML.InputContext>] = [
            .attr("type", type), .attr("id", name), .attr("name", name),
            keepValue ? .attr("value", state.value(name)) : .empty,
            .flag("required", required), (state.hasError(name) ? .attr("aria-invalid", "true") : .empty),
            autocomplete.map { .attr("autocomplete", $0) } ?? .empty,
            maxLength.map { .attr("maxlength", "\($0)") } ?? .empty,
            describedBy(name, hint: hint, state),
        ]
        attributes += extra
        return .div(.classes("field", state.hasError(name) ? "has-error" : ""),
            .label(.attr("for", name), .plain(label), .if(!required, .span(.class("optional"), .plain(" " + t("form.optional"))))),
            .if(hint != nil, .p(.class("hint"), .id("\(name)-hint"), .plain(hint ?? ""))),
            errors(name, state, t),
            .selfClosedElement(named: "input", attributes: attributes))
    }

    /// Several lines of free text.
    /// A text area; `id` differs from `name` when one page has several forms with the same field.
    static func textarea(_ name: String, id: String? = nil, label: String, state: FormState, _ t: Localizer, hint: String? = nil,
                         required: Bool = false, maxLength: Int, rows: Int = 5) -> Node<HTML.BodyContext> {
        let id = id ?? name
        let ids = [hint != nil ? "\(id)-hint" : nil, state.hasError(name) ? "\(id)-error" : nil].compactMap { $0 }
        return .div(.classes("field", state.hasError(name) ? "has-error" : ""),
            .label(.attr("for", id), .plain(label), .if(!required, .span(.class("optional"), .plain(" " + t("form.optional"))))),
            .if(hint != nil, .p(.class("hint"), .id("\(id)-hint"), .plain(hint ?? ""))),
            errors(name, state, t, id: id),
            .element(named: "textarea", nodes: [
                .attr("id", id), .attr("name", name), .attr("rows", "\(rows)"), .attr("maxlength", "\(maxLength)"),
                .flag("required", required), (state.hasError(name) ? .attr("aria-invalid", "true") : .empty),
                ids.isEmpty ? .empty : .attr("aria-describedby", ids.joined(separator: " ")),
                .plain(state.value(name)),
            ]))
    }

    /// A drop-down list.
    static func select(_ name: String, label: String, options: [(String, String)], state: FormState, _ t: Localizer,
                       hint: String? = nil, required: Bool = false, placeholder: String? = nil) -> Node<HTML.BodyContext> {
        let current = state.value(name)
        return .div(.classes("field", state.hasError(name) ? "has-error" : ""),
            .label(.attr("for", name), .plain(label), .if(!required, .span(.class("optional"), .plain(" " + t("form.optional"))))),
            .if(hint != nil, .p(.class("hint"), .id("\(name)-hint"), .plain(hint ?? ""))),
            errors(name, state, t),
            .element(named: "select", nodes: [
                .attr("id", name), .attr("name", name), .flag("required", required), (state.hasError(name) ? .attr("aria-invalid", "true") : .empty),
                .if(placeholder != nil, .element(named: "option", nodes: [.attr("value", ""), .plain(placeholder ?? "")])),
                .forEach(options) { value, text in
                    .element(named: "option", nodes: [.attr("value", value), .flag("selected", value == current), .plain(text)])
                },
            ]))
    }

    /// Radio buttons or checkboxes in a fieldset.
    static func choices(_ name: String, legend: String, options: [(String, String)], multiple: Bool = false,
                        state: FormState, _ t: Localizer, hint: String? = nil, required: Bool = false) -> Node<HTML.BodyContext> {
        let chosen = Set(state.values(name))
        return .element(named: "fieldset", nodes: [.classes("field choices", state.hasError(name) ? "has-error" : ""),
            .element(named: "legend", nodes: [.plain(legend), .if(!required, .span(.class("optional"), .plain(" " + t("form.optional"))))]),
            .if(hint != nil, .p(.class("hint"), .id("\(name)-hint"), .plain(hint ?? ""))),
            errors(name, state, t),
            .forEach(Array(options.enumerated())) { index, option in
                let id = "\(name)-\(index)"
                return .div(.class("choice"),
                    .selfClosedElement(named: "input", attributes: [
                        Attribute<HTML.BodyContext>.attr("type", multiple ? "checkbox" : "radio"), .attr("id", id), .attr("name", name),
                        .attr("value", option.0), .flag("checked", chosen.contains(option.0)),
                    ]),
                    .label(.attr("for", id), .plain(option.1)))
            }])
    }

    /// One checkbox (consent, terms).
    static func checkbox(_ name: String, label: String, state: FormState, _ t: Localizer) -> Node<HTML.BodyContext> {
        .div(.classes("field checkbox", state.hasError(name) ? "has-error" : ""),
            errors(name, state, t),
            .selfClosedElement(named: "input", attributes: [
                Attribute<HTML.BodyContext>.attr("type", "checkbox"), .attr("id", name), .attr("name", name), .attr("value", "yes"),
                .flag("checked", state.value(name) == "yes"), (state.hasError(name) ? .attr("aria-invalid", "true") : .empty),
                state.hasError(name) ? .attr("aria-describedby", "\(name)-error") : .empty,
            ]),
            .label(.attr("for", name), .plain(label)))
    }

    /// The list of problems at the top of a refused form, each linking to its field.
    /// `anchors` names the element id of a field whose id is not its name.
    static func summary(_ state: FormState, labels: [String: String], _ t: Localizer, anchors: [String: String] = [:]) -> Node<HTML.BodyContext> {
        guard !state.problems.isEmpty else { return .empty }
        return .div(.class("error-summary"), .attr("role", "alert"), .attr("tabindex", "-1"),
            .h2(.plain(t("form.summary.title"))),
            .ul(.forEach(state.problems) { problem in
                .li(.a(.to("#\(anchors[problem.field] ?? problem.field)"), .plain("\(labels[problem.field] ?? problem.field): \(t.message(for: problem))")))
            }))
    }
}

