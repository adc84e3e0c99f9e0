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
                .h1(.plain(t("procedures.title"))),
                .p(.class("lead"), .plain(t("procedures.intro"))),
                .forEach(groups) { _, name, items in
                    .section(.class("procedure-group"),
                        .h2(.plain(name)),
                        .ul(.class("procedure-grid"), .forEach(items) { p in
                            .li(.class("card"),
                                .h3(.a(.to(SiteURL.procedure(.value(p.slug)).path), .plain(p.name))),
                                .p(.class("eyebrow"), .plain(t("procedure.type.\(p.procedureType)"))),
                                .p(.plain(p.summary)))
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
        // The HTML stored at publishing; a guide stored before that is rendered here.
        let html = d.sections ?? [:]
        func section(_ key: String, _ markdown: String) -> TrustedHTML {
            html[key].map { HTMLSanitizer.sanitise($0) } ?? HTMLSanitizer.render(markdown: markdown)
        }
        let sections: [(String, String, TrustedHTML)] = [
            ("what", t("procedure.whatItIs"), section("what_it_is", p.whatItIs)),
            ("suits", t("procedure.suits"), section("suits", p.suits)),
            ("not-suits", t("procedure.notSuits"), section("not_suits", p.notSuits)),
            ("preparation", t("procedure.preparation"), section("preparation", p.preparation)),
            ("how", t("procedure.howPerformed"), section("how_performed", p.howPerformed)),
            ("recovery", t("procedure.recovery"), section("recovery", p.recovery)),
            ("risks", t("procedure.risks"), section("risks", p.risks)),
            ("alternatives", t("procedure.alternatives"), section("alternatives", p.alternatives)),
        ]
        return Page(
            title: p.name, description: p.summary, canonical: .procedure(.value(p.slug)), jsonLD: [jsonLD(d, ctx)],
            breadcrumbs: [(t("nav.home"), .home), (t("nav.procedures"), .procedures), (p.name, nil)],
            social: SocialCard(title: p.socialTitle, description: p.socialDescription, image: p.socialImage),
            body: .article(.class("wrap guide"),
                .header(.class("article-header"),
                    .p(.class("eyebrow"), .plain(d.categoryName)),
                    .h1(.plain(p.name)),
                    .p(.class("lead"), .plain(p.summary)),
                    Fragments.review(reviewer: d.reviewer?.name, reviewerTitle: d.reviewer?.title, date: p.reviewedAt, t)),
                .div(.class("profile-grid"),
                    .div(.class("profile-main prose"),
                        .nav(.class("toc"), .attr("aria-label", t("procedure.contents")),
                            .ol(.forEach(sections) { id, title, _ in .li(.a(.to("#\(id)"), .plain(title))) },
                                .li(.a(.to("#results"), .plain(t("procedure.results")))),
                                .li(.a(.to("#prices"), .plain(t("procedure.prices")))),
                                .li(.a(.to("#providers"), .plain(t("procedure.providers")))))),
                        .forEach(sections.prefix(6)) { id, title, body in
                            .section(.id(id), .h2(.plain(title)), .trusted(body))
                        },
                        .section(.id("results"), .h2(.plain(t("procedure.results"))),
                            .dl(.dt(.plain(t("procedure.resultsOnset"))), .dd(.plain(p.resultsOnset)),
                                .dt(.plain(t("procedure.resultsDuration"))), .dd(.plain(p.resultsDuration)))),
                        .forEach(sections.suffix(2)) { id, title, body in
                            .section(.id(id), .h2(.plain(title)), .trusted(body))
                        },
                        .section(.id("followup"), .h2(.plain(t("procedure.followup"))), .p(.plain(p.followup))),
                        prices(d, ctx)
                    ),
                    .aside(.class("profile-side"),
                        .section(.class("card facts"), .h2(.plain(t("procedure.atAGlance"))),
                            .dl(.dt(.plain(t("procedure.typeLabel"))), .dd(.plain(t("procedure.type.\(p.procedureType)"))),
                                .dt(.plain(t("procedure.area"))), .dd(.plain(p.bodyLocation)),
                                .dt(.plain(t("procedure.duration"))), .dd(.plain(t.count("procedure.minutes", p.durationMinutes))),
                                .dt(.plain(t("procedure.stay"))), .dd(.plain(t.count("procedure.days", p.stayDays))))),
                        .if(!d.articles.isEmpty, .section(.class("card"), .h2(.plain(t("procedure.readMore"))),
                            .ul(.forEach(d.articles) { a in .li(.a(.to(SiteURL.article(.value(a.slug)).path), .plain(a.title))) }))))
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
            .h2(.plain(t("procedure.prices"))),
            .p(.class("notice"), .span(.class("badge badge-sample"), .plain(t("sample.badge"))), .plain(" "), .plain(t("procedure.pricesNote"))),
            d.prices.isEmpty ? .p(.plain(t("procedure.noPrices"))) :
            .table(.class("data"),
                .caption(.plain(t("procedure.pricesCaption"))),
                .thead(.tr(.th(.plain(t("table.country"))), .th(.plain(t("table.typicalRange"))), .th(.plain(t("table.inEuros"))))),
                .tbody(.forEach(d.prices) { row in
                    .tr(.td(.plain(t.country(row.country))), .td(.plain(row.price.formatted)), .td(.plain(row.price.formattedEUR ?? row.price.formatted)))
                })),
            .p(.class("fineprint"), .plain(t("price.note", ["date": ExchangeRates.reference.asOf]))))
    }

    static func providers(_ d: ProcedureDetail, _ ctx: PageContext) -> Node<HTML.BodyContext> {
        let t = ctx.t
        let slug = d.procedure.slug
        return .section(.id("providers"), .class("guide-providers"),
            .h2(.plain(t("procedure.providers"))),
            d.providers.items.isEmpty ? .p(.plain(t("procedure.noProviders"))) :
            .ul(.class("cards"), .forEach(d.providers.items) { .li(ProviderIndex.card($0, ctx, consultFor: slug)) }),
            .p(.a(.class("button secondary"), .to(SiteURL.providers.path(query: [("procedure", slug)])),
                  .plain(t.count("procedure.allProviders", d.providers.total)))))
    }

    static func jsonLD(_ d: ProcedureDetail, _ ctx: PageContext) -> TrustedHTML {
        let p = d.procedure
        let stored = d.sections
        // `procedureType` takes a MedicalProcedureType value; a surgical procedure is a type of its own instead.
        let types = ["minimally-invasive": "https://schema.org/PercutaneousProcedure", "non-invasive": "https://schema.org/NoninvasiveProcedure"]
        var object: [String: Any] = [
            "@type": p.procedureType == "surgical" ? "SurgicalProcedure" : "MedicalProcedure",
            "@id": ctx.absolute(.procedure(.value(p.slug))),
            "url": ctx.absolute(.procedure(.value(p.slug))),
            "name": p.name, "description": p.summary,
            "bodyLocation": p.bodyLocation,
            "preparation": stored?["preparation_text"] ?? HTMLSanitizer.plainText(markdown: p.preparation).trimmingCharacters(in: .whitespacesAndNewlines),
            "howPerformed": stored?["how_performed_text"] ?? HTMLSanitizer.plainText(markdown: p.howPerformed).trimmingCharacters(in: .whitespacesAndNewlines),
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
