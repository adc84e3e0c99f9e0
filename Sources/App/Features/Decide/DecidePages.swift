import Foundation
import Plot
import Domain

/// Pages of the decision aids.
enum DecidePages {
    static func index(_ aids: [DecisionAid], _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("decide.index.title"), description: t("decide.index.lead"), canonical: .decide,
                    breadcrumbs: [(t("nav.home"), .home), (t("decide.index.title"), nil)], body:
            .div(.class("wrap"),
                .h1(.plain(t("decide.index.title"))),
                .p(.class("lead"), .plain(t("decide.index.lead"))),
                .ul(.class("cards"), .forEach(aids) { aid in
                    .li(.article(.class("card"),
                        .h2(.a(.to(SiteURL.decideAid(.value(aid.id)).path), .plain(aid.title))),
                        .p(.plain(aid.summary)),
                        .p(.a(.class("button"), .to(SiteURL.decideAid(.value(aid.id)).path), .plain(t("decide.start"))))))
                }),
                Fragments.disclaimer(t))
        ).render(ctx)
    }

    /// Hidden fields carrying every answer except those of question `except`.
    static func hiddenAnswers(_ aid: DecisionAid, _ input: FormInput, except: String?) -> [Node<HTML.BodyContext>] {
        var nodes: [Node<HTML.BodyContext>] = []
        for q in aid.questions where q.id != except {
            for v in input.all(q.id) where !v.isEmpty { nodes.append(Fields.hidden(q.id, v)) }
        }
        for id in input.all("answered") where id != except { nodes.append(Fields.hidden("answered", id)) }
        return nodes
    }

    static func step(_ aid: DecisionAid, index: Int, input: FormInput, problems: [AnswerProblem], csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let q = aid.questions[index]
        let state = FormState(input, problems: problems.filter { $0.question == q.id }.map { FieldProblem(q.id, $0.code == .missing ? .required : .unknownValue) })
        let control: Node<HTML.BodyContext>
        switch q.kind {
        case .single, .multiple:
            control = Fields.choices(q.id, legend: q.prompt, options: (q.choices ?? []).map { ($0.id, $0.label) }, multiple: q.kind == .multiple,
                                     state: state, t, hint: q.help ?? (q.kind == .multiple && q.allowsNone == true ? t("decide.noneHint") : nil), required: true)
        case .scale:
            let s = q.scale!
            control = Fields.choices(q.id, legend: q.prompt, options: (s.min...s.max).map { v in
                ("\(v)", v == s.min ? "\(v) – \(s.minLabel)" : v == s.max ? "\(v) – \(s.maxLabel)" : "\(v)")
            }, state: state, t, hint: q.help, required: true)
        }
        let last = index == aid.questions.count - 1
        return Page(title: aid.title, description: aid.summary, canonical: .decideAid(.value(aid.id)),
                    breadcrumbs: [(t("nav.home"), .home), (t("decide.index.title"), .decide), (aid.title, nil)], body:
            .div(.class("wrap narrow decide"),
                .p(.class("eyebrow"), .plain(t("decide.progress", ["n": "\(index + 1)", "count": "\(aid.questions.count)"]))),
                .h1(.plain(aid.title)),
                .if(index == 0, .p(.class("lead"), .plain(aid.summary))),
                .element(named: "progress", nodes: [.attr("max", "\(aid.questions.count)"), .attr("value", "\(index + 1)"),
                                                    .attr("aria-label", t("decide.progress", ["n": "\(index + 1)", "count": "\(aid.questions.count)"]))]),
                Fields.form(action: SiteURL.decideAid(.value(aid.id)).path, csrf: csrf, [
                    Fields.hidden("step", "\(index)"),
                    .group(hiddenAnswers(aid, input, except: q.id)),
                    control,
                    .div(.class("form-actions"),
                        .if(index > 0, .button(.type(.submit), .name("go"), .value("back"), .class("button"), .plain(t("consult.back")))),
                        .button(.type(.submit), .name("go"), .value(last ? "result" : "next"), .class("button primary"),
                                .plain(last ? t("decide.seeResult") : t("consult.next")))),
                ]),
                .p(.class("fine-print"), .plain(t("decide.never"))))
        ).render(ctx)
    }

    static func result(_ aid: DecisionAid, _ result: DecisionResult, input: FormInput,
                       providers: [(option: String, procedure: String, cards: [ProviderCard], total: Int)],
                       country: String?, language: String?, procedureNames: [String: String], csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let summary = DecideController.summary(aid, result, t)
        let answerFields = hiddenAnswers(aid, input, except: nil) + [Fields.hidden("step", "\(aid.questions.count - 1)")]
        func optionSection(_ r: DecisionResult.OptionResult) -> Node<HTML.BodyContext> {
            guard let option = aid.option(r.option) else { return .empty }
            let e = option.expectations
            let match = providers.first { $0.option == r.option }
            return .section(.classes("decide-option", "fit-\(r.fit.rawValue)"),
                .h3(.plain(option.name), .plain(" "), .span(.classes("badge", "fit-badge-\(r.fit.rawValue)"), .plain(t("decide.fit.\(r.fit.rawValue)")))),
                .p(.plain(option.summary)),
                .h4(.plain(t("decide.why"))),
                .ul(.forEach(r.reasons) { .li(.plain($0)) }),
                .if(r.fit != .notAFit && r.option != aid.fallbackOption, .element(named: "dl", nodes: [.class("expectations"),
                    .div(.element(named: "dt", nodes: [.plain(t("decide.how"))]), .element(named: "dd", nodes: [.plain(e.how)])),
                    .div(.element(named: "dt", nodes: [.plain(t("decide.recovery"))]), .element(named: "dd", nodes: [.plain(e.recovery)])),
                    .div(.element(named: "dt", nodes: [.plain(t("decide.resultsShow"))]), .element(named: "dd", nodes: [.plain(e.resultsShow)])),
                    .div(.element(named: "dt", nodes: [.plain(t("decide.lasts"))]), .element(named: "dd", nodes: [.plain(e.lasts)])),
                    .div(.element(named: "dt", nodes: [.plain(t("decide.cannotDo"))]), .element(named: "dd", nodes: [.plain(e.cannotDo)])),
                ])),
                .if(r.fit != .notAFit, .p(.forEach(option.procedures) { slug in
                    .a(.class("chip"), .to(SiteURL.procedure(.value(slug)).path), .plain(t("decide.guide", ["name": procedureNames[slug] ?? slug])))
                })),
                .if(match != nil, .div(.class("decide-providers"),
                    .h4(.plain(t.count("decide.providers", match?.total ?? 0))),
                    .ul(.class("cards"), .forEach(match?.cards ?? []) { card in
                        .li(.article(.class("card provider-card"),
                            .h5(.a(.to(SiteURL.provider(.value(card.slug)).path), .plain(card.name))),
                            .p(.class("muted"), .plain([card.city, card.country.map { t.country($0) }].compactMap { $0 }.joined(separator: ", "))),
                            .if(card.isSample, Fragments.sampleBadge(t)),
                            Fields.form(action: SiteURL.consult(.value(card.slug)).path, csrf: csrf, [
                                Fields.hidden("go", "start"),
                                Fields.hidden("procedures", match?.procedure ?? ""),
                                Fields.hidden("prepared_with", summary),
                                .button(.type(.submit), .class("button secondary"), .plain(t("consult.cta")))])))
                    }),
                    .p(.a(.to(SiteURL.providers.path(query: [("procedure", match?.procedure ?? "")] + (country.map { [("country", $0)] } ?? []) + (language.map { [("language", $0)] } ?? []))),
                          .plain(t("decide.allProviders"))))))
            )
        }
        let reviewed = ISODate.parse(aid.reviewedOn)
        let languages: [(String, String)] = ["ar", "de", "en", "es", "fr", "it", "nl", "pl", "pt", "ru", "tr"].map { ($0, t.language($0)) }
        let countries: [(String, String)] = ["BE", "BR", "CO", "CR", "CZ", "DE", "ES", "GR", "HR", "HU", "IN", "KR", "MX", "MY", "PL", "PT", "TH", "TR", "AE"]
            .map { ($0, t.country($0)) }.sorted { $0.1 < $1.1 }
        let state = FormState(FormInput(["country": [country ?? ""], "language": [language ?? ""]]))
        return Page(title: t("decide.result.title", ["aid": aid.title]), description: aid.summary, canonical: nil,
                    breadcrumbs: [(t("nav.home"), .home), (t("decide.index.title"), .decide), (aid.title, .decideAid(.value(aid.id))), (t("decide.result.short"), nil)],
                    noindex: true, body:
            .div(.class("wrap narrow decide-result"),
                .h1(.plain(t("decide.result.title", ["aid": aid.title]))),
                .p(.class("lead"), .plain(t("decide.result.lead"))),
                Fragments.review(reviewer: aid.reviewedBy, reviewerTitle: nil, date: reviewed, t),
                .if(!result.cautions.isEmpty, .aside(.class("cautions notice"), .attr("role", "note"),
                    .h2(.plain(t("decide.result.cautions"))),
                    .ul(.forEach(result.cautions) { .li(.plain($0.text)) }))),
                .forEach(result.options) { optionSection($0) },
                .section(.class("decide-filter"),
                    .h2(.plain(t("decide.filter.title"))),
                    Fields.form(action: SiteURL.decideAid(.value(aid.id)).path, csrf: csrf, classes: "filters", answerFields + [
                        Fields.hidden("go", "result"),
                        Fields.select("country", label: t("filter.country"), options: countries, state: state, t, placeholder: t("inbox.filter.any")),
                        Fields.select("language", label: t("filter.language"), options: languages, state: state, t, placeholder: t("inbox.filter.any")),
                        .button(.type(.submit), .class("button"), .plain(t("decide.filter.apply")))])),
                .section(.class("decide-back"),
                    Fields.form(action: SiteURL.decideAid(.value(aid.id)).path, csrf: csrf, answerFields + [
                        .button(.type(.submit), .name("go"), .value("back"), .class("button"), .plain(t("decide.change")))])),
                .section(.class("sources"),
                    .h2(.plain(t("decide.sources"))),
                    .ul(.forEach(aid.sources) { s in
                        .li(.plain(s.title), .plain(s.publisher.map { " — \($0)" } ?? ""), .plain(s.year.map { " (\($0))" } ?? ""),
                            .plain(". "), .span(.class("muted"), .plain(s.supports)))
                    }),
                    .p(.class("fine-print"), .plain(t("decide.version", ["version": aid.version])))),
                Fragments.disclaimer(t))
        ).render(ctx)
    }
}
