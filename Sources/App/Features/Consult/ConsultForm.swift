import Foundation
import Plot
import Domain

/// The consultation request form: four steps that work without JavaScript. Answers of the other steps travel
/// in hidden fields (in the POST body, never the address), so going back and forth keeps everything typed.
enum ConsultForm {
    struct Model {
        let target: ConsultTarget
        let step: ConsultationStep
        let state: FormState
        let csrf: String
        let signedInPatient: Bool
        let photosLost: Bool
        let languages: [(String, String)]
        /// A guest gave the address of an existing account: the password field asks for that account's password.
        var existingAccount = false
    }

    static func labels(_ t: Localizer) -> [String: String] {
        let names = ["procedures", "concerns", "goals", "conditions", "medications", "blood_thinners", "allergies", "smoking",
                     "pregnancy", "earlier_treatment", "fillers", "earlier_surgery", "height_cm", "weight_kg", "travel_from",
                     "travel_to", "companions", "budget_min", "budget_max", "budget_currency", "contact_channel", "phone",
                     "language", "time_zone", "photos", "consent_health", "consent_share", "terms", "name", "email", "password", "prepared_with"]
        return Dictionary(uniqueKeysWithValues: names.map { ($0, t("consult.field.\($0)")) })
    }

    static func render(_ m: Model, _ ctx: PageContext) -> String {
        let t = ctx.t
        let labels = labels(t)
        let action = SiteURL.consult(.value(m.target.slug)).path
        let steps = ConsultationStep.allCases
        let body: Node<HTML.BodyContext> = .div(.class("wrap narrow consult-form"),
            .p(.class("eyebrow"), .plain(t("consult.form.eyebrow"))),
            .h1(.plain(t("consult.form.title", ["name": m.target.name]))),
            .p(.class("lead"), .plain(t("consult.privacy"))),
            .ol(.class("form-steps"), .attr("aria-label", t("consult.form.progress")),
                .forEach(steps) { s in
                    .li(.classes(s == m.step ? "current" : "", s < m.step ? "done" : ""),
                        s == m.step ? .attr("aria-current", "step") : .empty,
                        .plain(t("consult.step.\(s.rawValue)")))
                }),
            Fields.summary(m.state, labels: labels, t),
            .if(m.photosLost, .p(.class("notice"), .attr("role", "status"), .plain(t("consult.photos.again")))),
            Fields.form(action: action, csrf: m.csrf, multipart: m.step == .review, [
                Fields.hidden("step", "\(m.step.rawValue)"),
                Fields.hidden("idempotency_key", m.state.value("idempotency_key")),
                .group(hiddenAnswers(excluding: m.step, m.state)),
                .element(named: "h2", nodes: [.plain(t("consult.step.\(m.step.rawValue)"))]),
                .group(stepFields(m, labels, t)),
                .div(.class("form-actions"),
                    .if(m.step.previous != nil, .button(.type(.submit), .name("go"), .value("back"), .class("button"), .plain(t("consult.back")))),
                    m.step == .review
                        ? .button(.type(.submit), .name("go"), .value("submit"), .class("button primary"), .plain(t("consult.submit")))
                        : .button(.type(.submit), .name("go"), .value("next"), .class("button primary"), .plain(t("consult.next")))
                ),
            ]),
            .p(.class("fine-print"), .plain(t("consult.form.never")))
        )
        return Page(title: t("consult.form.title", ["name": m.target.name]), description: t("consult.privacy"), canonical: nil,
                    noindex: true, body: body).render(ctx)
    }

    /// Every answer of the other steps, as hidden fields: the last step's name, email and ticked consents too, so
    /// Back and Continue keep them (never the password, which is not echoed, nor photos, which cannot be).
    static func hiddenAnswers(excluding step: ConsultationStep, _ state: FormState) -> [Node<HTML.BodyContext>] {
        var nodes: [Node<HTML.BodyContext>] = []
        for other in ConsultationStep.allCases where other != step {
            for field in other.fields where field != "password" && field != "photos" {
                for value in state.values(field) where !value.isEmpty { nodes.append(Fields.hidden(field, value)) }
            }
        }
        return nodes
    }

    static func options<T: CaseIterable & RawRepresentable>(_ type: T.Type, _ prefix: String, _ t: Localizer) -> [(String, String)] where T.RawValue == String {
        T.allCases.map { ($0.rawValue, t("\(prefix).\($0.rawValue)")) }
    }

    static func stepFields(_ m: Model, _ labels: [String: String], _ t: Localizer) -> [Node<HTML.BodyContext>] {
        let s = m.state
        let L = ConsultationLimits.self
        switch m.step {
        case .treatment:
            return [
                .if(s.input["prepared_with"] != nil, Fields.textarea("prepared_with", label: labels["prepared_with"] ?? "", state: s, t,
                                                                     hint: t("consult.hint.prepared_with"), maxLength: L.longText, rows: 5)),
                Fields.choices("procedures", legend: labels["procedures"]!, options: m.target.procedures.map { ($0.slug, $0.name) },
                               multiple: true, state: s, t, hint: t("consult.hint.procedures"), required: true),
                Fields.textarea("concerns", label: labels["concerns"]!, state: s, t, hint: t("consult.hint.concerns"), required: true, maxLength: L.longText, rows: 6),
                Fields.textarea("goals", label: labels["goals"]!, state: s, t, hint: t("consult.hint.goals"), maxLength: L.longText),
            ]
        case .health:
            return [
                .p(.class("hint"), .plain(t("consult.health.intro"))),
                Fields.textarea("conditions", label: labels["conditions"]!, state: s, t, hint: t("consult.hint.conditions"), maxLength: L.mediumText, rows: 3),
                Fields.textarea("medications", label: labels["medications"]!, state: s, t, hint: t("consult.hint.medications"), maxLength: L.mediumText, rows: 3),
                Fields.choices("blood_thinners", legend: labels["blood_thinners"]!, options: options(ConsultationRequest.YesNo.self, "consult.yesno", t), state: s, t,
                               hint: t("consult.hint.blood_thinners"), required: true),
                Fields.textarea("allergies", label: labels["allergies"]!, state: s, t, maxLength: L.mediumText, rows: 2),
                Fields.choices("smoking", legend: labels["smoking"]!, options: options(ConsultationRequest.Smoking.self, "consult.smoking", t), state: s, t, required: true),
                Fields.choices("pregnancy", legend: labels["pregnancy"]!, options: options(ConsultationRequest.Pregnancy.self, "consult.pregnancy", t), state: s, t, required: true),
                Fields.choices("fillers", legend: labels["fillers"]!, options: options(ConsultationRequest.FillerHistory.self, "consult.fillers", t), state: s, t,
                               hint: t("consult.hint.fillers"), required: true),
                Fields.textarea("earlier_treatment", label: labels["earlier_treatment"]!, state: s, t, hint: t("consult.hint.earlier_treatment"), maxLength: L.mediumText, rows: 3),
                Fields.textarea("earlier_surgery", label: labels["earlier_surgery"]!, state: s, t, maxLength: L.mediumText, rows: 3),
                Fields.input("height_cm", label: labels["height_cm"]!, type: "number", state: s, t,
                             extra: [.attr("min", "\(L.heightRange.lowerBound)"), .attr("max", "\(L.heightRange.upperBound)"), .attr("inputmode", "numeric")]),
                Fields.input("weight_kg", label: labels["weight_kg"]!, type: "number", state: s, t,
                             extra: [.attr("min", "\(L.weightRange.lowerBound)"), .attr("max", "\(L.weightRange.upperBound)"), .attr("inputmode", "numeric")]),
            ]
        case .travel:
            let currencies = CurrencyCode.known.sorted().map { ($0, $0) }
            return [
                Fields.input("travel_from", label: labels["travel_from"]!, type: "date", state: s, t, hint: t("consult.hint.travel")),
                Fields.input("travel_to", label: labels["travel_to"]!, type: "date", state: s, t),
                Fields.input("companions", label: labels["companions"]!, type: "number", state: s, t,
                             extra: [.attr("min", "0"), .attr("max", "\(L.maxCompanions)"), .attr("inputmode", "numeric")]),
                Fields.input("budget_min", label: labels["budget_min"]!, state: s, t, maxLength: 12, extra: [.attr("inputmode", "decimal")]),
                Fields.input("budget_max", label: labels["budget_max"]!, state: s, t, maxLength: 12, extra: [.attr("inputmode", "decimal")]),
                Fields.select("budget_currency", label: labels["budget_currency"]!, options: currencies, state: s, t),
                Fields.choices("contact_channel", legend: labels["contact_channel"]!, options: options(ConsultationRequest.ContactChannel.self, "consult.channel", t), state: s, t, required: true),
                Fields.input("phone", label: labels["phone"]!, type: "tel", state: s, t, hint: t("consult.hint.phone"), autocomplete: "tel", maxLength: 32),
                Fields.select("language", label: labels["language"]!, options: m.languages, state: s, t, required: true, placeholder: t("consult.choose")),
                Fields.input("time_zone", label: labels["time_zone"]!, state: s, t, hint: t("consult.hint.time_zone"), required: true, maxLength: 64),
            ]
        case .review:
            var nodes: [Node<HTML.BodyContext>] = [
                .div(.classes("field", s.hasError("photos") ? "has-error" : ""),
                    .label(.attr("for", "photos"), .plain(labels["photos"]!), .span(.class("optional"), .plain(" " + t("form.optional")))),
                    .p(.class("hint"), .id("photos-hint"), .plain(t("consult.hint.photos", ["max": "\(L.maxPhotos)"]))),
                    Fields.errors("photos", s, t),
                    .selfClosedElement(named: "input", attributes: [
                        Attribute<HTML.BodyContext>.attr("type", "file"), .attr("id", "photos"), .attr("name", "photos"),
                        .attr("accept", "image/jpeg,image/png,image/heic,.heic"), .flag("multiple", true),
                        .attr("aria-describedby", "photos-hint")])),
            ]
            if !m.signedInPatient {
                nodes += [
                    .h3(.plain(t("consult.account.title"))),
                    .p(.class("hint"), .plain(t("consult.account.hint"))),
                    .if(m.existingAccount, .div(.class("notice"), .attr("role", "status"),
                        .p(.plain(t("consult.account.exists"))),
                        .p(.a(.to(SiteURL.reset.path), .plain(t("account.reset.link")))))),
                    Fields.input("name", label: labels["name"]!, state: s, t, required: true, autocomplete: "name", maxLength: 100),
                    Fields.input("email", label: labels["email"]!, type: "email", state: s, t, required: true, autocomplete: "email", maxLength: EmailAddress.maxLength),
                    Fields.input("password", label: m.existingAccount ? t("consult.account.existingPassword") : labels["password"]!, type: "password",
                                 state: s, t, hint: m.existingAccount ? nil : t("account.password.hint"),
                                 required: true, autocomplete: m.existingAccount ? "current-password" : "new-password", maxLength: PasswordPolicy.maximumLength),
                ]
            }
            nodes += [
                .h3(.plain(t("consult.consent.title"))),
                .p(.class("hint"), .plain(t("consult.consent.intro", ["version": ConsentTerms.version]))),
                Fields.checkbox("consent_health", label: t(ConsentTerms.healthKey, ["provider": m.target.name]), state: s, t),
                Fields.checkbox("consent_share", label: t(ConsentTerms.shareKey, ["provider": m.target.name]), state: s, t),
                Fields.termsCheckbox(label: t("consult.terms"), state: s, t),
            ]
            return nodes
        }
    }

    /// After a guest's submission: what happens next.
    static func received(reference: String, showMailbox: Bool, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("consult.received.title"), description: t("consult.received.title"), canonical: nil, noindex: true, body:
            .div(.class("wrap narrow"),
                .h1(.plain(t("consult.received.title"))),
                .p(.class("lead"), .plain(t("consult.received.body"))),
                .p(.plain(t("consult.received.reference")), .plain(" "), .strong(.class("reference"), .plain(reference))),
                .if(showMailbox, .p(.a(.to(SiteURL.devMailbox.path), .class("dev-only"), .plain(t("consult.received.devMailbox")))))
            )).render(ctx)
    }
}
