import Foundation
import Plot
import Domain

/// `/procedures`: every guide, grouped by field.
enum ProcedureIndex {
    static func render(_ all: [ProcedureSummary], ctx: PageContext) -> String {
        let t = ctx.t
        var groups: [(String, String, [ProcedureSummary])] = []
        for p in all {
            if let i = groups.firstIndex(where: { $0.0 == p.categorySlug }) { groups[i].2.append(p) } else { groups.append((p.categorySlug, p.categoryName, [p])) }
        }
        return Page(
            title: t("procedures.title"), description: t("procedures.description"), canonical: .procedures,
            breadcrumbs: [(t("nav.home"), .home), (t("nav.procedures"), nil)],
            body: .div(.class("wrap"),
                .h1(.text(t("procedures.title"))),
                .p(.class("lead"), .text(t("procedures.intro"))),
                .forEach(groups) { _, name, items in
                    .section(.class("procedure-group"),
                        .h2(.text(name)),
                        .ul(.class("procedure-grid"), .forEach(items) { p in
                            .li(.class("card"),
                                .h3(.a(.to(SiteURL.procedure(.value(p.slug)).path), .text(p.name))),
                                .p(.class("eyebrow"), .text(t("procedure.type.\(p.procedureType)"))),
                                .p(.text(p.summary)))
                        }))
                }
            )
        ).render(ctx)
    }
}

/// `/procedures/{slug}`: a structured guide.
enum ProcedureShow {
    static func render(_ d: ProcedureDetail, aids: [(id: String, title: String)] = [], ctx: PageContext) -> String {
        let t = ctx.t
        let p = d.procedure
        let sections: [(String, String, String)] = [
            ("what", t("procedure.whatItIs"), p.whatItIs),
            ("suits", t("procedure.suits"), p.suits),
            ("not-suits", t("procedure.notSuits"), p.notSuits),
            ("preparation", t("procedure.preparation"), p.preparation),
            ("how", t("procedure.howPerformed"), p.howPerformed),
            ("recovery", t("procedure.recovery"), p.recovery),
            ("risks", t("procedure.risks"), p.risks),
            ("alternatives", t("procedure.alternatives"), p.alternatives),
        ]
        return Page(
            title: p.name, description: p.summary, canonical: .procedure(.value(p.slug)), jsonLD: [jsonLD(d, ctx)],
            breadcrumbs: [(t("nav.home"), .home), (t("nav.procedures"), .procedures), (p.name, nil)],
            body: .article(.class("wrap guide"),
                .header(.class("article-header"),
                    .p(.class("eyebrow"), .text(d.categoryName)),
                    .h1(.text(p.name)),
                    .p(.class("lead"), .text(p.summary)),
                    Fragments.review(reviewer: d.reviewer?.name, reviewerTitle: d.reviewer?.title, date: p.reviewedAt, t)),
                .div(.class("profile-grid"),
                    .div(.class("profile-main prose"),
                        .nav(.class("toc"), .attr("aria-label", t("procedure.contents")),
                            .ol(.forEach(sections) { id, title, _ in .li(.a(.to("#\(id)"), .text(title))) },
                                .li(.a(.to("#results"), .text(t("procedure.results")))),
                                .li(.a(.to("#prices"), .text(t("procedure.prices")))),
                                .li(.a(.to("#providers"), .text(t("procedure.providers")))))),
                        .forEach(sections.prefix(6)) { id, title, markdown in
                            .section(.id(id), .h2(.text(title)), .trusted(HTMLSanitizer.render(markdown: markdown)))
                        },
                        .section(.id("results"), .h2(.text(t("procedure.results"))),
                            .dl(.dt(.text(t("procedure.resultsOnset"))), .dd(.text(p.resultsOnset)),
                                .dt(.text(t("procedure.resultsDuration"))), .dd(.text(p.resultsDuration)))),
                        .forEach(sections.suffix(2)) { id, title, markdown in
                            .section(.id(id), .h2(.text(title)), .trusted(HTMLSanitizer.render(markdown: markdown)))
                        },
                        .section(.id("followup"), .h2(.text(t("procedure.followup"))), .p(.text(p.followup))),
                        prices(d, ctx)
                    ),
                    .aside(.class("profile-side"),
                        .section(.class("card facts"), .h2(.text(t("procedure.atAGlance"))),
                            .dl(.dt(.text(t("procedure.typeLabel"))), .dd(.text(t("procedure.type.\(p.procedureType)"))),
                                .dt(.text(t("procedure.area"))), .dd(.text(p.bodyLocation)),
                                .dt(.text(t("procedure.duration"))), .dd(.text(t.count("procedure.minutes", p.durationMinutes))),
                                .dt(.text(t("procedure.stay"))), .dd(.text(t.count("procedure.days", p.stayDays))))),
                        .if(!d.articles.isEmpty, .section(.class("card"), .h2(.text(t("procedure.readMore"))),
                            .ul(.forEach(d.articles) { a in .li(.a(.to(SiteURL.article(.value(a.slug)).path), .text(a.title))) }))))
                ),
                Fragments.decisionAids(aids, t),
                providers(d, ctx),
                Fragments.disclaimer(t)
            )
        ).render(ctx)
    }

    static func prices(_ d: ProcedureDetail, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        return .section(.id("prices"),
            .h2(.text(t("procedure.prices"))),
            .p(.class("notice"), .span(.class("badge badge-sample"), .text(t("sample.badge"))), .text(" "), .text(t("procedure.pricesNote"))),
            d.prices.isEmpty ? .p(.text(t("procedure.noPrices"))) :
            .table(.class("data"),
                .caption(.text(t("procedure.pricesCaption"))),
                .thead(.tr(.th(.text(t("table.country"))), .th(.text(t("table.typicalRange"))), .th(.text(t("table.inEuros"))))),
                .tbody(.forEach(d.prices) { row in
                    .tr(.td(.text(t.country(row.country))), .td(.text(row.price.formatted)), .td(.text(row.price.formattedEUR ?? row.price.formatted)))
                })),
            .p(.class("fineprint"), .text(t("price.note", ["date": ExchangeRates.reference.asOf]))))
    }

    static func providers(_ d: ProcedureDetail, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let slug = d.procedure.slug
        return .section(.id("providers"), .class("guide-providers"),
            .h2(.text(t("procedure.providers"))),
            d.providers.items.isEmpty ? .p(.text(t("procedure.noProviders"))) :
            .ul(.class("cards"), .forEach(d.providers.items) { .li(ProviderIndex.card($0, ctx, consultFor: slug)) }),
            .p(.a(.class("button secondary"), .to(SiteURL.providers.path(query: [("procedure", slug)])),
                  .text(t.count("procedure.allProviders", d.providers.total)))))
    }

    static func jsonLD(_ d: ProcedureDetail, _ ctx: PageContext) -> TrustedHTML {
        let p = d.procedure
        let types = ["surgical": "https://schema.org/SurgicalProcedure", "minimally-invasive": "https://schema.org/PercutaneousProcedure", "non-invasive": "https://schema.org/NoninvasiveProcedure"]
        var object: [String: Any] = [
            "@type": "MedicalProcedure",
            "@id": ctx.absolute(.procedure(.value(p.slug))),
            "url": ctx.absolute(.procedure(.value(p.slug))),
            "name": p.name, "description": p.summary,
            "bodyLocation": p.bodyLocation,
            "preparation": HTMLSanitizer.plainText(markdown: p.preparation).trimmingCharacters(in: .whitespacesAndNewlines),
            "howPerformed": HTMLSanitizer.plainText(markdown: p.howPerformed).trimmingCharacters(in: .whitespacesAndNewlines),
            "followup": p.followup,
            "medicineSystem": "https://schema.org/WesternConventional",
        ]
        if let type = types[p.procedureType] { object["procedureType"] = type }
        var page: [String: Any] = ["@type": "MedicalWebPage", "url": ctx.absolute(.procedure(.value(p.slug))), "mainEntity": ["@id": ctx.absolute(.procedure(.value(p.slug)))]]
        if let r = d.reviewer { page["reviewedBy"] = ["@type": "Person", "name": r.name, "jobTitle": r.title] }
        if let date = p.reviewedAt { page["lastReviewed"] = ISODate.format(date) }
        object["subjectOf"] = page
        return JSONLD.script(object)
    }
}
