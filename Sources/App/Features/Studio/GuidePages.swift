import Foundation
import Plot
import Domain

/// The guide editor (structured sections in Markdown, typical prices by country) and the guides list.
extension StudioPages {
    static let spareGuidePriceRows = 2

    static func guides(items: [ListItem], unmanaged: [(slug: String, name: String)], csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        return Page(title: t("studio.guides"), description: t("studio.guides"), canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(t),
                .h1(.plain(t("studio.guides"))),
                .p(.a(.class("button"), .to(SiteURL.studioGuideNew.path), .plain(t("studio.guides.new")))),
                items.isEmpty ? .p(.class("hint"), .plain(t("studio.none"))) :
                .table(.class("cases"),
                    .thead(.tr(.th(.plain(t("studio.col.title"))), .th(.plain(t("studio.col.status"))), .th(.plain(t("studio.col.updated"))),
                               .th(.plain(t("studio.col.reviewDue"))))),
                    .tbody(.forEach(items) { i in
                        .tr(.td(.a(.to(SiteURL.studioGuide(.value("\(i.id)")).path), .plain(i.title)),
                                .if(i.live, .group(.plain(" · "), .a(.to(SiteURL.procedure(.value(i.slug)).path), .plain(t("studio.view")))))),
                            .td(badge(i.status, t)), .td(.plain(t.date(i.updatedAt))), .td(.plain(i.reviewDue.map(t.date) ?? "–")))
                    })),
                .if(!unmanaged.isEmpty, .group(
                    .h2(.plain(t("studio.guides.published"))),
                    .p(.class("hint"), .plain(t("studio.guides.published.hint"))),
                    .ul(.forEach(unmanaged) { g in
                        .li(.a(.to(SiteURL.procedure(.value(g.slug)).path), .plain(g.name)), .plain(" "),
                            Fields.form(action: SiteURL.studioGuideImport.path, csrf: csrf, classes: "inline", [
                                Fields.hidden("procedure", g.slug), .button(.type(.submit), .class("button small"), .plain(t("studio.guides.edit")))]))
                    })))
            )).render(ctx)
    }

    static func guideEditor(_ item: ItemView?, state: FormState, categories: [(String, String)], countries: [(String, String)], media: [(String, String)],
                            preview: [(String, TrustedHTML)]?, csrf: String, _ ctx: PageContext) -> String {
        let t = ctx.t
        let action = item.map { $0.url.path } ?? SiteURL.studioGuideNew.path
        var labels: [String: String] = ["name": t("studio.guide.name"), "slug": t("studio.field.slug"), "category": t("studio.field.category"),
                                        "procedure_type": t("procedure.typeLabel"), "body_location": t("procedure.area"), "summary": t("studio.field.summary"),
                                        "results_onset": t("procedure.resultsOnset"), "results_duration": t("procedure.resultsDuration"),
                                        "followup": t("procedure.followup"), "duration_minutes": t("studio.guide.minutes"), "stay_days": t("studio.guide.stay"),
                                        "prices": t("procedure.prices"), "social_title": t("studio.field.social_title"),
                                        "social_description": t("studio.field.social_description"), "social_image": t("studio.field.social_image"),
                                        "comment": t("studio.field.comment"), "scheduled_at": t("studio.field.scheduled_at")]
        let sectionLabels = ["what_it_is": t("procedure.whatItIs"), "suits": t("procedure.suits"), "not_suits": t("procedure.notSuits"),
                             "preparation": t("procedure.preparation"), "how_performed": t("procedure.howPerformed"), "recovery": t("procedure.recovery"),
                             "risks": t("procedure.risks"), "alternatives": t("procedure.alternatives")]
        labels.merge(sectionLabels) { $1 }
        let columns = ["country": t("table.country"), "min": t("practice.profile.priceFrom"), "max": t("practice.profile.priceTo"), "currency": t("practice.profile.currency")]
        let priceErrors = PracticePages.rowLabels(state, prefix: "prices", column: { columns[$0] ?? $0 }, t)
        func cell(_ name: String, _ i: Int) -> String { let v = state.values(name); return i < v.count ? v[i] : "" }
        let rows = min(GuideFields.maxPriceRows, state.values("price_country").count + spareGuidePriceRows)
        let currencies = [("", "–")] + ExchangeRates.reference.perEuro.keys.map(\.code).sorted().map { ($0, $0) }
        let title = item == nil ? t("studio.guides.new") : t("studio.edit", ["title": state.value("name")])
        return Page(title: title, description: title, canonical: nil, noindex: true, body:
            .div(.class("wrap studio"),
                nav(t),
                .h1(.plain(title)),
                item.map { lead($0, t) } ?? .empty,
                Fields.summary(state, labels: labels.merging(priceErrors.labels) { $1 }, t, anchors: priceErrors.anchors),
                item.map { workflow($0, state: state, csrf: csrf, t) } ?? .empty,
                Fields.form(action: action, csrf: csrf, classes: "studio-form", [
                    item.map { Fields.hidden("expected_revision", "\($0.revision)") } ?? .empty,
                    Fields.input("name", label: labels["name"]!, state: state, t, required: true, maxLength: GuideFields.maxName),
                    Fields.input("slug", label: labels["slug"]!, state: state, t, hint: t("studio.field.slug.hint")),
                    Fields.textarea("summary", label: labels["summary"]!, state: state, t, required: true, maxLength: GuideFields.maxSummary, rows: 3),
                    .div(.class("field-row"),
                        Fields.select("category", label: labels["category"]!, options: categories, state: state, t, required: true, placeholder: t("studio.choose")),
                        Fields.select("procedure_type", label: labels["procedure_type"]!, options: GuideFields.ProcedureType.allCases.map { ($0.rawValue, t("procedure.type.\($0.rawValue)")) },
                                      state: state, t, required: true, placeholder: t("studio.choose"))),
                    .div(.class("field-row"),
                        Fields.input("body_location", label: labels["body_location"]!, state: state, t, required: true, maxLength: GuideFields.maxShort),
                        Fields.input("duration_minutes", label: labels["duration_minutes"]!, type: "number", state: state, t, required: true,
                                     extra: [.attr("min", "1"), .attr("max", "2880")]),
                        Fields.input("stay_days", label: labels["stay_days"]!, type: "number", state: state, t, hint: t("studio.guide.stay.hint"), required: true,
                                     extra: [.attr("min", "0"), .attr("max", "90")])),
                    .p(.class("hint"), .plain(t("studio.guide.sections.hint"))),
                    .forEach(GuideFields.sectionFields) { f in
                        Fields.textarea(f, label: sectionLabels[f] ?? f, state: state, t, required: true, maxLength: GuideFields.maxSection, rows: 6)
                    },
                    .div(.class("field-row"),
                        Fields.input("results_onset", label: labels["results_onset"]!, state: state, t, required: true, maxLength: GuideFields.maxShort),
                        Fields.input("results_duration", label: labels["results_duration"]!, state: state, t, required: true, maxLength: GuideFields.maxShort)),
                    Fields.textarea("followup", label: labels["followup"]!, state: state, t, required: true, maxLength: GuideFields.maxSection, rows: 3),
                    .element(named: "fieldset", nodes: [.class("rows"), .id("prices"), .element(named: "legend", nodes: [.plain(labels["prices"]!)]),
                        .p(.class("hint"), .plain(t("studio.guide.prices.hint"))),
                        Fields.errors("prices", state, t),
                        .div(.class("table-scroll"), .table(.class("rows"),
                            .thead(.tr(.th(.plain(columns["country"]!)), .th(.plain(columns["min"]!)), .th(.plain(columns["max"]!)), .th(.plain(columns["currency"]!)))),
                            .tbody(.forEach(Array(0..<rows)) { i in
                                func label(_ c: String) -> String { t("availability.rowLabel", ["n": "\(i + 1)", "field": columns[c] ?? c]) }
                                return .tr(
                                    .td(PracticePages.cellSelect("price_country", id: "prices-\(i)-country", label: label("country"), options: [("", "–")] + countries,
                                                                 selected: cell("price_country", i)), PracticePages.rowError(state, "prices", i, "country", t)),
                                    .td(PracticePages.cellInput("price_min", id: "prices-\(i)-min", label: label("min"), value: cell("price_min", i),
                                                                extra: [.attr("inputmode", "decimal"), .attr("size", "9")]), PracticePages.rowError(state, "prices", i, "min", t)),
                                    .td(PracticePages.cellInput("price_max", id: "prices-\(i)-max", label: label("max"), value: cell("price_max", i),
                                                                extra: [.attr("inputmode", "decimal"), .attr("size", "9")]), PracticePages.rowError(state, "prices", i, "max", t)),
                                    .td(PracticePages.cellSelect("price_currency", id: "prices-\(i)-currency", label: label("currency"), options: currencies,
                                                                 selected: cell("price_currency", i)), PracticePages.rowError(state, "prices", i, "currency", t)))
                            })))]),
                    .element(named: "fieldset", nodes: [.class("rows"), .element(named: "legend", nodes: [.plain(t("studio.social"))]),
                        Fields.input("social_title", label: labels["social_title"]!, state: state, t, maxLength: ArticleFields.maxSocialTitle),
                        Fields.input("social_description", label: labels["social_description"]!, state: state, t, maxLength: ArticleFields.maxSocialDescription),
                        Fields.select("social_image", label: labels["social_image"]!, options: media, state: state, t,
                                      hint: t("studio.field.social_image.hint"), placeholder: t("studio.field.social_image.none"))]),
                    .div(.class("form-actions"),
                        .button(.type(.submit), .attr("name", "intent"), .attr("value", "preview"), .class("button"), .plain(t("studio.preview"))),
                        .button(.type(.submit), .attr("name", "intent"), .attr("value", "save"), .class("button primary"), .plain(t("studio.save")))),
                ]),
                preview.map { sections in .section(.class("studio-preview article-body"), .h2(.plain(t("studio.preview.title"))),
                    .forEach(sections) { title, html in .group(.h3(.plain(title)), .trusted(html)) }) } ?? .empty,
                item.map { revisions($0, csrf: csrf, t) } ?? .empty,
                Fragments.disclaimer(t)
            )).render(ctx)
    }
}
